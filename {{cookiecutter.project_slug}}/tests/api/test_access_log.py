"""``ACCESS_LOG`` decides whether ``serve`` logs each request, on a real server.

The line comes from uvicorn or from the app's own middleware, depending on the options the
project was generated with, and the logging configuration ``serve`` gives uvicorn decides
which loggers write at all: only the served process shows what an operator would read.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from {{ cookiecutter.package_name }}.settings import Settings
from tests.api.tokens import SIGNING_KEY

PACKAGE = "{{ cookiecutter.package_name }}"
START_TIMEOUT_SECONDS = 60.0
LIVE = "/health/live"
REQUESTED = "/no-such-page"
"""The one request the test makes once the server is up (it answers 404)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_live(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Until the server answers, for at most ``START_TIMEOUT_SECONDS``."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"serve did not answer within {START_TIMEOUT_SECONDS} s:\n{log.read_text()}")


def served_log(settings: Settings, directory: Path, *, access_log: bool) -> str:
    """Everything ``serve`` wrote, from its start to its end on SIGTERM, having been sent
    one request to ``REQUESTED``."""
    port, log = free_port(), directory / "serve.log"
    ours = {name.upper() for name in Settings.model_fields}
    inherited = {name: value for name, value in os.environ.items() if name.upper() not in ours}
    environment = inherited | {
        "DATABASE_URL": settings.database_url,
        "AUTH_DEV_SIGNING_KEY": SIGNING_KEY,
        "PORT": str(port),
        "ACCESS_LOG": str(access_log).lower(),
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 - this interpreter, this package, fixed arguments
            [sys.executable, "-m", PACKAGE, "serve"],
            cwd=directory,  # no .env there
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_live(f"http://127.0.0.1:{port}{LIVE}", server, log)
            httpx.get(f"http://127.0.0.1:{port}{REQUESTED}", timeout=10.0)
        finally:
            server.terminate()
            server.wait(timeout=START_TIMEOUT_SECONDS)
    return log.read_text()


@pytest.mark.parametrize("access_log", [True, False])
def test_serve_logs_each_request_once_and_only_when_access_log_is_on(
    settings: Settings, tmp_path: Path, access_log: bool
) -> None:
    written = served_log(settings, tmp_path, access_log=access_log)

    request_lines = [line for line in written.splitlines() if f"GET {REQUESTED}" in line]
    assert len(request_lines) == (1 if access_log else 0), written
