"""The API tier: the real app over a migrated SQLite database, called in-process.

Requests carry the tokens of ``tests/api/tokens.py``, signed with the key the ``settings``
fixture gives the app.
"""

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.bootstrap import create_app
from {{ cookiecutter.package_name }}.settings import Settings
from tests.api.api_client import client_of, memory_app, running
from tests.api.tokens import api_settings


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database migrated once for the session: migrating is the slow part."""
    path = tmp_path_factory.mktemp("migrated") / "api.db"
    migrator.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def settings(tmp_path: Path, migrated_database: Path) -> Settings:
    """Settings for the app under test, over a fresh copy of the migrated database."""
    path = tmp_path / "api.db"
    with (
        contextlib.closing(sqlite3.connect(migrated_database)) as source,
        contextlib.closing(sqlite3.connect(path)) as copy,
    ):
        source.backup(copy)
    return api_settings(database_url=f"sqlite+aiosqlite:///{path}")


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(settings)) as client:
        yield client


@pytest.fixture
async def memory_client() -> AsyncIterator[httpx.AsyncClient]:
    """The app over memory storage: quick to build, for what the storage has no part in."""
    async with client_of(memory_app(api_settings())) as client:
        yield client
