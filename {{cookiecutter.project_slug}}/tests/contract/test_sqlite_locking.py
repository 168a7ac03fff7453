"""SQLite has one write lock per database: writers take it first, readers never.

Another process is stood in for by a plain ``sqlite3`` connection to the same file that
does not wait (``timeout=0``); ``tests/api/test_sqlite_write_lock.py`` uses a real one.
A writing unit of work must hold the write lock from its start, before its first read
(``BEGIN IMMEDIATE``), so the reads it bases its writes on cannot go stale. A read-only
one must hold nothing, so it never delays a writer.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import pytest
from sqlalchemy import event, make_url

{% if cookiecutter.example == "ledger" %}from {{ cookiecutter.package_name }}.domain.errors import AccountNotFound
from {{ cookiecutter.package_name }}.domain.ids import new_account_id
from tests.contract.implementations import Storage, sqlite_only
from tests.contract.ledger import account, balances, store, transfer
{% else %}from tests.contract.implementations import Storage, sqlite_only
from tests.contract.material import minutes, store
from tests.contract.outbox import notice
{% endif %}

@contextmanager
def another_process(storage: Storage) -> Iterator[sqlite3.Connection]:
    assert storage.database_url is not None
    path = make_url(storage.database_url).database
    assert path is not None
    with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as connection:
        yield connection


def try_to_write(connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("ROLLBACK")


@sqlite_only
async def test_a_writing_unit_of_work_holds_the_write_lock_from_its_start(
    storage: Storage,
) -> None:
    async with storage.unit_of_work() as uow:
{% if cookiecutter.example == "ledger" %}        with pytest.raises(AccountNotFound):
            await uow.accounts.get(new_account_id())  # a read, no write yet
{% else %}        await uow.outbox.backlog()  # a read, no write yet
{% endif %}
        with another_process(storage) as other, pytest.raises(sqlite3.OperationalError) as error:
            try_to_write(other)

    assert "locked" in str(error.value)


@sqlite_only
async def test_a_read_only_unit_of_work_holds_no_lock(storage: Storage) -> None:
    async with storage.unit_of_work(read_only=True) as uow:
{% if cookiecutter.example == "ledger" %}        with pytest.raises(AccountNotFound):
            await uow.accounts.get(new_account_id())
{% else %}        await uow.outbox.backlog()
{% endif %}
        with another_process(storage) as other:
            try_to_write(other)  # does not raise "database is locked"


@sqlite_only
async def test_no_statement_runs_on_the_event_loop_thread(storage: Storage) -> None:
    assert storage.engine is not None
    threads: set[int] = set()

    def record(_statement: str) -> None:
        threads.add(threading.get_ident())  # SQLite calls this in the thread that runs it

    def trace(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.run_async(lambda driver: driver.set_trace_callback(record))

    await storage.engine.dispose()  # new connections from here on, each traced
    event.listen(storage.engine.sync_engine, "connect", trace)
    try:
{% if cookiecutter.example == "ledger" %}        source, destination = account(500), account()
        await store(storage.unit_of_work, [source, destination], [transfer(source, destination)])
        await balances(storage.unit_of_work, source.id, destination.id)
{% else %}        await store(storage.unit_of_work, notices=[notice(minutes(n), n) for n in range(3)])
        async with storage.unit_of_work(read_only=True) as uow:
            await uow.outbox.backlog()
{% endif %}    finally:
        event.remove(storage.engine.sync_engine, "connect", trace)

    assert threads, "no statement was seen"
    assert threading.get_ident() not in threads
