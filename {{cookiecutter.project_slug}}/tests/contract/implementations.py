"""Every implementation of the storage ports, as one list the contract suite runs over.

To hold a new implementation to the contracts, write a ``prepare`` function for it and
add one ``Implementation`` to ``IMPLEMENTATIONS``.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from tests.contract.sql_stored_state import SqlStoredState
from tests.postgres_server import Postgres
from tests.stored_state import MemoryStoredState, StoredState


@dataclass(frozen=True, slots=True)
class Storage:
    """One implementation of the storage ports, empty and migrated, for one test."""

    name: str
    unit_of_work: UnitOfWorkFactory
    stored: StoredState
    """Reads what was committed, around the ports (the audit trail, notice states)."""
    engine: AsyncEngine | None = None
    """The engine of an SQL implementation, to count statements or inspect the schema."""
    database_url: str | None = None
    """Where another process finds the same data, if it can."""


Opener = Callable[[], AbstractAsyncContextManager[Storage]]


@dataclass(frozen=True, slots=True)
class Implementation:
    name: str
    prepare: Callable[[pytest.FixtureRequest], Opener]
    """Resolve what the implementation needs (sync, may skip); return how to open it."""
    sql: bool
    shared_between_processes: bool


def prepare_memory(_request: pytest.FixtureRequest) -> Opener:
    @asynccontextmanager
    async def open_memory() -> AsyncIterator[Storage]:
        unit_of_work = MemoryUnitOfWorkFactory()
        yield Storage("memory", unit_of_work, MemoryStoredState(unit_of_work.store))

    return open_memory


def prepare_sqlite(request: pytest.FixtureRequest) -> Opener:
    template: Path = request.getfixturevalue("sqlite_template")
    folder: Path = request.getfixturevalue("tmp_path")
    for file in template.parent.glob(f"{template.name}*"):  # the database, and any WAL
        shutil.copy(file, folder / file.name)
    url = f"sqlite+aiosqlite:///{folder / template.name}"

    @asynccontextmanager
    async def open_sqlite() -> AsyncIterator[Storage]:
        engine = create_engine(url)
        try:
            unit_of_work = SqlUnitOfWorkFactory(engine)
            yield Storage("sqlite", unit_of_work, SqlStoredState(engine), engine, url)
        finally:
            await engine.dispose()

    return open_sqlite


def prepare_postgresql(request: pytest.FixtureRequest) -> Opener:
    postgres: Postgres = request.getfixturevalue("postgres")

    @asynccontextmanager
    async def open_postgresql() -> AsyncIterator[Storage]:
        url = await postgres.create_database()
        engine = create_engine(url)
        try:
            unit_of_work = SqlUnitOfWorkFactory(engine)
            yield Storage("postgresql", unit_of_work, SqlStoredState(engine), engine, url)
        finally:
            await engine.dispose()
            await postgres.drop_database(url)

    return open_postgresql


IMPLEMENTATIONS = (
    Implementation("memory", prepare_memory, sql=False, shared_between_processes=False),
    Implementation("sqlite", prepare_sqlite, sql=True, shared_between_processes=True),
    Implementation("postgresql", prepare_postgresql, sql=True, shared_between_processes=True),
)


def parameters(chosen: Callable[[Implementation], bool] = lambda _: True) -> list[object]:
    return [pytest.param(i, id=i.name) for i in IMPLEMENTATIONS if chosen(i)]


def implementations(chosen: Callable[[Implementation], bool]) -> pytest.MarkDecorator:
    """Run a test only on the implementations ``chosen`` accepts (instead of skipping)."""
    return pytest.mark.parametrize("implementation", parameters(chosen), indirect=True)


sql_only = implementations(lambda implementation: implementation.sql)
shared_only = implementations(lambda implementation: implementation.shared_between_processes)
postgresql_only = implementations(lambda implementation: implementation.name == "postgresql")
sqlite_only = implementations(lambda implementation: implementation.name == "sqlite")
