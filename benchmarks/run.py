"""Figures for the template (product brief §4), printed as one table. No assertions.

    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/run.py            # ~6 minutes
    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/run.py --quick    # ~2 minutes

It bakes the default project into a temporary folder, installs it (``uv sync``; the uv
cache is shared, ``UV_CACHE_DIR`` is honoured) and measures:

1. bake time: ``cookiecutter --no-input`` of the default, whole process, median of runs
   (``benchmarks/bake_time.py`` is used instead when it exists);
2. the generated ``pytest tests/unit`` and ``pytest tests/contract``, whole process
   (``uv run --no-sync pytest ...``), median of runs;
3. a load run on loopback against the generated service and two reference apps shipped
   here (``reference_sync.py``: flat sync FastAPI + SQLAlchemy, sqlite3/psycopg;
   ``reference_async.py`` / ``reference_async_sqlite.py``: flat async FastAPI + SQLAlchemy
   on our drivers), each served by uvicorn (1 worker, same settings; ours through its own
   ``serve`` command), on SQLite and on a
   throwaway PostgreSQL: ``GET /accounts/{id}`` and ``POST /transfers``, req/s with
   p50/p99 latency; on SQLite also (c), the flat async app on aiosqlite, the async driver
   the service does not use (the row that shows why);
4. SQL statements per request, counted in process (``sql_count.py``).

Every server gets a fresh copy of the same seeded database; apps are measured in rotating
order, ``--rounds`` times, and the median round is shown. Run ``--help`` for the knobs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import pwd
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent
TEMPLATE = BENCHMARKS.parent
BAKE_TIME_SCRIPT = BENCHMARKS / "bake_time.py"

APPS = ("ours", "(a) sync", "(b) async", "(c) aiosqlite")
SQLITE_ONLY_APPS = frozenset({"(c) aiosqlite"})
ENDPOINTS = ("GET /accounts/{id}", "POST /transfers")
DATABASES = ("sqlite", "postgresql")
TARGETS = {
    "bake": 0.35,
    "unit": 0.5,
    "ratio_a": 2.0,
    "ratio_b": 0.9,
}
ACCOUNTS = 1000
BALANCE = 10**15
TRANSFER_BODIES = 2000
PSYCOPG = "psycopg[binary]>=3.2"
"""Reference (a)'s PostgreSQL driver, installed into the baked (throwaway) environment."""
AIOSQLITE = "aiosqlite>=0.20"
"""Reference (c)'s driver, installed the same way: the generated service does not use it."""


# ---------------------------------------------------------------------------- utilities


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


CLEARED_VARIABLES = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
"""Not passed on: this repo's virtualenv, and a setting that would make every process
compile every module from source (no ``__pycache__``), which is not what users see."""


def child_env(**extra: str) -> dict[str, str]:
    """The environment for the commands we time and the servers we start."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_VARIABLES}
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env.update(extra)
    return env


def timed(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, command))} exited {result.returncode}\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return elapsed, result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Timing:
    label: str
    runs: list[float] = field(default_factory=list)
    failures: int = 0
    note: str = ""
    target: float | None = None

    @property
    def median(self) -> float:
        return median(self.runs)


# --------------------------------------------------------------------------- 1. baking


def cookiecutter_command() -> list[str]:
    script = Path(sys.executable).with_name("cookiecutter")
    if script.exists():
        return [str(script)]
    found = shutil.which("cookiecutter")
    return [found] if found else [sys.executable, "-m", "cookiecutter"]


def bake(output: Path) -> tuple[float, Path]:
    """Bake the default project into ``output`` (a throwaway cookiecutter config: no replay
    file in ``~``); return the whole process's seconds and the project folder."""
    output.mkdir(parents=True, exist_ok=True)
    config = output / "cookiecutter-config.yaml"
    config.write_text(
        f'cookiecutters_dir: "{output / "cookiecutters"}"\nreplay_dir: "{output / "replay"}"\n'
    )
    elapsed, _ = timed(
        [
            *cookiecutter_command(),
            "--no-input",
            str(TEMPLATE),
            "-o",
            str(output / "out"),
            "--config-file",
            str(config),
        ],
        env=child_env(),
    )
    (project,) = (output / "out").iterdir()
    return elapsed, project


