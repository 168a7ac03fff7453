"""Create the async engine, tuned per backend. Nothing here runs at import time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 5_000
IMMEDIATE = "immediate"
"""Execution option value asking SQLite to take the write lock when the transaction begins."""
PER_STATEMENT = "per-statement"
"""Execution option value for reads: no ``BEGIN``, each statement sees the latest commit."""


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(
    database_url: str, *, pool_size: int = 10, connect_timeout: float = 5.0
) -> AsyncEngine:
    """An engine for ``database_url``; SQLite gets WAL, a busy timeout and real transactions.

    The pool is fixed, on both backends: ``max_overflow=0`` because overflow connections
    are opened under load and closed when returned, so a burst pays a new connection per
    request (a fork and authentication on PostgreSQL; a thread, a file open and the pragmas
    on SQLite); requests beyond the pool wait for a free connection instead, which also
    protects the server. No ``pool_pre_ping``: it costs a round trip per unit of work, and a
    connection the server dropped is caught anyway: the first statement on it fails,
    SQLAlchemy discards the whole pool, the request answers 503 (``StorageUnavailable``)
    and the next one connects afresh.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(
            url, pool_size=pool_size, max_overflow=0, connect_args={"timeout": connect_timeout}
        )
    in_memory = url.database in (None, "", ":memory:")
    pool = {} if in_memory else {"pool_size": pool_size, "max_overflow": 0}
    engine = create_async_engine(url, connect_args={"timeout": connect_timeout}, **pool)
    _make_sqlite_transactional(engine)
    return engine


def _make_sqlite_transactional(engine: AsyncEngine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.

    The sqlite3 module begins transactions lazily and never for reads, so a read followed
    by a write is not isolated. Here writers issue ``BEGIN IMMEDIATE`` and so take the
    write lock before their first read, the SQLite equivalent of ``SELECT ... FOR UPDATE``.
    Read-only units of work issue no ``BEGIN`` (``PER_STATEMENT``): each statement reads
    the latest committed state, which is what PostgreSQL's default isolation (read
    committed) gives too, and it saves a round trip to SQLite's thread per request.
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

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin")
        if mode != PER_STATEMENT:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == IMMEDIATE else "BEGIN")
