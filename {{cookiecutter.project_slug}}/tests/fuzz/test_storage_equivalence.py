"""The memory and SQL adapters end in the same state for any sequence of operations.

The memory adapter is what the unit tests trust; this keeps it honest against SQLite
(the same use cases, the same random sequences, failures included: outcomes, balances,
owners and recorded transfers must all match). Each example gets a fresh copy of a migrated
SQLite file.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from tests.ledger_operations import Ledger, Operation, operations, run


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("equivalence") / "template.db"
    migrator.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


async def run_on_sqlite(sequence: list[Operation], template: Path) -> Ledger:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(shutil.copy(template, folder))
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        try:
            return await run(sequence, UseCases.wired_to(SqlUnitOfWorkFactory(engine)))
        finally:
            await engine.dispose()


@settings(max_examples=25, deadline=None)
@given(sequence=operations)
def test_memory_and_sqlite_end_in_the_same_state(
    sequence: list[Operation], migrated_sqlite: Path
) -> None:
    in_memory = asyncio.run(run(sequence, UseCases.wired_to(MemoryUnitOfWorkFactory())))
    on_sqlite = asyncio.run(run_on_sqlite(sequence, migrated_sqlite))

    assert on_sqlite == in_memory
