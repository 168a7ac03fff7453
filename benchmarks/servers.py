"""Serving one app for a load run: the generated service as its users run it, or one of
the flat reference apps beside this file, each under uvicorn with the same settings.

The apps measured on each backend:

- **ours**, the generated service, started with its own ``serve`` command.
- **(a) sync** (``reference_sync.py``): flat sync FastAPI + SQLAlchemy, what most services
  look like. Its ratio is the brief's 2x target on PostgreSQL, and shown without one on
  SQLite.
- **(b) async** (``reference_async.py`` on asyncpg): flat async on the service's
  PostgreSQL driver, the floor of what the layers cost there.
- **(c) aiosqlite** (``reference_async.py`` on aiosqlite): the same flat async app on the
  service's SQLite driver, the floor on SQLite.

Every app gets the benchmark's signing key, issuer and audience in its environment
(``credentials.py``), and is ready when it answers an authenticated GET.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from baked_project import BENCHMARKS, BakedProject
from commands import child_env, free_port
from credentials import Credentials

APPS_BY_DATABASE = {
    "sqlite": ("ours", "(a) sync", "(c) aiosqlite"),
    "postgresql": ("ours", "(a) sync", "(b) async"),
}
REFERENCE_MODULES = {
    "(a) sync": "reference_sync",
    "(b) async": "reference_async",
    "(c) aiosqlite": "reference_async",
}
START_SECONDS = 60
STOP_SECONDS = 15
SERVER_SETTINGS = {
    "HOST": "127.0.0.1",
    "ACCESS_LOG": "false",
    "LOG_LEVEL": "warning",
    "SHUTDOWN_DRAIN_SECONDS": "0.5",
}
"""Ours reads these through its settings; uvicorn gets the same as flags for the others."""


class ServerStartError(RuntimeError):
    """An app exited or did not answer while starting; the message has its stderr."""


@dataclass(frozen=True)
class Server:
    port: int
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU the server (all its threads, and its worker processes if it
        has some) has used so far; NaN off Linux."""
        try:
            return sum(process_cpu_seconds(pid) for pid in with_descendants(self.pid))
        except OSError:
            return float("nan")


def process_cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_descendants(pid: int) -> list[int]:
    """``pid`` and its live descendants (``serve --workers N`` spawns N processes)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread or a child gone meanwhile
            for child in (task / "children").read_text().split():
                found += with_descendants(int(child))
    return found


def server_command(app: str, project: BakedProject, port: int, workers: int = 1) -> list[str]:
    """Ours as its users run it (``make run``, the Dockerfile), with ``--workers`` if more
    than one; a reference under uvicorn (one worker)."""
    python = str(project.python)
    if app == "ours":
        several = ["--workers", str(workers)] if workers > 1 else []
        return [python, "-m", project.package, "serve", *several]
    command = [python, "-m", "uvicorn", "--app-dir", str(BENCHMARKS)]
    command += [f"{REFERENCE_MODULES[app]}:app", "--host", "127.0.0.1", "--port", str(port)]
    return [*command, "--no-access-log", "--log-level", "warning"]


@contextlib.contextmanager
def serving(
    app: str,
    project: BakedProject,
    database_url: str,
    ready_path: str,
    credentials: Credentials,
    workers: int = 1,
) -> Iterator[Server]:
    """``app`` on a free loopback port, until the block ends: one worker process unless
    ``workers`` says more (ours only, ``serve --workers``)."""
    port = free_port()
    env = child_env(
        **SERVER_SETTINGS,
        **credentials.settings,
        PORT=str(port),
        DATABASE_URL=database_url,
        SERVICE_PACKAGE=project.package,
    )
    env.pop("WEB_CONCURRENCY", None)  # the host's would set ours' workers (uvicorn reads it)
    # stderr goes to a file, not a pipe: a pipe nobody reads would stall a chatty server.
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            server_command(app, project, port, workers),
            cwd=project.folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
            start_new_session=True,
        )
        try:
            ready = urllib.request.Request(
                f"http://127.0.0.1:{port}{ready_path}", headers=credentials.headers
            )
            wait_until_ready(process, ready, stderr)
            yield Server(port, process.pid)
        finally:
            stop(process)


def wait_until_ready(
    process: subprocess.Popen[str], request: urllib.request.Request, stderr: IO[str]
) -> None:
    """Send ``request`` until it is answered 200; fail with the server's stderr if it
    exits, and at once if it answers with a client error (a token it refuses, say), which
    every request of the load would get too."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr.seek(0)
            raise ServerStartError(f"exited {process.returncode}: {stderr.read().strip()[-2000:]}")
        try:
            with urllib.request.urlopen(request, timeout=2) as reply:
                if reply.status == 200:
                    return
        except urllib.error.HTTPError as error:
            if 400 <= error.code < 500:
                answer = error.read().decode(errors="replace")[:500]
                raise ServerStartError(f"answered {error.code} when ready: {answer}") from None
        except OSError:
            pass  # not listening yet
        time.sleep(0.1)
    raise ServerStartError(f"did not answer {request.full_url} within {START_SECONDS} s")


def stop(process: subprocess.Popen[str]) -> None:
    """Ctrl-C, as a user stops it (a graceful shutdown); killed if it hangs."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
