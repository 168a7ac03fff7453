"""One load run with ``wrk``, reported in the same shape as the bundled ``loadgen.py``.

wrk sends requests from a fixed list at random (a Lua script written per run) and stops
after ``max_requests`` responses, timing the run itself through LuaJIT's ffi, since
wrk's own duration would include the time after the limit was reached.

A spec's ``fresh_header`` (``loadgen.py`` documents the spec) gets a new value on every
request: 24 random hex digits from LuaJIT's generator, seeded from ``/dev/urandom`` in
each run, then a counter's 8, so no two requests of a run share it and runs (the
warm-up's, the measured one) do not either. Such requests are formatted as they are sent
(``wrk.format``), the others once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from commands import run_timed

SCRIPT = """
-- Written by benchmarks/wrk.py. Random requests from a fixed list; stops after `limit`
-- responses (0: no limit) and reports the time it took, read with LuaJIT's ffi.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } bench_timeval;
int gettimeofday(bench_timeval *tv, void *tz);
]]
local function now_us()
  local tv = ffi.new("bench_timeval")
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000000 + tonumber(tv.tv_usec)
end
local requests = {}
local responses = 0
local sent = 0
local limit = %(limit)d
local threads = {}
first_us = 0
stop_us = 0
setup = function(thread)
  table.insert(threads, thread)
end
local function seed_from_urandom()
  local urandom = io.open("/dev/urandom", "rb")
  local seed = 0
  for byte in urandom:read(6):gmatch(".") do seed = seed * 256 + byte:byte() end
  urandom:close()
  math.randomseed(seed)
end
init = function(args)
%(requests)s
end
request = function()
  if first_us == 0 then first_us = now_us() end
  if fresh_header == nil then return requests[math.random(#requests)] end
  sent = sent + 1
  headers[fresh_header] = string.format("%%06x%%06x%%06x%%06x%%08x", math.random(0, 16777215),
    math.random(0, 16777215), math.random(0, 16777215), math.random(0, 16777215), sent)
  local item = items[math.random(#items)]
  return wrk.format(method, item[1], headers, item[2])
end
response = function(status, headers, body)
  responses = responses + 1
  if limit > 0 and responses >= limit and stop_us == 0 then
    stop_us = now_us()
    wrk.thread:stop()
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  local duration = summary.duration
  local first, stop = threads[1]:get("first_us"), threads[1]:get("stop_us")
  if #threads == 1 and stop > 0 then duration = stop - first end
  io.write(string.format(
    '\\nBENCH {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "non2xx": %%d, "socket_errors": %%d}\\n',
    summary.requests, duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""
FIGURES = re.compile(r"^BENCH (\{.*\})$", re.MULTILINE)


def request_list(spec: dict[str, Any]) -> str:
    """The Lua lines that build the script's list of requests (every one with the spec's
    ``headers``, the bearer token), or with a ``fresh_header``, what ``request`` formats
    each request from."""
    headers = dict(spec.get("headers", {}))
    if spec.get("bodies"):
        headers["Content-Type"] = "application/json"
    table = ", ".join(f'["{name}"] = "{value}"' for name, value in headers.items())
    if spec.get("fresh_header"):
        lines = [
            f"  headers = {{{table}}}",
            f'  fresh_header = "{spec["fresh_header"]}"',
            f'  method, items = "{spec["method"]}", {{}}',
            "  seed_from_urandom()",
        ]
        paths = spec["paths"]
        if spec.get("bodies"):
            lines += [
                f'  items[#items + 1] = {{"{paths[index % len(paths)]}", [[{body}]]}}'
                for index, body in enumerate(spec["bodies"])
            ]
        else:
            lines += [f'  items[#items + 1] = {{"{path}"}}' for path in paths]
        return "\n".join(lines)
    lines = [f"  local headers = {{{table}}}"]
    if not spec.get("bodies"):
        lines += [
            f'  requests[#requests + 1] = wrk.format("GET", "{path}", headers)'
            for path in spec["paths"]
        ]
    else:
        lines += [
            f'  requests[#requests + 1] = wrk.format("POST", "{spec["paths"][0]}", '
            f"headers, [[{body}]])"
            for body in spec["bodies"]
        ]
    return "\n".join(lines)


def run_wrk(spec: dict[str, Any], seconds: float, limit: int, script: Path) -> dict[str, Any]:
    """One wrk run of at most ``seconds`` and ``limit`` responses (0: no limit); its figures."""
    script.write_text(SCRIPT % {"limit": limit, "requests": request_list(spec)})
    command = ["wrk", "-d", f"{max(1, round(seconds))}s", "-t", "1"]
    command += ["-c", str(spec["connections"]), "--timeout", "10s", "-s", str(script)]
    _, result = run_timed([*command, f"http://{spec['host']}:{spec['port']}"])
    found = FIGURES.search(result.stdout)
    if not found:
        raise RuntimeError(f"wrk printed no figures:\n{result.stdout}\n{result.stderr}")
    figures: dict[str, Any] = json.loads(found.group(1))
    return figures


def load_with_wrk(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A warm-up run, then the measured one; the figures as ``loadgen.py`` prints them."""
    script = folder / "load.lua"
    warm_requests = 0
    if spec.get("warmup_seconds"):
        warm_requests = run_wrk(spec, spec["warmup_seconds"], 0, script)["requests"]
    raw = run_wrk(spec, spec["duration_seconds"], spec["max_requests"], script)
    seconds = raw["duration_us"] / 1e6
    return {
        "tool": "wrk",
        "requests": raw["requests"],
        "all_requests": raw["requests"] + warm_requests,
        "seconds": round(seconds, 3),
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "statuses": {"non-2xx/3xx": raw["non2xx"]} if raw["non2xx"] else {},
        "errors": {"socket": raw["socket_errors"]} if raw["socket_errors"] else {},
    }
