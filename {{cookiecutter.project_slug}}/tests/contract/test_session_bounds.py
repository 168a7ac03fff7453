"""PostgreSQL sessions are bounded: no statement, lock wait or idle transaction holds a
connection (and its locks) for longer than the settings allow, and each bound ends as an
error the service knows how to answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.errors import domain_errors
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.errors import ConcurrencyConflict, StorageUnavailable
{% if cookiecutter.example == "none" %}from {{ cookiecutter.package_name }}.domain.idempotency import IdempotencyKey
{% endif %}from tests.contract.implementations import Storage, postgresql_only
{% if cookiecutter.example == "ledger" %}from tests.contract.ledger import account, store
{% else %}from tests.contract.material import OWNER, T0, minutes
{% endif %}from tests.contract.session_bounds import bounded

pytestmark = postgresql_only
TIGHT = 0.3


@pytest.fixture
async def tight_engine(storage: Storage) -> AsyncIterator[AsyncEngine]:
    assert storage.database_url is not None
    engine = create_engine(
        storage.database_url,
        # A lock wait is a statement too: its own bound must come first to be seen.
        bounds=bounded(
            statement_timeout=TIGHT * 2, lock_timeout=TIGHT, idle_in_transaction_timeout=TIGHT
        ),
    )
    yield engine
    await engine.dispose()


async def test_a_statement_past_its_timeout_is_storage_unavailable(
    tight_engine: AsyncEngine,
) -> None:
    with pytest.raises(StorageUnavailable):
        await run(tight_engine, "SELECT pg_sleep(5)")


async def test_a_lock_wait_past_its_timeout_is_a_conflict_to_retry(
    storage: Storage, tight_engine: AsyncEngine
) -> None:
{% if cookiecutter.example == "ledger" %}    held = account(100)
    await store(storage.unit_of_work, [held])
    async with storage.unit_of_work() as holder:
        await holder.accounts.lock_many([held.id])
        with pytest.raises(ConcurrencyConflict):
            async with SqlUnitOfWorkFactory(tight_engine)() as waiter:
                await waiter.accounts.lock_many([held.id])
{% else %}    """Two units of work update one stored row: the second waits for the first's lock."""
    key = IdempotencyKey(OWNER.subject, "held")
    async with storage.unit_of_work() as uow:
        assert await uow.idempotency.claim(key, "fp", now=T0, expires_at=minutes(60)) is None
        await uow.commit()
    async with storage.unit_of_work() as holder:
        await holder.idempotency.complete(key, "first")
        with pytest.raises(ConcurrencyConflict):
            async with SqlUnitOfWorkFactory(tight_engine)() as waiter:
                await waiter.idempotency.complete(key, "second")
{% endif %}

async def test_a_transaction_left_idle_is_ended_by_the_server(
    tight_engine: AsyncEngine,
) -> None:
    """A stuck caller cannot hold a transaction's locks: the server ends its session."""
    with pytest.raises(StorageUnavailable):
        await run(tight_engine, "SELECT 1", idle=TIGHT * 4, then="SELECT 1")


async def run(engine: AsyncEngine, sql: str, *, idle: float = 0, then: str | None = None) -> None:
    """Run ``sql`` in a transaction through the adapter's error translation; stay idle in
    it for ``idle`` seconds (the stimulus, not a measurement), then run ``then``."""
    with domain_errors():
        async with engine.connect() as connection:
            await connection.execute(text(sql))
            await asyncio.sleep(idle)
            if then is not None:
                await connection.execute(text(then))
