"""A small closed-loop HTTP/1.1 load generator: keep-alive connections on loopback.

Used by ``load.py`` when ``wrk`` is not installed. Each connection sends one request, reads
the whole response, and sends the next (no pipelining), so the figures are comparable with
``wrk``'s. Standard library only; uses uvloop when the interpreter has it.

    python loadgen.py < SPEC.json

SPEC, read from stdin, is a JSON object::

    {"host": "127.0.0.1", "port": 8000, "connections": 32,
     "warmup_seconds": 1.0, "duration_seconds": 5.0, "max_requests": 50000,
     "headers": {"Authorization": "Bearer ..."},              # optional, on every request
     "method": "GET", "paths": ["/accounts/..."],           # one request per path, or
     "method": "POST", "paths": ["/transfers"], "bodies": ["{...}", ...],
     "fresh_header": "Idempotency-Key"}                      # optional, see below

``fresh_header`` names a header that gets a new value on every request sent, warm-up
included: 32 random hex digits (``os.urandom(16).hex()``, as many random bits as a UUID's
hex, at a fifth of ``uuid4``'s cost), so no two requests share it, as a client sends a new
``Idempotency-Key`` with each new payment. The rest of each request is built once.

It prints one JSON object: requests, seconds, rps, p50_ms, p90_ms, p99_ms, max_ms,
``statuses`` (a count per HTTP status), ``errors`` (connection errors) and
``all_requests`` (responses including the warm-up's).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

READ_LIMIT = 1 << 20
FRESH_VALUE = b"\x00fresh header value\x00"
"""Where a request built once holds its ``fresh_header``'s value, replaced per request
(a NUL never occurs in a real header, and the head comes before the body)."""


def build_requests(spec: dict[str, Any]) -> list[bytes]:
    host = f"{spec['host']}:{spec['port']}"
    method = spec["method"]
    paths: list[str] = spec["paths"]
    bodies: list[str] = spec.get("bodies") or []
    headers = dict(spec.get("headers", {}))
    if spec.get("fresh_header"):
        headers[spec["fresh_header"]] = FRESH_VALUE.decode()
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    requests = []
    if bodies:
        for index, body in enumerate(bodies):
            payload = body.encode()
            head = (
                f"{method} {paths[index % len(paths)]} HTTP/1.1\r\nHost: {host}\r\n"
                f"User-Agent: bench-loadgen\r\nAccept: */*\r\n{extra}"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
            )
            requests.append(head.encode() + payload)
    else:
        for path in paths:
            head = (
                f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
                f"User-Agent: bench-loadgen\r\nAccept: */*\r\n{extra}\r\n"
            )
            requests.append(head.encode())
    return requests


@dataclass
class Run:
    requests: list[bytes]
    max_requests: int
    fresh: bool = False
    """Whether each request's ``FRESH_VALUE`` is replaced by a new random value."""
    measuring: bool = False
    stopping: bool = False
    issued: int = 0
    cursor: int = 0
    latencies_ns: list[int] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    last_done_ns: int = 0
    answered: int = 0
    """Responses including the warm-up's, to relate to the server's CPU time."""

    def next_request(self) -> tuple[bytes, bool] | None:
        """The next request and whether it counts; None once the run is over."""
        if self.stopping:
            return None
        if self.measuring:
            if self.issued >= self.max_requests:
                self.stopping = True
                return None
            self.issued += 1
        self.cursor += 1
        request = self.requests[self.cursor % len(self.requests)]
        if self.fresh:
            request = request.replace(FRESH_VALUE, os.urandom(16).hex().encode(), 1)
        return request, self.measuring


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the server keeps the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lowered = head.lower()
    keep_alive = b"\r\nconnection: close" not in lowered
    marker = lowered.find(b"\r\ncontent-length:")
    if marker >= 0:
        end = lowered.index(b"\r\n", marker + 2)
        length = int(lowered[marker + 17 : end])
        if length:
            await reader.readexactly(length)
    elif b"\r\ntransfer-encoding: chunked" in lowered:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif status not in (204, 304) and not 100 <= status < 200:
        await reader.read()  # body delimited by connection close
        keep_alive = False
    return status, keep_alive


async def connection(run: Run, host: str, port: int) -> None:
    writer: asyncio.StreamWriter | None = None
    try:
        while (item := run.next_request()) is not None:
            request, counted = item
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port, limit=READ_LIMIT)
            started = time.perf_counter_ns()
            try:
                writer.write(request)
                status, keep_alive = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                if counted:
                    run.errors[type(error).__name__] += 1
                writer.close()
                writer = None
                await asyncio.sleep(0.01)
                continue
            done = time.perf_counter_ns()
            run.answered += 1
            if counted:
                run.latencies_ns.append(done - started)
                run.statuses[status] += 1
                run.last_done_ns = done
            if not keep_alive:
                writer.close()
                writer = None
    finally:
        if writer is not None:
            writer.close()


def percentile(sorted_values: list[int], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, math.ceil(fraction * len(sorted_values)) - 1))
    return sorted_values[rank] / 1e6


async def main_async(spec: dict[str, Any]) -> dict[str, Any]:
    requests = build_requests(spec)
    random.Random(spec.get("seed", 1)).shuffle(requests)
    run = Run(requests, int(spec["max_requests"]), fresh=bool(spec.get("fresh_header")))
    tasks = [
        asyncio.create_task(connection(run, spec["host"], int(spec["port"])))
        for _ in range(int(spec["connections"]))
    ]
    await asyncio.sleep(float(spec.get("warmup_seconds", 0)))
    started = time.perf_counter_ns()
    run.measuring = True
    deadline = time.monotonic() + float(spec["duration_seconds"])
    while not run.stopping and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    run.stopping = True
    await asyncio.gather(*tasks)
    latencies = sorted(run.latencies_ns)
    seconds = max(1e-9, (run.last_done_ns - started) / 1e9) if latencies else 0.0
    return {
        "tool": "loadgen.py" + (" (uvloop)" if _uvloop_installed() else ""),
        "requests": len(latencies),
        "all_requests": run.answered,
        "seconds": round(seconds, 3),
        "rps": round(len(latencies) / seconds, 1) if latencies else 0.0,
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p90_ms": round(percentile(latencies, 0.90), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(latencies[-1] / 1e6, 2) if latencies else float("nan"),
        "statuses": {str(code): count for code, count in sorted(run.statuses.items())},
        "errors": dict(run.errors),
    }


def _uvloop_installed() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> int:
    spec = json.load(sys.stdin)
    if _uvloop_installed():
        import uvloop

        result = uvloop.run(main_async(spec))
    else:
        result = asyncio.run(main_async(spec))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
