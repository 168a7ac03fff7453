"""Alembic environment: runs migrations on the engine the service itself uses.

Two doors lead here. ``{{ cookiecutter.project_slug }} migrate`` (and the tests) pass
the database URL in ``config.attributes``. Alembic's own command line (``alembic
upgrade head``, ``downgrade -1``, ``current``, ``history``; configured in
pyproject.toml's ``[tool.alembic]``) passes none: then this script is an entry point
like ``__main__``, and reads the service's settings (the environment, or ``.env``) to
connect as the tables' owner. That one import is the only import the import-linter
contracts ignore."""

from __future__ import annotations

import asyncio
import logging

from alembic import context
from sqlalchemy.engine import Connection

from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine, with_password
from {{ cookiecutter.package_name }}.adapters.sql.tables import metadata
from {{ cookiecutter.package_name }}.settings import Settings


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


def database_url() -> str:
    """The URL ``migrate`` passed; else, under Alembic's command line, the settings' one."""
    given: str | None = context.config.attributes.get("database_url")
    if given is not None:
        return given
    # Alembic's command line configures no logging without an alembic.ini: say what runs.
    logging.basicConfig(level=logging.INFO, format="%(levelname)-5.5s [%(name)s] %(message)s")
    url, password = Settings().migration_login
    return with_password(url, None if password is None else password.get_secret_value())


asyncio.run(run_migrations_online(database_url()))
