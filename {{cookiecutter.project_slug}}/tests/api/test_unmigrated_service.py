"""A service started on a database nobody migrated says so, on a real server.

Readiness answers ``503 storage_not_migrated``, saying what to run; a request answers a
bare ``500 internal_error``, not a ``503`` that would invite retries; and the server log
has that request's error once, with the driver's cause ("no such table").
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import BinaryIO

import httpx
import pytest

from {{ cookiecutter.package_name }}.settings import Settings
from tests.api.tokens import SIGNING_KEY, as_owner

PACKAGE = "{{ cookiecutter.package_name }}"
START_TIMEOUT_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve_until_live(
    directory: Path, port: int, output: BinaryIO, log: Path
) -> subprocess.Popen[bytes]:
    ours = {name.upper() for name in Settings.model_fields}
    inherited = {name: value for name, value in os.environ.items() if name.upper() not in ours}
    environment = inherited | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'never-migrated.db'}",
        "AUTH_DEV_SIGNING_KEY": SIGNING_KEY,
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    server = subprocess.Popen(  # noqa: S603 - this interpreter, this package, fixed arguments
        [sys.executable, "-m", PACKAGE, "serve"],
        cwd=directory,  # no .env there
        env=environment,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1.0)
        except httpx.TransportError:
            time.sleep(0.1)
        else:
            return server
    ended = server.poll()
    server.kill()
    why = f"exited with {ended}" if ended is not None else "did not answer in time"
    pytest.fail(f"serve {why}:\n{log.read_text()}")


def test_an_unmigrated_database_is_not_ready_and_its_errors_are_500s_logged_once(
    tmp_path: Path,
) -> None:
    port, log = free_port(), tmp_path / "serve.log"
    with log.open("wb") as output:
        server = serve_until_live(tmp_path, port, output, log)
        try:
            ready = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=10.0)
            read = httpx.get(
                f"http://127.0.0.1:{port}/accounts/{uuid.uuid4()}",
                headers=as_owner(),
                timeout=10.0,
            )
        finally:
            server.terminate()
            server.wait(timeout=START_TIMEOUT_SECONDS)
    written = log.read_text()

    assert ready.status_code == 503
    assert ready.json()["error"]["code"] == "storage_not_migrated"
    assert "migrate" in ready.json()["error"]["message"]
    assert read.status_code == 500
    assert read.json() == {
        "error": {"code": "internal_error", "message": "the server could not handle the request"}
    }
    [request_error] = written.split("Exception in ASGI application")[1:]  # logged once
    assert "no such table: accounts" in request_error.split("INFO:")[0], written
