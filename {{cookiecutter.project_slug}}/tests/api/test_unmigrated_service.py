"""A service started on a database nobody migrated says so, on a real server.

Readiness answers ``503 storage_not_migrated``, saying what to run; a request answers a
bare ``500 internal_error``, not a ``503`` that would invite retries; and the server log
has that request's error once, with the driver's cause ("no such table").
"""

import uuid
from pathlib import Path

import httpx

from tests.api.served_process import serving
from tests.api.tokens import as_owner


def test_an_unmigrated_database_is_not_ready_and_its_errors_are_500s_logged_once(
    tmp_path: Path,
) -> None:
    log = tmp_path / "serve.log"
    database = f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}"
    with serving(tmp_path, log, DATABASE_URL=database) as base_url:
        ready = httpx.get(f"{base_url}/health/ready", timeout=10.0)
        read = httpx.get(f"{base_url}/accounts/{uuid.uuid4()}", headers=as_owner(), timeout=10.0)
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
