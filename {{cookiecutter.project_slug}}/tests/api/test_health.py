"""Readiness says whether this process should get traffic, and why not.

It measures the database on a connection of its own (a saturated request pool is no
reason to take every replica out at once), refuses a schema behind this release's
migrations or a database nobody migrated, accepts a newer schema (a rolling deploy
migrates first), and turns 503 as soon as shutdown begins. Requests that cannot get a
pooled connection in time, or whose database went away, get 503 with ``Retry-After``
instead of waiting for the request deadline; the app recovers by itself, with no restart.

The requests here go to the tests' ``/notes`` (``tests/api/notes.py``), which writes and
reads through the app's own pool: the service starts with no route of its own that does.
"""

import asyncio
import contextlib
import dataclasses
import sqlite3
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine, create_probe_engine
from {{ cookiecutter.package_name }}.adapters.sql.health import DatabaseProbe
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.bootstrap import (
    bootstrap,
    create_app,
    http_app,
    service_database_url,
    session_bounds,
)
from {{ cookiecutter.package_name }}.settings import Settings
from tests.api.api_client import running
from tests.api.notes import with_notes, write
from tests.api.tokens import api_settings, as_owner
from tests.postgres_server import Postgres, PostgresServer

FAST_FAIL_SECONDS = 3.0
"""Generous bound for "fails fast": far below a client's patience, far above a 503's cost."""


def notes_app(settings: Settings) -> FastAPI:
    """The app ``create_app`` builds from ``settings`` (a request pool, and a probe on an
    engine of its own), with ``/notes`` over that same pool."""
    url = service_database_url(settings)
    engine = create_engine(
        url,
        pool_size=settings.database_pool_size,
        connect_timeout=settings.database_connect_timeout_seconds,
        pool_timeout=settings.database_pool_timeout_seconds,
        bounds=session_bounds(settings),
    )
    probe_engine = create_probe_engine(url, timeout=settings.readiness_timeout_seconds)
    head, known = migrator.revisions()
    probe = DatabaseProbe(
        probe_engine, timeout=settings.readiness_timeout_seconds, head=head, known=known
    )
    unit_of_work = SqlUnitOfWorkFactory(engine)
    service = bootstrap(settings, unit_of_work=unit_of_work)
    service = dataclasses.replace(
        service,
        readiness_probe=probe,
        on_shutdown=[*service.on_shutdown, engine.dispose, probe_engine.dispose],
    )
    return with_notes(http_app(service, settings), unit_of_work)


def set_revision(settings: Settings, revision: str) -> None:
    database = settings.database_url.removeprefix("sqlite+aiosqlite:///")
    with contextlib.closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))


async def readiness(settings: Settings) -> httpx.Response:
    async with running(create_app(settings)) as client:
        return await client.get("/health/ready")


class TestTheSchema:
    async def test_a_database_never_migrated_is_not_ready_and_says_so(self, tmp_path: Path) -> None:
        settings = api_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")

        response = await readiness(settings)

        assert response.status_code == 503
        assert response.json()["error"]["code"] == "storage_not_migrated"
        assert "migrate" in response.json()["error"]["message"]

    async def test_a_request_on_a_database_never_migrated_is_a_bare_500_not_a_503(
        self, tmp_path: Path
    ) -> None:
        """A 503 would invite retries that cannot succeed until someone migrates."""
        settings = api_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
        app = notes_app(settings)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://test") as client,
        ):
            read = await client.get(f"/notes/{uuid.uuid4()}", headers=as_owner())

        assert read.status_code == 500
        assert read.json() == {
            "error": {
                "code": "internal_error",
                "message": "the server could not handle the request",
            }
        }

    async def test_a_schema_behind_this_release_is_not_ready(self, settings: Settings) -> None:
        head, known = migrator.revisions()
        [older, *_] = sorted(known - {head})
        set_revision(settings, older)

        response = await readiness(settings)

        assert response.status_code == 503
        assert older in response.json()["error"]["message"]

    async def test_a_schema_at_this_release_s_head_is_ready(self, settings: Settings) -> None:
        assert (await readiness(settings)).status_code == 200

    async def test_a_schema_newer_than_this_release_is_ready(self, settings: Settings) -> None:
        """The next release migrated first, as a rolling deploy does: this one keeps serving."""
        set_revision(settings, "9999")

        assert (await readiness(settings)).status_code == 200


