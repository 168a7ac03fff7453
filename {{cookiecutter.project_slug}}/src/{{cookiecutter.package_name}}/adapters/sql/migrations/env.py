"""Alembic environment: runs migrations on the engine the service itself uses."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.tables import metadata


def run_migrations(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _stop_enforcing_sqlite_foreign_keys(connection)
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_as_batch=sqlite,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            _check_sqlite_foreign_keys(connection)


def _stop_enforcing_sqlite_foreign_keys(connection: Connection) -> None:
    """Batch mode alters a SQLite table by copying it to a new one and dropping the old.

    The engine turns foreign keys on for every connection, and with them on, dropping a
    table other rows refer to (``accounts``) fails as soon as one transfer exists. This
    connection is the migrations' own, so they run with enforcement off, and
    ``_check_sqlite_foreign_keys`` checks the result instead. The pragma means nothing
    inside a transaction: it goes straight to the driver, before SQLAlchemy begins one.
    """
    cursor = connection.connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    """Refuse to commit migrations that left a row referring to one that is gone."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migrations broke foreign keys: {broken}")


async def run_migrations_online(database_url: str) -> None:
    """Alembic's asyncio recipe: each migration runs in one transaction, SQLite's included
    (its engine begins transactions when SQLAlchemy does, see ``engine.py``)."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


asyncio.run(run_migrations_online(context.config.attributes["database_url"]))
