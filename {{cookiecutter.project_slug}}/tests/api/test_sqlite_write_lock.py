"""Another process holding SQLite's write lock never stops the service.

{% if cookiecutter.example == "ledger" %}SQLite lets one process write at a time. While another process holds the write lock, the
transfers that need it wait in their connections' own threads (aiosqlite), never on the
event loop: the service keeps answering, and the waiting transfers complete once the
lock is released.
{% else %}SQLite lets one process write at a time. While another process holds the write lock, the
writes that need it (the tests' ``POST /notes``, ``tests/api/notes.py``) wait in their
connections' own threads (aiosqlite), never on the event loop: the service keeps
answering, and the waiting writes complete once the lock is released.
{% endif %}"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy import make_url

{% if cookiecutter.example == "ledger" %}from {{ cookiecutter.package_name }}.settings import Settings
from tests.api.api_client import balance, deposit, open_account, transfer
{% else %}from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.bootstrap import create_app
from {{ cookiecutter.package_name }}.settings import Settings
from tests.api.api_client import client_of
from tests.api.notes import with_notes, write, written
{% endif %}
HOLD_SECONDS = 3.0
PROMPT_SECONDS = 1.0
"""A liveness answer slower than this while the lock is held means the loop stalled.

A stalled loop would answer only when the lock is released, ``HOLD_SECONDS`` later; the
margin is wide so that a busy machine cannot fail the test."""

LOCK_HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


@asynccontextmanager
async def write_lock_held_by_another_process(database: str) -> AsyncIterator[None]:
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LOCK_HOLDER,
        database,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdin is not None
    assert holder.stdout is not None
    try:
        assert await holder.stdout.readline() == b"locked\n"
        yield
    finally:
        holder.stdin.close()  # the holder rolls back and exits
        await holder.wait()


async def liveness_latencies(client: httpx.AsyncClient, seconds: float) -> list[float]:
    latencies = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        started = time.monotonic()
        response = await client.get("/health/live")
        assert response.status_code == 200, response.text
        latencies.append(time.monotonic() - started)
        await asyncio.sleep(0.1)
    return latencies


{% if cookiecutter.example == "ledger" %}async def test_the_service_answers_while_another_process_holds_the_write_lock(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    source, destination = await open_account(client), await open_account(client)
    assert (await deposit(client, source["id"], 1_000)).status_code == 200
    database = make_url(settings.database_url).database
    assert database is not None

    async with write_lock_held_by_another_process(database):
        waiting = [
            asyncio.create_task(transfer(client, source["id"], destination["id"], 10, f"k{n}"))
            for n in range(3)
        ]
        latencies = await liveness_latencies(client, HOLD_SECONDS)
        still_waiting = [not task.done() for task in waiting]
    answers = await asyncio.gather(*waiting)

    assert all(still_waiting), "the transfers waited for the other process's lock"
    assert max(latencies) < PROMPT_SECONDS, f"/health/live stalled: {max(latencies):.2f} s"
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert await balance(client, source["id"]) == 970
{% else %}async def test_the_service_answers_while_another_process_holds_the_write_lock(
    settings: Settings,
) -> None:
    database = make_url(settings.database_url).database
    assert database is not None
    engine = create_engine(settings.database_url)
    unit_of_work = SqlUnitOfWorkFactory(engine)
    app = with_notes(create_app(settings), unit_of_work)

    try:
        async with client_of(app) as client, write_lock_held_by_another_process(database):
            waiting = [
                asyncio.create_task(write(client, f"note {n}", key=f"k{n}")) for n in range(3)
            ]
            latencies = await liveness_latencies(client, HOLD_SECONDS)
            still_waiting = [not task.done() for task in waiting]
        answers = await asyncio.gather(*waiting)
        notes = await written(unit_of_work)
    finally:
        await engine.dispose()

    assert all(still_waiting), "the writes waited for the other process's lock"
    assert max(latencies) < PROMPT_SECONDS, f"/health/live stalled: {max(latencies):.2f} s"
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert notes == 3
{% endif %}