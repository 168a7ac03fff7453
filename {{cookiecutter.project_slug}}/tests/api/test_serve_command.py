"""``serve`` hands uvicorn the app it built, with the address, logging and shutdown from
settings, and readiness turns 503 the moment uvicorn is told to stop.

With ``--workers N``, or ``WEB_CONCURRENCY`` (which some platforms set for you), it runs
N worker processes on one port instead: uvicorn's supervisor spawns them, each builds
its own app, relay and connections from the same settings, and SIGTERM to the parent
stops them all, each shutting down as one process does.
"""

import argparse
import contextlib
import logging
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from {{ cookiecutter.package_name }} import __main__ as command_line
from {{ cookiecutter.package_name }}.adapters.http.server import (
    GracefulServer,
    tell_on_stop_signals,
)
from {{ cookiecutter.package_name }}.settings import Settings
from tests.api.served_process import serving

STOP_SECONDS = 30.0


def arguments(*given: str) -> argparse.Namespace:
    return command_line.parser().parse_args(["serve", *given])


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[GracefulServer]:
    """The one-process servers ``serve`` built (instead of running them)."""
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    seen: list[GracefulServer] = []

    def run(server: GracefulServer) -> None:
        seen.append(server)

    monkeypatch.setattr(GracefulServer, "run", run)
    return seen


