from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from tests.contract.implementations import Implementation, Opener, Storage, parameters


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with every migration applied, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "contract.db"
    migrator.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=parameters())
def implementation(request: pytest.FixtureRequest) -> Opener:
    chosen: Implementation = request.param
    return chosen.prepare(request)


@pytest.fixture
async def storage(implementation: Opener) -> AsyncIterator[Storage]:
    async with implementation() as storage:
        yield storage


@pytest.fixture
def use_cases(storage: Storage) -> UseCases:
    return UseCases.wired_to(storage.unit_of_work)
