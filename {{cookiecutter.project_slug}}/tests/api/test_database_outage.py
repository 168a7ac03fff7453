"""The database goes away under a running app, then comes back (a real PostgreSQL server).

During the outage: readiness answers 503 and requests fail fast with a 503 JSON error
instead of hanging. Afterwards the app recovers by itself, with no restart.
"""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from {{ cookiecutter.package_name }}.bootstrap import create_app
from tests.api.api_client import balance, open_account
from tests.api.tokens import api_settings, as_owner
from tests.postgres_server import Postgres, PostgresServer

FAST_FAIL_SECONDS = 3.0
"""Generous bound for "fails fast": far below a client's patience, far above a 503's cost."""


@pytest.fixture
def server(postgres: Postgres) -> PostgresServer:
    if postgres.server is None:
        pytest.skip("TEST_DATABASE_URL names a shared server; this test must stop its own")
    return postgres.server


@pytest.fixture
async def client(postgres: Postgres) -> AsyncIterator[httpx.AsyncClient]:
    url = await postgres.create_database()
    settings = api_settings(database_url=url, readiness_timeout_seconds=1.0)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client
    await postgres.drop_database(url)


async def get_fast(
    client: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    async with asyncio.timeout(FAST_FAIL_SECONDS):
        return await client.get(path, headers=headers)


async def wait_until_ready(client: httpx.AsyncClient) -> None:
    for _ in range(300):
        if (await client.get("/health/ready")).status_code == 200:
            return
        await asyncio.sleep(0.1)
    pytest.fail("the app did not become ready again within 30 s of the database's return")


async def test_readiness_and_requests_follow_the_database_down_and_up(
    client: httpx.AsyncClient, server: PostgresServer
) -> None:
    account = await open_account(client)
    assert (await client.get("/health/ready")).status_code == 200

    await asyncio.to_thread(server.stop)
    try:
        ready = await get_fast(client, "/health/ready")
        read = await get_fast(client, f"/accounts/{account['id']}", headers=as_owner())
    finally:
        await asyncio.to_thread(server.start)

    assert ready.status_code == 503
    assert read.status_code == 503
    assert read.json()["error"]["code"] == "storage_unavailable"
    await wait_until_ready(client)
    assert await balance(client, account["id"]) == 0
