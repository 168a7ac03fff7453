"""SQL implementation of the unit-of-work port in ``usecases/unit_of_work.py``.

One unit of work is one connection and one transaction. The repositories it hands out are
bound to that connection, so everything a use case does commits or rolls back together.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self
from weakref import WeakKeyDictionary

from {{ cookiecutter.package_name }}.adapters.sql.engine import SqlConnection, SqlEngine
from {{ cookiecutter.package_name }}.adapters.sql.errors import domain_errors
from {{ cookiecutter.package_name }}.adapters.sql.inline import BEGIN_IMMEDIATE, InlineEngine
from {{ cookiecutter.package_name }}.adapters.sql.repositories import (
    SqlAccountRepository,
    SqlAuditLog,
    SqlOutbox,
    SqlTransferRepository,
)


class SqlUnitOfWork:
    accounts: SqlAccountRepository
    transfers: SqlTransferRepository
    audit_log: SqlAuditLog
    outbox: SqlOutbox

    def __init__(
        self,
        engine: SqlEngine,
        *,
        read_only: bool = False,
        writer_lock: asyncio.Lock | None = None,
        begin_at_start: bool = False,
    ) -> None:
        self._engine = engine
        self._read_only = read_only
        self._writer_lock = writer_lock
        self._begin_at_start = begin_at_start
        self._holds_writer_lock = False
        self._connection: SqlConnection | None = None

    async def __aenter__(self) -> Self:
        if self._writer_lock is not None:
            await self._writer_lock.acquire()
            self._holds_writer_lock = True
        try:
            self._connection = await self._begin()
        except BaseException:
            self._release_writer_lock()
            raise
        connection = self._connection
        self.accounts = SqlAccountRepository(connection)
        self.transfers = SqlTransferRepository(connection)
        self.audit_log = SqlAuditLog(connection)
        self.outbox = SqlOutbox(connection)
        return self

    async def _begin(self) -> SqlConnection:
        """Connect; SQLite writers begin their transaction now, all others at their first
        statement.

        A SQLite writer's ``BEGIN IMMEDIATE`` (``engine.py``) must come before its first
        read. Anywhere else SQLAlchemy begins the transaction with the first statement
        (autobegin) and ``commit()`` ends it: on PostgreSQL an explicit ``begin()`` sends
        nothing more to the server but costs a trip through SQLAlchemy's async bridge
        (measured: 13 us a transaction). Read-only work on SQLite begins nothing at all:
        with the sqlite3 module's own transaction handling off, each statement then reads
        the latest commit, the isolation PostgreSQL gives by default (read committed), and
        a ``BEGIN`` and a ``ROLLBACK`` are saved per request.
        """
        with domain_errors():
            connection = await self._engine.connect().start()
            if not self._begin_at_start:
                return connection
            try:
                await connection.begin().start()
            except BaseException:
                await connection.close()
                raise
        return connection

    def _release_writer_lock(self) -> None:
        if self._holds_writer_lock and self._writer_lock is not None:
            self._holds_writer_lock = False
            self._writer_lock.release()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Closing rolls back what was not committed, in the one round trip it needs.
        try:
            if self._connection is not None:
                with domain_errors():
                    await self._connection.close()
        finally:
            self._release_writer_lock()

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("commit() in a read-only unit of work")
        if self._connection is None:
            raise RuntimeError("commit() outside 'async with'")
        with domain_errors():
            await self._connection.commit()

    async def rollback(self) -> None:
        if self._connection is not None and self._connection.in_transaction():
            with domain_errors():
                await self._connection.rollback()


class SqlUnitOfWorkFactory:
    """Hands out units of work on one engine; on SQLite, queues this process' writers.

    SQLite lets one transaction write at a time. A writer that finds the lock taken
    sleeps and retries in SQLite's busy handler, so under concurrent load writers wake up
    late, out of order, and the slowest wait seconds; and since SQLite runs on the event
    loop's thread here (``inline.py``), that sleep would stop every other request. Queueing
    the writers of this process on an ``asyncio.Lock`` hands the write lock over at once,
    in arrival order, without blocking the loop.
    Correctness does not rest on it: ``BEGIN IMMEDIATE`` still serialises writers, across
    processes too. PostgreSQL locks rows, so its writers run concurrently.
    """

    def __init__(self, engine: SqlEngine) -> None:
        self.engine = engine
        self._writers: SqlEngine = engine
        self._queues_writers = False
        if isinstance(engine, InlineEngine):  # SQLite: one writer at a time, lock taken first
            self._writers = engine.beginning_with(BEGIN_IMMEDIATE)
            self._queues_writers = True
        self._writer_locks: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            WeakKeyDictionary()
        )

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        if read_only:
            return SqlUnitOfWork(self.engine, read_only=True)
        if not self._queues_writers:
            return SqlUnitOfWork(self.engine)
        return SqlUnitOfWork(self._writers, writer_lock=self._writer_lock(), begin_at_start=True)

    def _writer_lock(self) -> asyncio.Lock:
        """One lock per event loop: a lock must not be shared between loops."""
        loop = asyncio.get_running_loop()
        lock = self._writer_locks.get(loop)
        if lock is None:
            lock = self._writer_locks[loop] = asyncio.Lock()
        return lock
