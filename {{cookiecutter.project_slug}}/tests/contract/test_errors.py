"""Driver errors never leave an adapter: callers see domain errors, and only those."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import make_url

from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
{% if cookiecutter.example == "ledger" %}from {{ cookiecutter.package_name }}.domain.errors import (
    AccountAlreadyExists,
    DomainError,
    StorageUnavailable,
)
{% else %}from {{ cookiecutter.package_name }}.domain.errors import DomainError, StorageUnavailable
{% endif %}from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
{% if cookiecutter.example == "ledger" %}from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from tests.contract.implementations import Storage, postgresql_only, sql_only
from tests.contract.ledger import OWNER, account, store
{% else %}from tests.contract.implementations import Storage, postgresql_only, sql_only
from tests.contract.material import minutes, store
from tests.contract.outbox import notice
{% endif %}from tests.postgres_server import Postgres, free_port

DOMAIN = DomainError.__module__


async def raised_by(work: Callable[[], Awaitable[object]]) -> DomainError:
    """The error ``work`` raises, checked to be a domain error and nothing else."""
    with pytest.raises(Exception) as raised:  # noqa: PT011 - the point is to catch anything
        await work()
    assert isinstance(raised.value, DomainError), f"a driver error escaped: {raised.value!r}"
    assert type(raised.value).__module__ == DOMAIN
    return raised.value


async def worker_threads_finished(started_before: set[threading.Thread]) -> None:
    """Wait for the threads started since ``started_before`` to end.

    aiosqlite stops a connection that failed to open without waiting for its worker thread
    (omnilib/aiosqlite#259): if the test's event loop closes first, the thread reports to a
    closed loop, and pytest sees an unhandled exception in the next test.
    """
    started = [thread for thread in threading.enumerate() if thread not in started_before]
    for thread in started:
        await asyncio.to_thread(thread.join, 10)


async def read(uow: UnitOfWork) -> None:
    """One statement that reads, and finds nothing."""
{% if cookiecutter.example == "ledger" %}    assert await uow.transfers.list_for_account(account().id, limit=1) == []
{% else %}    assert (await uow.outbox.backlog()).pending == 0
{% endif %}

async def open_and_read(unit_of_work: UnitOfWorkFactory) -> None:
    async with unit_of_work() as uow:
        await read(uow)


{% if cookiecutter.example == "ledger" %}class TestConstraintViolations:
    async def test_an_account_id_taken_raises_account_already_exists(
        self, storage: Storage
    ) -> None:
        taken = account()
        await store(storage.unit_of_work, [taken])

        async def add_again() -> None:
            async with storage.unit_of_work() as uow:
                await uow.accounts.add(taken)

        assert isinstance(await raised_by(add_again), AccountAlreadyExists)

    async def test_a_duplicate_within_one_unit_of_work_is_refused_too(
        self, storage: Storage
    ) -> None:
        twice = account()

        async def add_twice() -> None:
            async with storage.unit_of_work() as uow:
                await uow.accounts.add(twice)
                await uow.accounts.add(twice)

        assert isinstance(await raised_by(add_twice), AccountAlreadyExists)


{% endif %}class TestUnreachableStorage:
    @sql_only
    async def test_a_database_that_cannot_be_reached_raises_storage_unavailable(
        self, storage: Storage
    ) -> None:
        assert storage.database_url is not None
        url = make_url(storage.database_url)
        if url.get_backend_name() == "sqlite":
            url = url.set(database="/nonexistent-folder/{{ cookiecutter.example if cookiecutter.example == "ledger" else "service" }}.db")
        else:
            url = url.set(port=free_port())  # nothing listens there
        engine = create_engine(url.render_as_string(False), connect_timeout=2)
        threads = set(threading.enumerate())
        try:
            error = await raised_by(lambda: open_and_read(SqlUnitOfWorkFactory(engine)))
        finally:
            await engine.dispose()
            if url.get_backend_name() == "sqlite":
                await worker_threads_finished(threads)

        assert isinstance(error, StorageUnavailable)

    @postgresql_only
    async def test_a_connection_the_server_drops_raises_storage_unavailable(
        self, storage: Storage, postgres: Postgres
    ) -> None:
        assert storage.database_url is not None
        database = make_url(storage.database_url).database

        async def dropped_midway() -> None:
            async with storage.unit_of_work() as uow:
                await read(uow)
                await postgres.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
                )
                await read(uow)

        assert isinstance(await raised_by(dropped_midway), StorageUnavailable)
        await open_and_read(storage.unit_of_work)  # the pool recovers on its own

    @postgresql_only
    async def test_a_stopped_server_raises_storage_unavailable(
        self, storage: Storage, postgres: Postgres
    ) -> None:
        server = postgres.server
        if server is None:
            pytest.skip("the server in TEST_DATABASE_URL is not ours to stop")
{% if cookiecutter.example == "ledger" %}        use_cases = UseCases.wired_to(storage.unit_of_work)
{% endif %}        await open_and_read(storage.unit_of_work)  # a pooled connection, soon dead

        await asyncio.to_thread(server.stop)
        try:
{% if cookiecutter.example == "ledger" %}            error = await raised_by(
                lambda: use_cases.open_account(
                    OWNER, OpenAccountRequest("a@example.com", account().currency)
                )
            )
{% else %}            error = await raised_by(
                lambda: store(storage.unit_of_work, notices=[notice(minutes(1))])
            )
{% endif %}        finally:
            await asyncio.to_thread(server.start)

        assert isinstance(error, StorageUnavailable)
        await open_and_read(storage.unit_of_work)  # and works again once the server is back
