"""The migrations are the schema: they run both ways, and ``tables.py`` never drifts from them.

Every contract test runs on a database built by ``migrator.upgrade``, never by
``metadata.create_all``; the drift check below fails when a table definition changes
without a migration (``<service> revision -m "..."`` writes one).
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Connection, MetaData, String, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.adapters.sql.tables import metadata
from {{ cookiecutter.package_name }}.domain.money import Currency
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from tests.contract.implementations import Storage, sql_only

pytestmark = sql_only


async def schema_diff(engine: AsyncEngine, expected: MetaData) -> list[Any]:
    """What Alembic's autogenerate would write to turn the database into ``expected``."""

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, expected))

    async with engine.connect() as connection:
        return await connection.run_sync(compare)


async def table_names(engine: AsyncEngine) -> set[str]:
    def names(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    async with engine.connect() as connection:
        return await connection.run_sync(names)


async def test_upgrade_downgrade_upgrade_runs_clean(storage: Storage) -> None:
    assert storage.engine is not None
    assert storage.database_url is not None
    ledger_tables = set(metadata.tables)
    assert await table_names(storage.engine) == {*ledger_tables, "alembic_version"}

    await storage.engine.dispose()  # no connection may hold the tables while they go
    await asyncio.to_thread(migrator.downgrade, storage.database_url, "base")
    assert await table_names(storage.engine) == {"alembic_version"}

    await storage.engine.dispose()
    await asyncio.to_thread(migrator.upgrade, storage.database_url, "head")
    assert await table_names(storage.engine) == {*ledger_tables, "alembic_version"}
    assert await schema_diff(storage.engine, metadata) == []
    await UseCases.wired_to(storage.unit_of_work).open_account(
        OpenAccountRequest("after-migrations@example.com", Currency.EUR)
    )


async def test_the_tables_match_the_migrations(storage: Storage) -> None:
    assert storage.engine is not None
    assert await schema_diff(storage.engine, metadata) == []


async def test_the_drift_check_fails_on_a_change_without_a_migration(storage: Storage) -> None:
    assert storage.engine is not None
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["accounts"].append_column(Column("nickname", String(40), nullable=True))
    changed.tables["transfers"].c.currency.type = String(8)

    diff = await schema_diff(storage.engine, changed)

    assert ("add_column", None, "accounts", changed.tables["accounts"].c.nickname) in diff
    assert any(change[0][0] == "modify_type" for change in diff if isinstance(change, list))
