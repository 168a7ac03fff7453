"""PostgreSQL: the service's role may read and write the ledger, and nothing more.

Migrations run as the tables' owner; the service connects as a login role that is a
member of the role migration 0006 grants. That role runs every use case, may not change
or delete an audit entry once written, and may not change the schema.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.deposit import DepositRequest
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.contract.implementations import postgresql_only

pytestmark = postgresql_only
OWNER = Principal.of("alice", "ledger:read ledger:write")
TREASURER = Principal.of("back-office", "ledger:admin")


async def write_as_the_service(engine: AsyncEngine, statement: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(statement))


async def test_the_service_role_runs_every_use_case(as_the_service: AsyncEngine) -> None:
    use_cases = UseCases.wired_to(SqlUnitOfWorkFactory(as_the_service))
    opened = [
        (await use_cases.open_account(OWNER, OpenAccountRequest(email, Currency.EUR))).result
        for email in ("a@example.com", "b@example.com")
    ]
    euros = Money(100, Currency.EUR)
    await use_cases.deposit(TREASURER, DepositRequest(opened[0].id, euros, "funding"))
    request = TransferRequest(opened[0].id, opened[1].id, Money(40, Currency.EUR), "pay")

    moved = await use_cases.transfer_funds(OWNER, request)

    assert not moved.replayed
    assert (await use_cases.get_account(OWNER, opened[1].id)).balance == Money(40, Currency.EUR)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET action = 'rewritten'",
        "DELETE FROM audit_entries",
        "TRUNCATE audit_entries",
        "DROP TABLE accounts",
        "CREATE TABLE shadow (id integer)",
        "ALTER TABLE accounts ADD COLUMN note text",
        "UPDATE alembic_version SET version_num = 'none'",
    ],
)
async def test_the_service_role_may_not(as_the_service: AsyncEngine, statement: str) -> None:
    with pytest.raises(ProgrammingError, match=r"permission denied|must be owner"):
        await write_as_the_service(as_the_service, statement)


async def test_the_service_role_reads_the_schema_revision(as_the_service: AsyncEngine) -> None:
    """What readiness compares with this release's migrations."""
    async with as_the_service.connect() as connection:
        revision = await connection.execute(text("SELECT version_num FROM alembic_version"))
        assert revision.scalar_one()
