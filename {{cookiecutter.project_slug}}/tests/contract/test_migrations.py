"""The migrations are the schema: they run both ways, and ``tables.py`` never drifts from them.

Every contract test runs on a database built by ``migrator.upgrade``, never by
``metadata.create_all``; the drift check below fails when a table definition changes
without a migration (``<service> revision -m "..."`` writes one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Connection, MetaData, String, Uuid, bindparam, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.adapters.sql.tables import UtcDateTime, metadata
from {{ cookiecutter.package_name }}.domain.idempotency import IdempotencyKey
from {{ cookiecutter.package_name }}.domain.ids import new_account_id, new_transfer_id
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.usecases import receipts
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.idempotency import fingerprint_of
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.contract.implementations import Storage, sql_only
from tests.contract.ledger import OWNER, account, store

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
        OWNER, OpenAccountRequest("after-migrations@example.com", Currency.EUR)
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


BEFORE_KEYS_TABLE = "0003"
"""The last revision where idempotency keys lived on transfers."""
BEFORE_OWNERS = "0002"
"""The last revision before accounts had owners and idempotency keys had requesters."""

INSERT_LEGACY_ACCOUNTS = text(
    "INSERT INTO accounts (id, owner_email, currency, balance_minor_units) "
    "VALUES (:source, 'legacy@example.com', 'EUR', 400), "
    "(:destination, 'legacy@example.com', 'EUR', 100)"
).bindparams(bindparam("source", type_=Uuid()), bindparam("destination", type_=Uuid()))
INSERT_LEGACY_TRANSFER = text(
    "INSERT INTO transfers "
    "(id, source_id, destination_id, amount_minor_units, currency, created_at, idempotency_key) "
    "VALUES (:id, :source, :destination, 100, 'EUR', :at, 'legacy-key')"
).bindparams(
    bindparam("id", type_=Uuid()),
    bindparam("source", type_=Uuid()),
    bindparam("destination", type_=Uuid()),
    bindparam("at", type_=UtcDateTime()),
)
LEGACY_ROWS = text(
    "SELECT (SELECT count(*) FROM accounts) AS accounts, "
    "(SELECT count(*) FROM transfers WHERE idempotency_key = 'legacy-key') AS transfers"
)


async def migrate(storage: Storage, step: Callable[[str, str], None], revision: str) -> None:
    """Run ``step`` (``migrator.upgrade`` or ``downgrade``) with no connection pooled."""
    assert storage.engine is not None
    assert storage.database_url is not None
    await storage.engine.dispose()  # no pooled connection may hold a table being altered
    await asyncio.to_thread(step, storage.database_url, revision)


async def test_rows_older_than_owners_are_kept_and_owned_by_nobody(storage: Storage) -> None:
    """Data written before authentication survives the upgrade, with the empty subject as
    owner and requester (no principal has it); the key of a recent transfer moves to the
    keys table and still replays; the downgrade keeps it all, and makes idempotency keys
    global again."""
    assert storage.engine is not None
    await migrate(storage, migrator.downgrade, "base")
    await migrate(storage, migrator.upgrade, BEFORE_OWNERS)
    source, destination, made = new_account_id(), new_account_id(), new_transfer_id()
    just_now = datetime.now(UTC)
    legacy_transfer = {"id": made, "source": source, "destination": destination, "at": just_now}
    async with storage.engine.begin() as connection:
        await connection.execute(
            INSERT_LEGACY_ACCOUNTS, {"source": source, "destination": destination}
        )
        await connection.execute(INSERT_LEGACY_TRANSFER, legacy_transfer)

    await migrate(storage, migrator.upgrade, "head")

    retry = TransferRequest(source, destination, Money(100, Currency.EUR), "legacy-key")
    async with storage.unit_of_work() as uow:
        legacy = await uow.accounts.get(source)
        [legacy_transfer_read] = await uow.transfers.list_for_account(source, limit=2)
        kept_key = await uow.idempotency.claim(
            IdempotencyKey("", "legacy-key"),
            fingerprint_of(retry),
            now=just_now,
            expires_at=just_now + timedelta(hours=24),
        )
    assert (legacy.owner, legacy.owner_email, legacy.balance.minor_units) == (
        "",
        "legacy@example.com",
        400,
    )
    assert (legacy_transfer_read.id, legacy_transfer_read.requested_by) == (made, "")
    assert kept_key is not None, "the recent transfer's key was not carried over"
    assert kept_key.fingerprint == fingerprint_of(retry), "a retry would be refused"
    assert receipts.TRANSFER.decode(kept_key.outcome) == legacy_transfer_read
    assert await schema_diff(storage.engine, metadata) == []

    await migrate(storage, migrator.downgrade, BEFORE_OWNERS)
    async with storage.engine.connect() as connection:
        kept = (await connection.execute(LEGACY_ROWS)).one()
    assert (kept.accounts, kept.transfers) == (2, 1)
    with pytest.raises(IntegrityError):  # the same key again, from anyone: refused
        async with storage.engine.begin() as connection:
            await connection.execute(INSERT_LEGACY_TRANSFER, {**legacy_transfer, "id": uuid4()})

    await migrate(storage, migrator.upgrade, "head")
    assert await schema_diff(storage.engine, metadata) == []


async def test_downgrading_refuses_to_merge_keys_two_subjects_share(storage: Storage) -> None:
    """Keys were global before owners: two subjects' equal keys cannot go back, so that
    downgrade step fails as a whole and leaves the schema and the data as they were.
    Upgrading again carries the keys back to their table, where they still replay."""
    assert storage.engine is not None
    alice = Principal.of("alice", "ledger:write")
    bob = Principal.of("bob", "ledger:write")
    alices, bobs = account(500, owner="alice"), account(500, owner="bob")
    await store(storage.unit_of_work, [alices, bobs])
    use_cases = UseCases.wired_to(storage.unit_of_work)
    by_alice = TransferRequest(alices.id, bobs.id, Money(1, Currency.EUR), "shared")
    by_bob = TransferRequest(bobs.id, alices.id, Money(2, Currency.EUR), "shared")
    made = [
        await use_cases.transfer_funds(alice, by_alice),
        await use_cases.transfer_funds(bob, by_bob),
    ]

    await migrate(storage, migrator.downgrade, BEFORE_KEYS_TABLE)
    with pytest.raises(IntegrityError):
        await migrate(storage, migrator.downgrade, BEFORE_OWNERS)
    await migrate(storage, migrator.upgrade, "head")

    assert await schema_diff(storage.engine, metadata) == []
    replayed = [
        await use_cases.transfer_funds(alice, by_alice),
        await use_cases.transfer_funds(bob, by_bob),
    ]
    assert [outcome.replayed for outcome in replayed] == [True, True]
    assert [outcome.result for outcome in replayed] == [outcome.result for outcome in made]
