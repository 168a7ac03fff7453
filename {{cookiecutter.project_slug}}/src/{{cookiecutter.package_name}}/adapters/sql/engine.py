"""Create the engine, tuned per backend. Nothing here runs at import time.

PostgreSQL gets SQLAlchemy's ``AsyncEngine`` on asyncpg. SQLite gets an ``InlineEngine``
(``inline.py``): the standard ``sqlite3`` module called from the event loop's thread,
with the same async API, because a thread hop per call costs more than SQLite itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import QueuePool, StaticPool

from {{ cookiecutter.package_name }}.adapters.sql.inline import InlineConnection, InlineEngine

SqlEngine = AsyncEngine | InlineEngine
SqlConnection = AsyncConnection | InlineConnection

SQLITE_BUSY_TIMEOUT_MS = 250
"""How long a writer waits for another *process* to release SQLite's write lock.

Short, because the wait blocks the event loop (``inline.py``); writers of this process
never wait here, they queue on an ``asyncio.Lock`` first. Past it the unit of work fails
with ``ConcurrencyConflict`` and the use case runs it again (``usecases/retry.py``).
"""
SQLITE_DRIVERS = frozenset({"pysqlite"})


def create_engine(
    database_url: str, *, pool_size: int = 10, connect_timeout: float = 5.0
) -> SqlEngine:
    """An engine for ``database_url``; SQLite gets WAL, a busy timeout and real transactions.

    The PostgreSQL pool is fixed: ``max_overflow=0`` because overflow connections are
    opened under load and closed when returned, so a burst pays a fork and an
    authentication per request; requests beyond the pool wait for a free connection
    instead, which also protects the server. No ``pool_pre_ping``: it costs a round trip
    per unit of work, and a connection the server dropped is caught anyway: the first
    statement on it fails, SQLAlchemy discards the whole pool, the request answers 503
    (``StorageUnavailable``) and the next one connects afresh.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url, pool_size)
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=0, connect_args={"timeout": connect_timeout}
    )


def _create_sqlite_engine(url: URL, pool_size: int) -> InlineEngine:
    """SQLite through ``sqlite3`` on the loop's thread (``inline.py``).

    The pool keeps ``pool_size`` connections open and never makes a caller wait for one
    (``max_overflow=-1``): waiting would block the one thread that could return a
    connection. Units of work rarely hold a connection across a real ``await`` here, so
    in practice one or two connections are in use at a time.
    """
    if url.get_driver_name() not in SQLITE_DRIVERS:
        raise ValueError(
            f"SQLite runs in process on the standard sqlite3 module, not {url.drivername!r}:"
            " write the DATABASE_URL as sqlite:///path/to/file.db"
        )
    in_memory = url.database in (None, "", ":memory:")
    pool: dict[str, Any] = (
        {"poolclass": StaticPool}
        if in_memory
        else {"poolclass": QueuePool, "pool_size": pool_size, "max_overflow": -1}
    )
    sync_engine = create_sync_engine(url, connect_args={"check_same_thread": False}, **pool)
    engine = InlineEngine(sync_engine)
    _make_sqlite_transactional(engine)
    return engine


def _make_sqlite_transactional(engine: InlineEngine) -> None:
    """Let the unit of work, not the sqlite3 module, decide where transactions begin.

    The sqlite3 module begins transactions lazily and never for reads, so a read followed
    by a write is not isolated. With its own transaction handling off, writers issue
    ``BEGIN IMMEDIATE`` and so take the write lock before their first read, the SQLite
    equivalent of ``SELECT ... FOR UPDATE``. Read-only units of work issue no ``BEGIN``:
    each statement reads the latest committed state, which is what PostgreSQL's default
    isolation (read committed) gives too, and it saves a ``BEGIN`` and a ``ROLLBACK`` per
    request. ``unit_of_work.py`` chooses, ``inline.py`` issues the ``BEGIN``.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
