"""SQLite called from the event loop's own thread, behind the async API the adapter uses.

SQLite is a library inside this process, not a server: a statement on a cached page
takes microseconds. The usual async driver, aiosqlite, hands every call (cursor,
execute, fetch, close, rollback) to a helper thread and waits for the answer, so a read
costs four or five thread hops and GIL handovers, more than the query itself; in the
template's benchmarks that made the async service slower than a flat sync one. Here each
call runs the standard ``sqlite3`` module directly, so a request costs what its SQL costs.

This is safe because nothing here waits for long. Writers of this process queue on an
``asyncio.Lock`` before ``BEGIN IMMEDIATE`` (``unit_of_work.py``), so they never wait for
each other inside SQLite; readers never wait under WAL; a writer of *another* process
can hold this one up for at most the short busy timeout (``engine.py``), after which the
unit of work fails with ``ConcurrencyConflict`` and the use case retries it. Connections
are checked out without ever blocking the thread (see ``engine.py``).

Only the calls the adapter, its migrations and its tests make are here, with the names
and signatures of ``AsyncEngine`` / ``AsyncConnection``, so code written against those
runs on either. Transactions begin here too (``InlineTransaction.start``), with the
statement the engine was given (``beginning_with``), rather than in a SQLAlchemy ``begin``
event: any connection event listener makes SQLAlchemy dispatch events around every
statement, about a tenth of a ``GET``. Without ``begin()`` nothing begins: with the sqlite3
module's own transaction handling off (``engine.py``), each statement then reads the
latest commit.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

from sqlalchemy import Connection, CursorResult, Dialect, Engine, Executable

P = ParamSpec("P")
T = TypeVar("T")

BEGIN = "BEGIN"
BEGIN_IMMEDIATE = "BEGIN IMMEDIATE"
"""Takes the write lock when the transaction begins, before its first read."""


class InlineEngine:
    """An engine whose connections run their statements on the calling thread."""

    def __init__(self, sync_engine: Engine, *, begin: str = BEGIN) -> None:
        self.sync_engine = sync_engine
        self._begin = begin

    @property
    def dialect(self) -> Dialect:
        return self.sync_engine.dialect

    def connect(self) -> InlineConnection:
        return InlineConnection(self.sync_engine, begin=self._begin)

    def beginning_with(self, begin: str) -> InlineEngine:
        """A view on the same pool whose transactions begin with the statement ``begin``."""
        return InlineEngine(self.sync_engine, begin=begin)

    async def dispose(self) -> None:
        self.sync_engine.dispose()


class InlineConnection:
    """One pooled connection; ``start()`` or ``async with`` checks it out."""

    def __init__(self, engine: Engine, *, begin: str = BEGIN) -> None:
        self._engine = engine
        self._begin = begin
        self._connection: Connection | None = None

    @property
    def sync_connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("the connection is not started")
        return self._connection

    async def start(self) -> Self:
        self._connection = self._engine.connect()
        return self

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def begin(self) -> InlineTransaction:
        return InlineTransaction(self, self._begin)

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        return self.sync_connection.execute(statement, parameters)

    def in_transaction(self) -> bool:
        return self._connection is not None and self._connection.in_transaction()

    async def commit(self) -> None:
        """Commit the transaction in progress, however it began; without one, do nothing."""
        self.sync_connection.commit()

    async def rollback(self) -> None:
        self.sync_connection.rollback()

    async def run_sync(
        self, function: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        return function(self.sync_connection, *args, **kwargs)

    async def close(self) -> None:
        """Return the connection to the pool, rolling back what was not committed."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class InlineTransaction:
    """The transaction of one ``InlineConnection``; ``start()`` begins it.

    The connection ends it: ``commit()``, ``rollback()``, or ``close()`` (rolls back).
    """

    def __init__(self, connection: InlineConnection, begin: str) -> None:
        self._connection = connection
        self._begin = begin

    async def start(self) -> Self:
        connection = self._connection.sync_connection
        connection.begin()
        connection.exec_driver_sql(self._begin)
        return self
