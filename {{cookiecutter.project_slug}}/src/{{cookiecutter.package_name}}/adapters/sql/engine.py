"""Create the engine: SQLAlchemy's ``AsyncEngine`` for both backends. Nothing here runs at
import time.

PostgreSQL runs on asyncpg. SQLite runs on aiosqlite, which gives each connection a thread
of its own, so no SQLite call ever runs on (or blocks) the event loop's thread, not even a
wait for another process's write lock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_DRIVER = "sqlite+aiosqlite"
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
    lock_timeout: float = 5.0,
) -> AsyncEngine:
    """An engine for ``database_url``; SQLite gets WAL, a busy timeout and real transactions.

    The PostgreSQL pool is fixed (``max_overflow=0``): requests beyond it wait for a free
    connection instead of opening new ones under load, which also protects the server.
    Its sessions wait at most ``lock_timeout`` seconds for a lock (PostgreSQL's
    ``lock_timeout``, set once per connection by asyncpg's ``server_settings``): a lock
    held too long fails the statement, which is safe to retry, instead of stalling the
    request up to its deadline.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url, pool_size)
    session = {"lock_timeout": f"{round(lock_timeout * 1000)}ms"}
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        connect_args={"timeout": connect_timeout, "server_settings": session},
    )


def writers_of(engine: AsyncEngine) -> AsyncEngine:
    """The same engine (and pool) for units of work that write.

    On SQLite their transactions begin with ``BEGIN IMMEDIATE``: the write lock is taken
    before the first read, so what a writer reads cannot change before it writes (SQLite's
    ``SELECT ... FOR UPDATE``). Elsewhere the option means nothing.
    """
    return engine.execution_options(**{BEGIN_IMMEDIATELY: True})


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def _create_sqlite_engine(url: URL, pool_size: int) -> AsyncEngine:
    """SQLite on aiosqlite; ``sqlite:///file.db`` is read as ``sqlite+aiosqlite:///file.db``."""
    url = url.set(drivername=SQLITE_DRIVER)
    in_memory = url.database in (None, "", ":memory:")
    pool: dict[str, Any] = {} if in_memory else {"pool_size": pool_size, "max_overflow": 0}
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