def bake_times(runs: int) -> list[Timing]:
    """The first bake on a machine (empty Jinja cache) and a bake again, from bake_time.py."""
    timings = []
    for label, flags in (
        ("cookiecutter --no-input (default), first", ["--first"]),
        ("cookiecutter --no-input (default), again", []),
    ):
        timing = Timing(label, target=TARGETS["bake"], note="benchmarks/bake_time.py")
        _, result = timed(
            [sys.executable, str(BAKE_TIME_SCRIPT), "--runs", str(runs), *flags],
            cwd=TEMPLATE,
            env=child_env(),
        )
        timing.runs = [
            float(value)
            for value in re.findall(r"^run \d+: ([0-9.]+) s$", result.stdout, re.MULTILINE)
        ]
        timings.append(timing)
    return timings


# ---------------------------------------------------------------------- 2. test tiers


def test_tier(project: Path, tier: str, runs: int, *, warm_up: bool) -> Timing:
    timing = Timing(f"pytest tests/{tier}", target=TARGETS.get(tier))
    command = ["uv", "run", "--no-sync", "pytest", "-q", f"tests/{tier}"]
    env = child_env()
    if warm_up:
        timed(command, cwd=project, env=env, check=False)
    for _ in range(runs):
        elapsed, result = timed(command, cwd=project, env=env, check=False)
        timing.runs.append(elapsed)
        if result.returncode != 0:
            timing.failures += 1
            tail = (result.stdout.strip().splitlines() or ["?"])[-1]
            timing.note = f"exit {result.returncode}: {tail[:60]}"
    return timing


# --------------------------------------------------------------------- PostgreSQL


