"""Create the engine: SQLAlchemy's ``AsyncEngine`` for both backends. Nothing here runs at
import time.

PostgreSQL runs on asyncpg. SQLite runs on aiosqlite, which gives each connection a thread
of its own, so no SQLite call ever runs on (or blocks) the event loop's thread, not even a
wait for another process's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

SQLITE_DRIVER = "sqlite+aiosqlite"


@dataclass(frozen=True, slots=True)
class SessionBounds:
    """How long a PostgreSQL session may wait or work; each ends its statement (or its
    idle transaction) with an error instead of holding a connection and locks forever."""

    statement_timeout: float
    """Seconds a statement may run."""
    lock_timeout: float
    """Seconds a statement may wait for a lock; a timeout is retried like a deadlock."""
    idle_in_transaction_timeout: float
    """Seconds a transaction may sit idle (a stuck client) before the server ends it."""

    def server_settings(self) -> dict[str, str]:
        """Set once per connection by asyncpg's ``server_settings``: no round trip a request."""
        return {
            "statement_timeout": _milliseconds(self.statement_timeout),
            "lock_timeout": _milliseconds(self.lock_timeout),
            "idle_in_transaction_session_timeout": _milliseconds(self.idle_in_transaction_timeout),
        }


def _milliseconds(seconds: float) -> str:
    return f"{round(seconds * 1000)}ms"


SQLITE_BUSY_TIMEOUT_SECONDS = 5.0
"""How long a SQLite writer waits for another *process* to release the write lock.

The wait happens in the connection's own thread, so the event loop keeps serving
meanwhile. Past it the unit of work fails with ``ConcurrencyConflict`` and the use case
runs it again (``usecases/retry.py``).
"""
BEGIN_IMMEDIATELY = "begin_immediately"
"""Execution option of SQLite writers: their transaction takes the write lock at once."""


def create_engine(
    database_url: str,
    *,
    pool_size: int = 10,
    connect_timeout: float = 5.0,
    pool_timeout: float = 30.0,
    bounds: SessionBounds | None = None,
) -> AsyncEngine:
    """An engine for ``database_url``; SQLite gets WAL, a busy timeout and real transactions.

    The pool is fixed (``max_overflow=0``): requests beyond it wait for a free connection,
    at most ``pool_timeout`` seconds, instead of opening new ones under load, which also
    protects the server. PostgreSQL sessions get ``bounds`` (none: the server's defaults,
    right for migrations, whose statements may rightly take long).
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url, pool_size, pool_timeout)
    connect_args: dict[str, Any] = {"timeout": connect_timeout}
    if bounds is not None:
        connect_args["server_settings"] = bounds.server_settings()
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=pool_timeout,
        connect_args=connect_args,
    )


def with_password(database_url: str, password: str | None) -> str:
    """``database_url`` with ``password`` set, so the password can live in a secret
    setting of its own instead of in the URL."""
    if password is None:
        return database_url
    return make_url(database_url).set(password=password).render_as_string(hide_password=False)


def create_probe_engine(database_url: str, *, timeout: float) -> AsyncEngine:
    """An engine of its own for the readiness probe: no pool, a connection per probe.

    Borrowing from the request pool would mark every replica "not ready" at once when
    requests saturate it, though the database is fine; a probe must measure the database.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        url = url.set(drivername=SQLITE_DRIVER)
    return create_async_engine(url, poolclass=NullPool, connect_args={"timeout": timeout})


def writers_of(engine: AsyncEngine) -> AsyncEngine:
    """The same engine (and pool) for units of work that write.

    On SQLite their transactions begin with ``BEGIN IMMEDIATE``: the write lock is taken
    before the first read, so what a writer reads cannot change before it writes (SQLite's
    ``SELECT ... FOR UPDATE``). Elsewhere the option means nothing.
    """
    return engine.execution_options(**{BEGIN_IMMEDIATELY: True})


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def _create_sqlite_engine(url: URL, pool_size: int, pool_timeout: float) -> AsyncEngine:
    """SQLite on aiosqlite; ``sqlite:///file.db`` is read as ``sqlite+aiosqlite:///file.db``."""
    url = url.set(drivername=SQLITE_DRIVER)
    in_memory = url.database in (None, "", ":memory:")
    pool: dict[str, Any] = {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": pool_timeout}
    if in_memory:
        pool = {}  # one connection, the database itself: SQLAlchemy's default pool for it
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}, **pool)
    _let_sqlalchemy_begin_transactions(engine)
    return engine


def _let_sqlalchemy_begin_transactions(engine: AsyncEngine) -> None:
    """SQLAlchemy's documented recipe for SQLite: the unit of work decides where a
    transaction begins, not the sqlite3 module (which begins late, and never for reads).

    Every transaction then begins with its first statement, so a unit of work reads one
    consistent snapshot; writers begin theirs with ``BEGIN IMMEDIATE`` (``writers_of``),
    and readers with a plain ``BEGIN``, which under WAL takes no lock and never waits.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the sqlite3 module begins nothing itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers and a writer at the same time
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint, under WAL
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writing = connection.get_execution_options().get(BEGIN_IMMEDIATELY, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
