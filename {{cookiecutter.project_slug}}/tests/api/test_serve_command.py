"""``serve`` hands uvicorn the app it built, with the address, logging and shutdown from
settings, and readiness turns 503 the moment uvicorn is told to stop."""

import argparse
import signal

import pytest
import uvicorn
from fastapi import FastAPI

from {{ cookiecutter.package_name }} import __main__ as command_line
from {{ cookiecutter.package_name }}.adapters.http.server import GracefulServer
from {{ cookiecutter.package_name }}.settings import Settings


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[GracefulServer]:
    """The servers ``serve`` built (instead of running them)."""
    seen: list[GracefulServer] = []

    def run(server: GracefulServer) -> None:
        seen.append(server)

    monkeypatch.setattr(GracefulServer, "run", run)
    return seen


def test_serve_runs_the_app_on_the_configured_address(
    settings: Settings, served: list[GracefulServer]
) -> None:
    command_line.serve(settings.model_copy(update={"port": 8123}), argparse.Namespace())

    [server] = served
    assert isinstance(server.config.app, FastAPI)
    assert server.config.host == settings.host
    assert server.config.port == 8123
    assert server.config.access_log == settings.access_log


def test_in_flight_requests_get_the_configured_grace_period(
    settings: Settings, served: list[GracefulServer]
) -> None:
    command_line.serve(
        settings.model_copy(update={"shutdown_grace_seconds": 7}), argparse.Namespace()
    )

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