class TestShutdown:
    async def test_readiness_turns_503_as_soon_as_shutdown_begins(self, settings: Settings) -> None:
        app = create_app(settings)
        async with running(app) as client:
            before = await client.get("/health/ready")
            app.state.shutdown.begin()
            after = await client.get("/health/ready")
            live = await client.get("/health/live")

        assert before.status_code == 200
        assert after.status_code == 503
        assert after.json()["error"]["code"] == "shutting_down"
        assert live.status_code == 200, "the process is alive while it drains"


class TestASaturatedPool:
    async def test_readiness_answers_and_requests_get_503_with_retry_after(
        self, settings: Settings
    ) -> None:
        """The only pooled connection is held by a write waiting for SQLite's write lock,
        which another process holds: the probe, on its own connection, still says ready;
        a read that needs the pool gets 503 ``storage_unavailable`` with ``Retry-After``
        once the pool's wait is over, long before the request deadline."""
        busy = settings.model_copy(
            update={"database_pool_size": 1, "database_pool_timeout_seconds": 0.3}
        )
        database = settings.database_url.removeprefix("sqlite+aiosqlite:///")
        async with running(notes_app(busy)) as client:
            with contextlib.closing(sqlite3.connect(database, isolation_level=None)) as other:
                other.execute("BEGIN IMMEDIATE")  # another process's writer holds the lock
                waiting = asyncio.create_task(write(client, key="held"))
                await asyncio.sleep(0.2)  # let it take the pool's only connection
                ready = await client.get("/health/ready")
                read = await client.get(f"/notes/{uuid.uuid4()}", headers=as_owner())
                other.execute("ROLLBACK")
            await waiting

        assert ready.status_code == 200
        assert read.status_code == 503
        assert read.json()["error"]["code"] == "storage_unavailable"
        assert read.headers["Retry-After"] == "1"


class TestADatabaseOutage:
    """The database goes away under a running app, then comes back (a real PostgreSQL)."""

    @pytest.fixture
    def server(self, postgres: Postgres) -> PostgresServer:
        if postgres.server is None:
            pytest.skip("TEST_DATABASE_URL names a shared server; this test must stop its own")
        return postgres.server

    @pytest.fixture
    async def outage_client(self, postgres: Postgres) -> AsyncIterator[httpx.AsyncClient]:
        url = await postgres.create_database()
        settings = api_settings(database_url=url, readiness_timeout_seconds=1.0)
        async with running(notes_app(settings)) as client:
            yield client
        await postgres.drop_database(url)

    async def test_readiness_and_requests_follow_the_database_down_and_up(
        self, outage_client: httpx.AsyncClient, server: PostgresServer
    ) -> None:
        client = outage_client
        note = f"/notes/{uuid.uuid4()}"
        assert (await write(client)).status_code == 201
        assert (await client.get("/health/ready")).status_code == 200

        await asyncio.to_thread(server.stop)
        try:
            async with asyncio.timeout(FAST_FAIL_SECONDS):
                ready = await client.get("/health/ready")
            async with asyncio.timeout(FAST_FAIL_SECONDS):
                read = await client.get(note, headers=as_owner())
        finally:
            await asyncio.to_thread(server.start)

        assert ready.status_code == 503
        assert read.status_code == 503
        assert read.json()["error"]["code"] == "storage_unavailable"
        for _ in range(300):
            if (await client.get("/health/ready")).status_code == 200:
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the app did not become ready again within 30 s of the database's return")
        assert (await client.get(note, headers=as_owner())).status_code == 404, "reads again"
