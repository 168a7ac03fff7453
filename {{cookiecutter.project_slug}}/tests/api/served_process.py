"""A real ``serve`` process, for the tests that must see what an operator sees: its log.

Started with this interpreter and package, in a folder without ``.env``, with only the
settings a test names (and the tests' signing key); stopped with SIGTERM, as a platform
stops it, so its shutdown is in the log too.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from {{ cookiecutter.package_name }}.settings import Settings
from tests.api.tokens import SIGNING_KEY

PACKAGE = "{{ cookiecutter.package_name }}"
START_TIMEOUT_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(directory: Path, log: Path, **settings: str) -> Iterator[str]:
    """The base URL of ``serve`` running with ``settings`` (``DATABASE_URL="..."``),
    once it answers; everything it writes goes to ``log``."""
    port = free_port()
    ours = {name.upper() for name in Settings.model_fields}
    inherited = {name: value for name, value in os.environ.items() if name.upper() not in ours}
    environment = inherited | {
        "AUTH_DEV_SIGNING_KEY": SIGNING_KEY,
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        **settings,
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
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_live(base_url, server, log)
            yield base_url
        finally:
            server.terminate()
            server.wait(timeout=START_TIMEOUT_SECONDS)


def _wait_until_live(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/health/live", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"serve did not answer within {START_TIMEOUT_SECONDS} s:\n{log.read_text()}")
