from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.migrations.versions import (
    v0006_grant_the_service_role as grants,
)
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


@pytest.fixture
async def as_the_service(storage: Storage) -> AsyncIterator[AsyncEngine]:
    """PostgreSQL: an engine that logs in as a new member of the service's role, as the app
    does (``test_service_role.py``, and each scaffolded aggregate's contract tests)."""
    assert storage.engine is not None
    assert storage.database_url is not None
    login = f"service_{uuid.uuid4().hex[:12]}"
    async with storage.engine.begin() as owner:
        await owner.execute(text(f"CREATE ROLE {login} LOGIN IN ROLE {grants.SERVICE_ROLE}"))
    url = make_url(storage.database_url).set(username=login)
    engine = create_engine(url.render_as_string(hide_password=False))
    yield engine
    await engine.dispose()
    async with storage.engine.begin() as owner:
        await owner.execute(text(f"DROP ROLE {login}"))
