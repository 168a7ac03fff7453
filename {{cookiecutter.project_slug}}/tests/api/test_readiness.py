"""Readiness says whether this process should get traffic, and why not.

It measures the database on a connection of its own (a saturated request pool is no
reason to take every replica out at once), refuses a schema behind this release's
migrations, accepts a newer one (a rolling deploy migrates first), and turns 503 as
soon as shutdown begins. Requests that cannot get a pooled connection in time get 503
with ``Retry-After`` instead of waiting for the request deadline.
"""

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from fastapi import FastAPI

from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.bootstrap import create_app
from {{ cookiecutter.package_name }}.settings import Settings
from tests.api.api_client import client_of, open_account
from tests.api.tokens import api_settings, as_owner


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app), client_of(app) as client:
        yield client


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
        """The only pooled connection is held by a transfer waiting for SQLite's write
        lock, which another process holds: the probe, on its own connection, still says
        ready; a read that needs the pool gets 503 ``storage_unavailable`` with
        ``Retry-After`` once the pool's wait is over, long before the request deadline."""
        busy = settings.model_copy(
            update={"database_pool_size": 1, "database_pool_timeout_seconds": 0.3}
        )
        database = settings.database_url.removeprefix("sqlite+aiosqlite:///")
        async with running(create_app(busy)) as client:
            source, destination = await open_account(client), await open_account(client)
            with contextlib.closing(sqlite3.connect(database, isolation_level=None)) as other:
                other.execute("BEGIN IMMEDIATE")  # another process's writer holds the lock
                waiting = asyncio.create_task(
                    client.post(
                        "/transfers",
                        json={
                            "source_account_id": source["id"],
                            "destination_account_id": destination["id"],
                            "amount_minor_units": 1,
                            "currency": "EUR",
                        },
                        headers=as_owner() | {"Idempotency-Key": "held"},
                    )
                )
                await asyncio.sleep(0.2)  # let it take the pool's only connection
                ready = await client.get("/health/ready")
                read = await client.get(f"/accounts/{source['id']}", headers=as_owner())
                other.execute("ROLLBACK")
            await waiting

        assert ready.status_code == 200
        assert read.status_code == 503
        assert read.json()["error"]["code"] == "storage_unavailable"
        assert read.headers["Retry-After"] == "1"
