"""Serving a baked project as ``make run`` does, and signing development tokens for it.

The project migrates, then serves on a free port with the development key the template wrote
into its ``.env``; the SQLite file lives outside the project folder, which the other gate
tests compare with what was baked.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from tests.support.toolchain import Running, Toolchain, start

START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_live(server: Running, url: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        outcome = server.poll()
        assert outcome is None, f"the server exited:\n{outcome and outcome.output}"
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/health/live", timeout=1),
        ):
            return
        time.sleep(0.1)
    pytest.fail(f"the server did not answer {url}/health/live within {START_SECONDS} s")


@contextlib.contextmanager
def serving(project: Path, toolchain: Toolchain, database: Path) -> Iterator[str]:
    """The project served on a free port over the SQLite file ``database``; yields its URL."""
    port = free_port()
    env = {
        **toolchain.env,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "PORT": str(port),
    }
    slug = project.name
    migrated = start(toolchain.tool(slug, "migrate"), project, env, START_SECONDS).wait()
    assert migrated.returncode == 0, migrated.output
    server = start(toolchain.tool(slug, "serve"), project, env, timeout=900)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_live(server, url)
        yield url
    finally:
        server.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.process.wait(timeout=15)
        server.stop()


def dev_tokens(project: Path, toolchain: Toolchain, scopes: Mapping[str, str]) -> dict[str, str]:
    """A token per subject of ``scopes``, with its scope, from the project's ``token``
    command (signed with the ``.env`` key, as ``make run`` serves), the commands side by side."""
    running: dict[str, Running] = {}
    try:
        for subject, scope in scopes.items():
            args = toolchain.tool(project.name, "token", "--subject", subject, "--scope", scope)
            running[subject] = toolchain.start(args, cwd=project, timeout=START_SECONDS)
        outcomes = {subject: command.wait() for subject, command in running.items()}
    finally:
        for command in running.values():
            command.stop()
    for outcome in outcomes.values():
        assert outcome.ok, outcome.report()
    return {subject: outcome.output.splitlines()[-1] for subject, outcome in outcomes.items()}
