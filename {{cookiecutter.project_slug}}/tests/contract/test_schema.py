"""The migrations are the schema, and the service's role may only use it.

The migrations run both ways, and ``tables.py`` never drifts from them: every contract
test runs on a database built by ``migrator.upgrade``, never by ``metadata.create_all``,
and the drift check fails when a table definition changes without a migration
(``make revision`` writes one; ``make aggregate`` writes its own). On PostgreSQL the
service connects as a member of the role revision 0006 grants: it writes every store,
may not change or delete an audit entry once written, and may not change the schema.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Connection, MetaData, String, inspect, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.adapters.sql.tables import metadata
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.idempotency import IdempotencyKey
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from tests.contract.implementations import Storage, postgresql_only, sql_only
from tests.contract.material import OWNER, T0, minutes
from tests.contract.outbox import notice


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


async def write_to_every_store(unit_of_work: UnitOfWorkFactory) -> None:
    """A notice and a key with its outcome, committed: what a use case writes."""
    key = IdempotencyKey(OWNER.subject, "k-1")
    async with unit_of_work() as uow:
        await uow.outbox.put(notice())
        await uow.idempotency.claim(key, "fp", now=T0, expires_at=minutes(60))
        await uow.idempotency.complete(key, "answer")
        await uow.commit()


@sql_only
async def test_upgrade_downgrade_upgrade_runs_clean(storage: Storage) -> None:
    assert storage.engine is not None
    assert storage.database_url is not None
    tables = set(metadata.tables)
    assert await table_names(storage.engine) == {*tables, "alembic_version"}

    await storage.engine.dispose()  # no connection may hold the tables while they go
    await asyncio.to_thread(migrator.downgrade, storage.database_url, "base")
    assert await table_names(storage.engine) == {"alembic_version"}

    await storage.engine.dispose()
    await asyncio.to_thread(migrator.upgrade, storage.database_url, "head")
    assert await table_names(storage.engine) == {*tables, "alembic_version"}
    assert await schema_diff(storage.engine, metadata) == []
    await write_to_every_store(storage.unit_of_work)


@sql_only
async def test_the_tables_match_the_migrations(storage: Storage) -> None:
    assert storage.engine is not None
    assert await schema_diff(storage.engine, metadata) == []


@sql_only
async def test_the_drift_check_fails_on_a_change_without_a_migration(storage: Storage) -> None:
    assert storage.engine is not None
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["outbox"].append_column(Column("topic", String(40), nullable=True))
    changed.tables["audit_entries"].c.action.type = String(8)

    diff = await schema_diff(storage.engine, changed)

    assert ("add_column", None, "outbox", changed.tables["outbox"].c.topic) in diff
    assert any(change[0][0] == "modify_type" for change in diff if isinstance(change, list))


async def write_as_the_service(engine: AsyncEngine, statement: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(statement))


@postgresql_only
async def test_the_service_role_writes_every_store(as_the_service: AsyncEngine) -> None:
    unit_of_work = SqlUnitOfWorkFactory(as_the_service)

    await write_to_every_store(unit_of_work)

    async with unit_of_work(read_only=True) as uow:
        assert (await uow.outbox.backlog()).pending == 1


@postgresql_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET action = 'rewritten'",
        "DELETE FROM audit_entries",
        "TRUNCATE audit_entries",
        "DROP TABLE outbox",
        "CREATE TABLE shadow (id integer)",
        "ALTER TABLE outbox ADD COLUMN note text",
        "UPDATE alembic_version SET version_num = 'none'",
    ],
)
async def test_the_service_role_may_not(as_the_service: AsyncEngine, statement: str) -> None:
    with pytest.raises(ProgrammingError, match=r"permission denied|must be owner"):
        await write_as_the_service(as_the_service, statement)


@postgresql_only
async def test_the_service_role_reads_the_schema_revision(as_the_service: AsyncEngine) -> None:
    """What readiness compares with this release's migrations."""
    async with as_the_service.connect() as connection:
        revision = await connection.execute(text("SELECT version_num FROM alembic_version"))
        assert revision.scalar_one()
