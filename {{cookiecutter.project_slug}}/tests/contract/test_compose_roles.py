"""compose.yaml's database creates the service's login, with data rights only.

The postgres image runs ``deploy/postgres/create-service-login.sh`` once, when compose
creates its volume. Run here with ``psql`` against a throwaway server, before the
migrations, as compose does: the login it creates then runs the service's writes and is
refused a change to an audit entry.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import ProgrammingError

from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from tests.contract.implementations import Storage, postgresql_only
from tests.postgres_server import Postgres

pytestmark = postgresql_only
SCRIPT = Path(__file__).parents[2] / "deploy" / "postgres" / "create-service-login.sh"
LOGIN = "{{ cookiecutter.package_name }}_app"


def run_init_script(postgres: Postgres, database: str) -> None:
    server = postgres.server
    if server is None:
        pytest.skip("TEST_DATABASE_URL names a shared server; this test creates a login")
    environment = {
        **os.environ,
        "PATH": f"{server.bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(server.port),
        "POSTGRES_USER": "postgres",
        "POSTGRES_DB": database,
        "SERVICE_DB_PASSWORD": "not-a-real-secret",
    }
    shell = shutil.which("sh") or "/bin/sh"
    # The project's own script, with fixed arguments: nothing here comes from outside.
    subprocess.run([shell, str(SCRIPT)], env=environment, check=True, capture_output=True)  # noqa: S603


async def test_the_init_script_s_login_writes_the_ledger_but_not_the_audit_trail(
    storage: Storage, postgres: Postgres
) -> None:
    assert storage.engine is not None
    assert storage.database_url is not None
    url = make_url(storage.database_url)
    assert url.database is not None
    await storage.engine.dispose()  # no pooled connection may hold a table being dropped
    await asyncio.to_thread(migrator.downgrade, storage.database_url, "base")
    run_init_script(postgres, url.database)  # compose: on the new, empty database
    await asyncio.to_thread(migrator.upgrade, storage.database_url)  # then as the owner

    service = create_engine(url.set(username=LOGIN).render_as_string(hide_password=False))
    try:
        async with service.begin() as connection:
            await connection.execute(text("DELETE FROM idempotency_keys"))
        with pytest.raises(ProgrammingError, match="permission denied"):
            async with service.begin() as connection:
                await connection.execute(text("DELETE FROM audit_entries"))
    finally:
        await service.dispose()