@pytest.fixture
def supervised(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What ``serve`` asked uvicorn's supervisor of workers for (instead of running it)."""
    seen: list[dict[str, Any]] = []

    def run(app: str, **options: Any) -> None:
        seen.append({"app": app, **options})

    monkeypatch.setattr(uvicorn, "run", run)
    return seen


def test_serve_runs_the_app_on_the_configured_address(
    settings: Settings, served: list[GracefulServer]
) -> None:
    command_line.serve(settings.model_copy(update={"port": 8123}), arguments())

    [server] = served
    assert isinstance(server.config.app, FastAPI)
    assert server.config.host == settings.host
    assert server.config.port == 8123
    assert server.config.access_log == settings.access_log


def test_in_flight_requests_get_the_configured_grace_period(
    settings: Settings, served: list[GracefulServer]
) -> None:
    command_line.serve(settings.model_copy(update={"shutdown_grace_seconds": 7}), arguments())

    assert served[0].config.timeout_graceful_shutdown == 7


def test_the_default_grace_and_drain_fit_kubernetes_default_grace_period() -> None:
    defaults = Settings(_env_file=None)

    assert defaults.shutdown_grace_seconds + defaults.shutdown_drain_seconds < 30


def test_the_stop_signal_tells_the_app_before_uvicorn_starts_draining() -> None:
    begun: list[bool] = []
    server = GracefulServer(
        uvicorn.Config(FastAPI()), on_shutdown_begins=lambda: begun.append(True)
    )

    server.handle_exit(signal.SIGTERM, None)

    assert begun == [True]
    assert server.should_exit, "uvicorn still shuts down as it would"


class TestWorkers:
    def test_workers_run_as_an_app_factory_with_the_same_server_settings(
        self,
        settings: Settings,
        supervised: list[dict[str, Any]],
        served: list[GracefulServer],
    ) -> None:
        """uvicorn refuses workers for an app object: each worker imports the factory."""
        given = settings.model_copy(update={"port": 8124, "shutdown_grace_seconds": 7})

        command_line.serve(given, arguments("--workers", "2"))

        [asked] = supervised
        assert (asked["app"], asked["factory"], asked["workers"]) == (
            command_line.WORKER_APP,
            True,
            2,
        )
        assert (asked["host"], asked["port"]) == (settings.host, 8124)
        assert asked["timeout_graceful_shutdown"] == 7
        assert asked["access_log"] == settings.access_log
        assert served == [], "no server of its own in the parent"

    def test_web_concurrency_sets_the_workers_when_the_flag_is_not_given(
        self,
        settings: Settings,
        supervised: list[dict[str, Any]],
        served: list[GracefulServer],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("WEB_CONCURRENCY", "3")

        command_line.serve(settings, arguments())

        assert [asked["workers"] for asked in supervised] == [3]

    def test_the_flag_wins_over_web_concurrency(
        self,
        settings: Settings,
        supervised: list[dict[str, Any]],
        served: list[GracefulServer],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("WEB_CONCURRENCY", "2")

        command_line.serve(settings, arguments("--workers", "1"))

        assert (len(served), supervised) == (1, [])

    @pytest.mark.parametrize("count", ["0", "-1", "two"])
    def test_a_worker_count_below_one_is_refused(self, count: str) -> None:
        with pytest.raises(SystemExit):
            arguments("--workers", count)

    @pytest.mark.parametrize("count", ["0", "two", ""])
    def test_a_bad_web_concurrency_stops_serve_with_a_sentence(
        self,
        settings: Settings,
        supervised: list[dict[str, Any]],
        served: list[GracefulServer],
        monkeypatch: pytest.MonkeyPatch,
        count: str,
    ) -> None:
        monkeypatch.setenv("WEB_CONCURRENCY", count)

        with pytest.raises(SystemExit, match="cannot start: WEB_CONCURRENCY must be a whole"):
            command_line.serve(settings, arguments())

        assert (served, supervised) == ([], [])

    def test_the_stop_signal_tells_a_workers_app_before_its_server_starts_draining(
        self,
    ) -> None:
        """In a worker uvicorn runs its own server: the factory puts the app's first step
        in front of the server's signal handler, as ``GracefulServer`` does."""
        begun: list[bool] = []
        server = uvicorn.Server(uvicorn.Config(FastAPI()))
        with handled_by(server):
            assert tell_on_stop_signals(lambda: begun.append(server.should_exit))
            handler = signal.getsignal(signal.SIGTERM)
            assert callable(handler)
            handler(signal.SIGTERM, None)

        assert begun == [False], "told before the server began to stop"
        assert server.should_exit, "uvicorn still shuts down as it would"

    def test_outside_a_uvicorn_server_no_signal_handler_is_changed(self) -> None:
        before = signal.getsignal(signal.SIGTERM)

        assert not tell_on_stop_signals(lambda: None)
        assert signal.getsignal(signal.SIGTERM) == before

    @pytest.mark.skipif(
        not Path("/proc/self/fd").is_dir(), reason="finds each worker's connections in /proc"
    )
    def test_web_concurrency_2_starts_two_workers_that_both_answer_and_sigterm_stops_them(
        self, settings: Settings, tmp_path: Path
    ) -> None:
        log = tmp_path / "serve.log"
        with serving(
            tmp_path, log, WEB_CONCURRENCY="2", DATABASE_URL=settings.database_url
        ) as base_url:
            workers = worker_pids(log)
            answered_by = connections_answered_by(base_url, workers)
            ready = httpx.get(f"{base_url}/health/ready", timeout=10.0)
        written = log.read_text()

        assert len(workers) == 2, written
        assert set(answered_by) == set(workers), f"answered by {answered_by}"
        assert ready.status_code == 200
        assert "readiness keeps answering 200" not in written
        for pid in workers:
            assert f"Finished server process [{pid}]" in written, written
            assert not alive(pid), f"worker {pid} outlived its parent"
        assert written.count("Application shutdown complete.") == 2, written


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def handled_by(server: uvicorn.Server) -> Iterator[None]:
    """SIGINT and SIGTERM handled by ``server``, as while it serves; restored after."""
    before = {
        stop_signal: signal.signal(stop_signal, server.handle_exit) for stop_signal in STOP_SIGNALS
    }
    try:
        yield
    finally:
        for stop_signal, handler in before.items():
            signal.signal(stop_signal, handler)


def worker_pids(log: Path) -> list[int]:
    """The workers' process ids, as uvicorn logs them, once both have started."""
    deadline = time.monotonic() + STOP_SECONDS
    while time.monotonic() < deadline:
        started = re.findall(r"Started server process \[(\d+)\]", log.read_text())
        if len(started) >= 2 and log.read_text().count("Application startup complete.") >= 2:
            return [int(pid) for pid in started]
        time.sleep(0.1)
    return []


def sockets_of(pid: int) -> set[str]:
    """The sockets process ``pid`` holds open (``socket:[inode]``)."""
    links: set[str] = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            links.add(os.readlink(fd))
        except OSError:  # closed meanwhile
            continue
    return {link for link in links if link.startswith("socket:")}


def connections_answered_by(base_url: str, workers: list[int]) -> list[int]:
    """Open connections that each get an answer and stay open, until every worker holds
    one (the kernel gives each new connection to whichever worker accepts first): the
    workers that accepted one."""
    before = {pid: sockets_of(pid) for pid in workers}
    clients: list[httpx.Client] = []
    answered_by: set[int] = set()
    try:
        while len(clients) < 100 and answered_by != set(workers):
            client = httpx.Client(base_url=base_url, timeout=10.0)
            clients.append(client)
            assert client.get("/health/live").status_code == 200
            answered_by = {pid for pid in workers if sockets_of(pid) - before[pid]}
    finally:
        for client in clients:
            client.close()
    return sorted(answered_by)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize(
    ("level", "httpx_level"), [("info", logging.WARNING), ("debug", logging.NOTSET)]
)
def test_webhook_deliveries_log_no_line_each_unless_debugging(
    level: str, httpx_level: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpx logs each request it sends at INFO; NOTSET: the root logger's level decides."""
    httpx_logger = logging.getLogger("httpx")
    monkeypatch.setattr(httpx_logger, "level", logging.NOTSET)
    monkeypatch.setattr(logging.getLogger(), "level", logging.getLogger().level)

    command_line.configure_logging(level)

    assert httpx_logger.level == httpx_level
