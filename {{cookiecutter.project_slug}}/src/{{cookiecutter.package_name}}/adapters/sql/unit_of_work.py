"""SQL implementation of the unit-of-work port in ``domain/ports/unit_of_work.py``.

One unit of work is one connection and one transaction. The repositories it hands out are
bound to that connection, so everything a use case does commits or rolls back together.
The transaction begins with the first statement (SQLAlchemy's autobegin) and ends with
``commit()`` or ``rollback()`` (the next statement begins another), or with a rollback
when the block is left.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Self
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from {{ cookiecutter.package_name }}.adapters.sql.engine import is_sqlite, writers_of
from {{ cookiecutter.package_name }}.adapters.sql.errors import domain_errors
from {{ cookiecutter.package_name }}.adapters.sql.repositories import (
{%- if cookiecutter.example == "ledger" %}
    SqlAccountRepository,
{%- endif %}
    SqlAuditLog,
    SqlIdempotencyRecords,
    SqlOutbox,
{%- if cookiecutter.example == "ledger" %}
    SqlTransferRepository,
{%- endif %}
)
from {{ cookiecutter.package_name }}.domain.errors import OutcomeUnknown, StorageUnavailable
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import (
    UnitOfWork,
    UnitOfWorkFactory,
)


class SqlUnitOfWork(UnitOfWork):
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        read_only: bool = False,
        writer_queue: asyncio.Lock | None = None,
    ) -> None:
        self._engine = engine
        self._read_only = read_only
        self._writer_queue = writer_queue
        self._exit_stack = contextlib.AsyncExitStack()
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        async with contextlib.AsyncExitStack() as stack:
            if self._writer_queue is not None:
                await stack.enter_async_context(self._writer_queue)
            with domain_errors():
                self._connection = await stack.enter_async_context(self._engine.connect())
            self._exit_stack = stack.pop_all()
        connection = self._connection
{%- if cookiecutter.example == "ledger" %}
        self.accounts = SqlAccountRepository(connection)
        self.transfers = SqlTransferRepository(connection)
{%- endif %}
        self.audit_log = SqlAuditLog(connection)
        self.outbox = SqlOutbox(connection)
        self.idempotency = SqlIdempotencyRecords(connection)
        # add_aggregate: repositories
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Closing the connection rolls back what was not committed; then the queue moves on.
        with domain_errors():
            await self._exit_stack.aclose()
        self._connection = None

    async def commit(self) -> None:
        """Commit; a connection lost on the way leaves the outcome unknown, not failed.

        The server may have committed before the connection broke, so the caller is
        never told that nothing was done: ``OutcomeUnknown`` says to retry with the same
        idempotency key. A conflict at commit (a serialization failure) is a definite
        rollback, and stays ``ConcurrencyConflict``.
        """
        try:
            with domain_errors():
                await self._open("commit").commit()
        except StorageUnavailable as lost:
            raise OutcomeUnknown(
                "the database stopped answering while committing: the work may or may not "
                "be done; retry with the same Idempotency-Key to find out"
            ) from lost

    async def rollback(self) -> None:
        with domain_errors():
            await self._open("rollback").rollback()

    def _open(self, method: str) -> AsyncConnection:
        if self._read_only and method == "commit":
            raise RuntimeError("commit() in a read-only unit of work")
        if self._connection is None:
            raise RuntimeError(f"{method}() outside 'async with'")
        return self._connection


class SqlUnitOfWorkFactory(UnitOfWorkFactory):
    """Hands out units of work on one engine; on SQLite, queues this process's writers.

    SQLite lets one transaction write at a time, and a writer that finds the lock taken
    polls for it with growing sleeps, so under concurrent load writers wake up late and
    out of order. Queueing this process's writers on an ``asyncio.Lock`` hands the lock
    over at once, in arrival order. Correctness does not rest on the queue:
    ``BEGIN IMMEDIATE`` serialises writers across processes too. PostgreSQL locks rows,
    so its writers run concurrently.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._writers = writers_of(engine)
        self._queues_writers = is_sqlite(engine)
        self._writer_queues: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            WeakKeyDictionary()
        )

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        if read_only:
            return SqlUnitOfWork(self.engine, read_only=True)
        queue = self._writer_queue() if self._queues_writers else None
        return SqlUnitOfWork(self._writers, writer_queue=queue)

    def _writer_queue(self) -> asyncio.Lock:
        """One queue per event loop: an ``asyncio.Lock`` must not be shared between loops."""
        loop = asyncio.get_running_loop()
        if loop not in self._writer_queues:
            self._writer_queues[loop] = asyncio.Lock()
        return self._writer_queues[loop]
