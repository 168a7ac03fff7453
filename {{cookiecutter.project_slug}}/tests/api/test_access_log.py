"""``ACCESS_LOG`` decides whether ``serve`` logs each request, on a real server.

The line comes from uvicorn or from the app's own middleware, depending on the options the
project was generated with, and the logging configuration ``serve`` gives uvicorn decides
which loggers write at all: only the served process shows what an operator would read.
"""

from pathlib import Path

import httpx
import pytest

from {{ cookiecutter.package_name }}.settings import Settings
from tests.api.served_process import serving

REQUESTED = "/no-such-page"
"""The one request the test makes once the server is up (it answers 404)."""


def served_log(settings: Settings, directory: Path, *, access_log: bool) -> str:
    """Everything ``serve`` wrote, from its start to its end on SIGTERM, having been sent
    one request to ``REQUESTED``."""
    log = directory / "serve.log"
    settings_given = {"DATABASE_URL": settings.database_url, "ACCESS_LOG": str(access_log).lower()}
    with serving(directory, log, **settings_given) as base_url:
        httpx.get(f"{base_url}{REQUESTED}", timeout=10.0)
    return log.read_text()


@pytest.mark.parametrize("access_log", [True, False])
def test_serve_logs_each_request_once_and_only_when_access_log_is_on(
    settings: Settings, tmp_path: Path, access_log: bool
) -> None:
    written = served_log(settings, tmp_path, access_log=access_log)

    request_lines = [line for line in written.splitlines() if f"GET {REQUESTED}" in line]
    assert len(request_lines) == (1 if access_log else 0), written