class Postgres:
    """A throwaway PostgreSQL cluster: initdb + pg_ctl in a temporary folder, random port."""

    def __init__(self) -> None:
        bindir = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        self.bindir = Path(bindir)
        self.root = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        self.port = free_port()
        self.user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None

    def _as_owner(self, *command: str) -> list[str]:
        if self.user is None:
            return list(command)
        if shutil.which("setpriv"):
            return [
                "setpriv",
                f"--reuid={self.user.pw_uid}",
                f"--regid={self.user.pw_gid}",
                "--init-groups",
                *command,
            ]
        return ["runuser", "-u", self.user.pw_name, "--", *command]

    def start(self) -> None:
        if self.user is not None:
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        data = self.root / "data"
        timed(
            self._as_owner(
                str(self.bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )
        )
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\nfsync = off\n"
                "synchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n"
            )
        timed(
            self._as_owner(
                str(self.bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(self.log),
                "-w",
                "-t",
                "60",
                "start",
            )
        )

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            timed(
                self._as_owner(
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.root / "data"),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ),
                check=False,
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def sql(self, statement: str, database: str = "postgres") -> str:
        _, result = timed(
            [
                str(self.bindir / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-AtX",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                statement,
            ]
        )
        return result.stdout.strip()

    @property
    def log(self) -> Path:
        return self.root / "log"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    server = Postgres()
    try:
        server.start()
        yield server
    finally:
        server.stop()


# ------------------------------------------------------------------------ databases


@dataclass
class Database:
    """A seeded database; ``copy()`` gives each server run a fresh, identical one."""

    kind: str
    work: Path
    project: Path
    postgres: Postgres | None = None
    copies: int = 0

    @property
    def seed_url(self) -> str:
        if self.postgres is not None:
            return self.postgres.url("bench_seed")
        return f"sqlite:///{self.work / 'seed.db'}"

    def create(self, account_ids: list[str]) -> None:
        if self.postgres is not None:
            self.postgres.sql("CREATE DATABASE bench_seed")
        env = child_env(DATABASE_URL=self.seed_url)
        timed(["uv", "run", "--no-sync", self.project.name, "migrate"], cwd=self.project, env=env)
        spec = self.work / f"seed-{self.kind}.json"
        spec.write_text(
            json.dumps(
                {
                    "url": self.seed_url,
                    "balance": BALANCE,
                    "currency": "EUR",
                    "account_ids": account_ids,
                }
            )
        )
        timed([str(python_of(self.project)), str(BENCHMARKS / "seed.py"), str(spec)], env=env)
        if self.postgres is not None:
            self.postgres.sql("VACUUM ANALYZE", "bench_seed")

    def copy(self) -> tuple[str, str]:
        """A fresh copy: (url, name to drop)."""
        self.copies += 1
        if self.postgres is not None:
            name = f"bench_run_{self.copies}"
            self.postgres.sql(f"CREATE DATABASE {name} TEMPLATE bench_seed")
            return self.postgres.url(name), name
        target = self.work / f"run-{self.copies}.db"
        shutil.copyfile(self.work / "seed.db", target)
        return f"sqlite:///{target}", str(target)

    def drop(self, name: str) -> None:
        if self.postgres is not None:
            with contextlib.suppress(Exception):
                self.postgres.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)


def python_of(project: Path) -> Path:
    return project / ".venv" / "bin" / "python"


# ----------------------------------------------------------------------- 3. servers


@contextlib.contextmanager
def serve(
    app: str, project: Path, package: str, url: str, probe_path: str
) -> Iterator[tuple[int, int]]:
    """Run one app under uvicorn (one worker, no access log) until the block ends: ours
    with its own ``serve`` command, a reference with uvicorn's.

    Yields the port and the server's process id.
    """
    port = free_port()
    python = str(python_of(project))
    if app == "ours":
        # As its users run it (``make run``, the Dockerfile): its own ``serve`` command.
        command = [python, "-m", package, "serve"]
    else:
        module, url = reference_module(app, url)
        command = [python, "-m", "uvicorn", "--app-dir", str(BENCHMARKS), f"{module}:app"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
        command += ["--log-level", "warning"]
    env = child_env(
        DATABASE_URL=url,
        SHUTDOWN_DRAIN_SECONDS="0.5",
        SERVICE_PACKAGE=package,
        # The same server settings for ours, through its settings.
        HOST="127.0.0.1",
        PORT=str(port),
        ACCESS_LOG="false",
        LOG_LEVEL="warning",
    )
    process = subprocess.Popen(
        command,
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_until_serving(process, port, probe_path)
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def reference_module(app: str, url: str) -> tuple[str, str]:
    """The module serving a reference app, and the DATABASE_URL it takes."""
    sqlite = url.startswith("sqlite")
    if app == "(a) sync":
        return "reference_sync", url
    if app == "(c) aiosqlite":
        return "reference_async", url.replace("sqlite:", "sqlite+aiosqlite:", 1)
    return ("reference_async_sqlite" if sqlite else "reference_async"), url


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process (all its threads) has used so far; NaN off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_serving(process: subprocess.Popen[str], port: int, path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read() if process.stderr else ""
            raise RuntimeError(f"server exited {process.returncode}: {stderr[-2000:]}")
        url = f"http://127.0.0.1:{port}{path}"
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as reply:
            if reply.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("server did not answer within 60 s")


# --------------------------------------------------------------------- load generator


def load_tool(choice: str) -> str:
    if choice == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if choice == "wrk" and not shutil.which("wrk"):
        raise SystemExit("--load-tool wrk: wrk is not installed (apt-get install wrk)")
    return choice


def run_load(tool: str, project: Path, spec: dict[str, Any], work: Path) -> dict[str, Any]:
    if tool == "wrk":
        return run_wrk(spec, work)
    spec_file = work / "load.json"
    spec_file.write_text(json.dumps(spec))
    # The baked project's Python has uvloop; the generator's own overhead stays small.
    _, result = timed([str(python_of(project)), str(BENCHMARKS / "loadgen.py"), str(spec_file)])
    return json.loads(result.stdout)


WRK_SCRIPT = """
-- Generated by run.py. Random requests from a fixed list; stops after `limit` responses
-- (0: no limit) and then reports the time it took, read with LuaJIT's ffi.
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
local limit = %(limit)d
local threads = {}
first_us = 0
stop_us = 0
setup = function(thread)
  table.insert(threads, thread)
end
init = function(args)
%(requests)s
end
request = function()
  if first_us == 0 then first_us = now_us() end
  return requests[math.random(#requests)]
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


def run_wrk(spec: dict[str, Any], work: Path) -> dict[str, Any]:
    lines = []
    headers = '{["Content-Type"] = "application/json"}'
    if spec.get("bodies"):
        for body in spec["bodies"]:
            lines.append(
                f'  requests[#requests + 1] = wrk.format("POST", "{spec["paths"][0]}", '
                f"{headers}, [[{body}]])"
            )
    else:
        lines.extend(
            f'  requests[#requests + 1] = wrk.format("GET", "{path}")' for path in spec["paths"]
        )
    script = work / "load.lua"
    base = [
        "wrk",
        "-t",
        "1",
        "-c",
        str(spec["connections"]),
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://{spec['host']}:{spec['port']}",
    ]
    warmup = spec.get("warmup_seconds", 0)
    if warmup:
        script.write_text(WRK_SCRIPT % {"limit": 0, "requests": "\n".join(lines)})
        _, warm = timed([*base[:1], "-d", f"{max(1, round(warmup))}s", *base[1:]])
        found = re.search(r"^BENCH (\{.*\})$", warm.stdout, re.MULTILINE)
        warm_requests = json.loads(found.group(1))["requests"] if found else 0
    else:
        warm_requests = 0
    script.write_text(WRK_SCRIPT % {"limit": spec["max_requests"], "requests": "\n".join(lines)})
    _, result = timed([*base[:1], "-d", f"{max(1, round(spec['duration_seconds']))}s", *base[1:]])
    found = re.search(r"^BENCH (\{.*\})$", result.stdout, re.MULTILINE)
    if not found:
        raise RuntimeError(f"wrk printed no figures:\n{result.stdout}\n{result.stderr}")
    raw = json.loads(found.group(1))
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


def load_specs(account_ids: list[str], args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    rng = random.Random(6)
    bodies = []
    for _ in range(TRANSFER_BODIES):
        source, destination = rng.sample(account_ids, 2)
        bodies.append(
            json.dumps(
                {
                    "source_account_id": source,
                    "destination_account_id": destination,
                    "amount_minor_units": rng.randint(1, 100),
                    "currency": "EUR",
                },
                separators=(",", ":"),
            )
        )
    common = {
        "host": "127.0.0.1",
        "connections": args.connections,
        "warmup_seconds": args.warmup,
        "duration_seconds": args.duration,
        "max_requests": args.max_requests,
    }
    return {
        ENDPOINTS[0]: {
            **common,
            "method": "GET",
            "paths": [f"/accounts/{account_id}" for account_id in account_ids],
        },
        ENDPOINTS[1]: {**common, "method": "POST", "paths": ["/transfers"], "bodies": bodies},
    }


def measure_load(
    database: Database, package: str, account_ids: list[str], args: argparse.Namespace, tool: str
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """{endpoint: {app: [result per round]}}; each app run gets a fresh database copy."""
    specs = load_specs(account_ids, args)
    apps = [
        app
        for app in APPS
        if app in args.apps and (database.kind == "sqlite" or app not in SQLITE_ONLY_APPS)
    ]
    results: dict[str, dict[str, list[dict[str, Any]]]] = {
        endpoint: {app: [] for app in apps} for endpoint in ENDPOINTS
    }
    for round_index in range(args.rounds):
        order = apps[round_index % len(apps) :] + apps[: round_index % len(apps)]
        for app in order:
            url, name = database.copy()
            try:
                with serve(app, database.project, package, url, f"/accounts/{account_ids[0]}") as (
                    port,
                    pid,
                ):
                    for endpoint in ENDPOINTS:  # reads first: no outbox backlog yet
                        cpu_before = cpu_seconds(pid)
                        result = run_load(
                            tool, database.project, {**specs[endpoint], "port": port}, database.work
                        )
                        served = result.get("all_requests") or result["requests"]
                        result["server_cpu_us"] = (cpu_seconds(pid) - cpu_before) / served * 1e6
                        results[endpoint][app].append(result)
                        log(
                            f"{database.kind:10} {endpoint:20} {app:10} round {round_index + 1}:"
                            f" {result['rps']:8.1f} req/s  p50 {result['p50_ms']:.1f} ms"
                            f"  p99 {result['p99_ms']:.1f} ms"
                            f"  cpu {result['server_cpu_us']:.0f} us/req  {result['statuses']}"
                            f" {result['errors'] or ''}"
                        )
            finally:
                database.drop(name)
    return results


# -------------------------------------------------------------------- 4. SQL counts


def count_statements(
    project: Path, package: str, urls: dict[str, str], logs: dict[str, str], work: Path
) -> Any:
    spec = work / "sql_count.json"
    spec.write_text(
        json.dumps(
            {
                "package": package,
                "benchmarks": str(BENCHMARKS),
                "urls": urls,
                "sizes": [10, 1000],
                "server_logs": logs,
            }
        )
    )
    _, result = timed(
        [str(python_of(project)), str(BENCHMARKS / "sql_count.py"), str(spec)], env=child_env()
    )
    return json.loads(result.stdout)


# ------------------------------------------------------------------------- report


def paired_ratios(
    ours: Sequence[dict[str, Any]], reference: Sequence[dict[str, Any]], key: str = "rps"
) -> tuple[float, float, float]:
    """Median, lowest and highest of ours/reference over the rounds, round by round.

    The apps of one round run back to back, so a round's ratio compares them under the
    same load on the host; the median of those ratios is steadier on a shared machine
    than the ratio of two medians taken from different moments.
    """
    ratios = [mine[key] / theirs[key] for mine, theirs in zip(ours, reference, strict=True)]
    return median(ratios), min(ratios), max(ratios)


def seconds(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.3f} s"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(figures: dict[str, Any], args: argparse.Namespace) -> str:
    out = []
    meta = figures["meta"]
    out.append("")
    out.append(f"cookiecutter-clean-service benchmarks  ({meta['when']})")
    out.append(
        f"host: {meta['cpus']} CPUs, {meta['python']}, load average before/after: "
        f"{meta['load_before']} / {meta['load_after']}"
    )
    out.append("timed commands run with bytecode caches (PYTHONDONTWRITEBYTECODE is not passed on)")
    timings: list[Timing] = figures["timings"]
    if timings:
        out.append("")
        out.append(
            f"{'Whole process':42} {'median':>9} {'min':>9} {'max':>9} {'runs':>5}  {'target':>9}"
        )
        for timing in timings:
            target = timing.target
            target_text = ""
            if target is not None and timing.runs:
                target_text = f"<= {target:.2f} s {verdict(timing.median <= target)}"
            out.append(
                f"{timing.label:42} {seconds(timing.median):>9} "
                f"{seconds(min(timing.runs) if timing.runs else float('nan')):>9} "
                f"{seconds(max(timing.runs) if timing.runs else float('nan')):>9} "
                f"{len(timing.runs):>5}  {target_text}"
                + (f"  [{timing.note}]" if timing.note else "")
            )
    load = figures["load"]
    if load:
        out.append("")
        out.append(
            f"Load: {args.connections} connections, keep-alive, {args.duration:g} s "
            f"(max {args.max_requests} requests) after {args.warmup:g} s warm-up, "
            f"median of {args.rounds} round(s); {figures['load_tool']}; uvicorn, "
            "1 worker, --no-access-log"
        )
        out.append(
            f"{'database':11}{'endpoint':21}{'app':14}{'req/s':>9}{'p50 ms':>9}"
            f"{'p99 ms':>9}{'requests':>10}{'server CPU/req':>16}  errors"
        )
        ratio_lines = []
        for database, by_endpoint in load.items():
            for endpoint, by_app in by_endpoint.items():
                rps = {}
                cpu = {}
                for app, rounds in by_app.items():
                    if not rounds:
                        continue
                    rps[app] = median([r["rps"] for r in rounds])
                    cpu[app] = median([r["server_cpu_us"] for r in rounds])
                    bad = sum(
                        count
                        for status, count in (
                            (s, c) for r in rounds for s, c in r["statuses"].items()
                        )
                        if not status.startswith("2")
                    )
                    bad += sum(sum(r["errors"].values()) for r in rounds)
                    out.append(
                        f"{database:11}{endpoint:21}{app:14}{rps[app]:9.0f}"
                        f"{median([r['p50_ms'] for r in rounds]):9.1f}"
                        f"{median([r['p99_ms'] for r in rounds]):9.1f}"
                        f"{sum(r['requests'] for r in rounds):10d}"
                        f"{median([r['server_cpu_us'] for r in rounds]):13.0f} us"
                        f"  {bad or ''}"
                    )
                if "ours" in rps and len(rps) > 1:
                    line = f"{database:11}{endpoint:21}"
                    for reference, target in (("(a) sync", "ratio_a"), ("(b) async", "ratio_b")):
                        if reference in rps:
                            ratio, low, high = paired_ratios(by_app["ours"], by_app[reference])
                            line += (
                                f"{ratio:7.2f} {low:.2f}-{high:.2f} "
                                f"{verdict(ratio >= TARGETS[target]):7}"
                            )
                        else:
                            line += f"{'-':>7} {'':10}{'':7}"
                    if "(b) async" in cpu:
                        cpu_ratio, _, _ = paired_ratios(
                            by_app["ours"], by_app["(b) async"], key="server_cpu_us"
                        )
                        line += f"{cpu_ratio:10.2f}"
                    ratio_lines.append(line)
        out.append("")
        out.append(
            "Ratios (req/s): median over the rounds of each round's ratio, then the rounds'"
            " lowest-highest"
        )
        out.append(
            f"{'':32}{'ours/(a)':>17} {'>=2.0':7}{'ours/(b)':>17} {'>=0.9':7}"
            f"{'CPU/req ours/(b)':>18}"
        )
        out.extend(ratio_lines)
    counts = figures["sql"]
    if counts:
        out.append("")
        out.append(
            "SQL statements per request: cursor executions seen by a before_cursor_execute "
            "listener, in process"
        )
        out.append(
            "  (PostgreSQL: [n] = statements the server logged, with the driver's BEGIN/ROLLBACK "
            "and pool pings)"
        )

        def shown(entry: dict[str, Any]) -> str:
            server = f" [{entry['server']}]" if "server" in entry else ""
            return f"{entry['count']}{server}"

        for database, result in counts.items():
            listing = ", ".join(
                f"{size} transfers: {shown(entry)} ({entry['lines']} lines)"
                for size, entry in result["list_transfers"].items()
            )
            out.append(f"  {database:11} GET /accounts/{{id}}/transfers?limit=100  {listing}")
            for key, label in (
                ("get_account", "GET /accounts/{id}"),
                ("post_transfer", "POST /transfers"),
            ):
                per_app = "  ".join(f"{app} {shown(entry)}" for app, entry in result[key].items())
                out.append(f"  {database:11} {label:40} {per_app}")
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer runs and shorter load runs (about a third of the time)",
    )
    parser.add_argument("--bake-runs", type=int, help="bakes timed (default 5; quick 3)")
    parser.add_argument("--unit-runs", type=int, help="unit-tier runs (default 5; quick 3)")
    parser.add_argument("--contract-runs", type=int, help="contract-tier runs (default 3; quick 1)")
    parser.add_argument("--rounds", type=int, help="load rounds per app (default 5; quick 1)")
    parser.add_argument(
        "--duration", type=float, help="seconds measured per load run (default 3; quick 2)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        help="seconds of warm-up before each load run (default 1; quick 0.5)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=50_000,
        help="requests per load run at most (default 50000)",
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument(
        "--skip", default="", help="comma-separated parts to skip: bake, tests, load, sql"
    )
    parser.add_argument(
        "--load-tool",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="wrk when installed (auto), else the bundled loadgen.py",
    )
    parser.add_argument(
        "--apps",
        default="ours,a,b,c",
        help="comma-separated apps to load: ours, a (flat sync), b (flat async), "
        "c (flat async on aiosqlite, SQLite only)",
    )
    parser.add_argument(
        "--project",
        type=Path,
        help="measure this already baked and synced project instead of baking one "
        "(for trying a change to the generated code)",
    )
    parser.add_argument("--json", type=Path, help="also write every raw figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    defaults = {
        "bake_runs": (5, 3),
        "unit_runs": (5, 3),
        "contract_runs": (3, 1),
        "rounds": (5, 1),
        "duration": (3.0, 2.0),
        "warmup": (1.0, 0.5),
    }
    for name, (normal, quick) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else normal)
    args.databases = [d for d in args.databases.split(",") if d]
    args.skip = {s for s in args.skip.split(",") if s}
    names = {"ours": "ours", "a": "(a) sync", "b": "(b) async", "c": "(c) aiosqlite"}
    args.apps = [names[a] for a in args.apps.split(",") if a in names]
    unknown = set(args.databases) - set(DATABASES)
    if unknown:
        parser.error(f"unknown database {', '.join(sorted(unknown))}")
    return args


def load_average() -> str:
    with contextlib.suppress(OSError):
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    return "?"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    figures: dict[str, Any] = {
        "meta": {
            "when": time.strftime("%Y-%m-%d %H:%M"),
            "cpus": os.cpu_count(),
            "python": f"Python {platform.python_version()}",
            "load_before": load_average(),
        },
        "timings": [],
        "load": {},
        "sql": {},
        "load_tool": "",
    }
    work = Path(tempfile.mkdtemp(prefix="clean-service-bench-"))
    try:
        if "bake" not in args.skip:
            log(f"bake time: {args.bake_runs} bakes")
            figures["timings"].extend(bake_times(args.bake_runs))
        if args.project:
            project = args.project.resolve()
        else:
            log("baking and installing the default project")
            _, project = bake(work / "project")
            sync_seconds, _ = timed(["uv", "sync", "-q"], cwd=project, env=child_env())
            figures["timings"].append(
                Timing("uv sync (shared cache; 1 run, not a target)", [sync_seconds])
            )
        package = next(path.name for path in (project / "src").iterdir() if path.is_dir())
        if not {"load", "sql"} <= args.skip:
            drivers = [PSYCOPG] if "postgresql" in args.databases else []
            drivers += [AIOSQLITE] if "(c) aiosqlite" in args.apps else []
            if drivers:
                timed(
                    ["uv", "pip", "install", "-q", "--python", str(python_of(project)), *drivers],
                    env=child_env(),
                )
        if "tests" not in args.skip:
            log(f"test tiers: unit x{args.unit_runs}, contract x{args.contract_runs}")
            figures["timings"].append(test_tier(project, "unit", args.unit_runs, warm_up=True))
            figures["timings"].append(
                test_tier(project, "contract", args.contract_runs, warm_up=False)
            )
        with contextlib.ExitStack() as stack:
            postgres = None
            if "postgresql" in args.databases and not {"load", "sql"} <= args.skip:
                log("starting a throwaway PostgreSQL")
                postgres = stack.enter_context(postgres_server())
            if "load" not in args.skip:
                tool = load_tool(args.load_tool)
                figures["load_tool"] = "wrk" if tool == "wrk" else "loadgen.py (asyncio)"
                account_ids = [
                    str(uuid.UUID(int=random.Random(index).getrandbits(128)))
                    for index in range(ACCOUNTS)
                ]
                for kind in args.databases:
                    database = Database(
                        kind, work / kind, project, postgres if kind == "postgresql" else None
                    )
                    database.work.mkdir()
                    database.create(account_ids)
                    figures["load"][kind] = measure_load(database, package, account_ids, args, tool)
            if "sql" not in args.skip:
                log("counting SQL statements per request")
                urls = {}
                for kind in args.databases:
                    if kind == "sqlite":
                        urls[kind] = f"sqlite:///{work / 'sql_count.db'}"
                    elif postgres is not None:
                        postgres.sql("CREATE DATABASE bench_sql_count")
                        postgres.sql("ALTER DATABASE bench_sql_count SET log_statement = 'all'")
                        urls[kind] = postgres.url("bench_sql_count")
                logs = {"postgresql": str(postgres.log)} if postgres is not None else {}
                figures["sql"] = count_statements(project, package, urls, logs, work)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    figures["meta"]["load_after"] = load_average()
    print(report(figures, args))
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    if args.json:
        raw = {**figures, "timings": [timing.__dict__ for timing in figures["timings"]]}
        args.json.write_text(json.dumps(raw, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
