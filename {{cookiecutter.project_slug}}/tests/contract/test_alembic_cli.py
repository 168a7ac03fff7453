"""Alembic's own command line works on the service's migrations and settings.

Teams know ``alembic upgrade head``, ``downgrade -1``, ``current`` and ``history``;
pyproject.toml's ``[tool.alembic]`` points them at the migrations in the package, and
``env.py`` reads the service's settings (``MIGRATION_DATABASE_URL``, else
``DATABASE_URL``), as ``{{ cookiecutter.project_slug }} migrate`` does. Each test
runs the real command, in the project folder, on an empty SQLite file or PostgreSQL
database.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.adapters.sql import migrator
from tests.postgres_server import Postgres

PROJECT = Path(__file__).resolve().parents[2]
HEAD, _ = migrator.revisions()


def alembic(*arguments: str, settings: dict[str, str]) -> str:
    """Run ``alembic ARGUMENTS`` as a user would, from the project folder; its output."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DATABASE_", "MIGRATION_DATABASE_"))
    }
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "alembic", *arguments],
        cwd=PROJECT,
        env=environment | settings,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, f"alembic {' '.join(arguments)}:\n{result.stderr}"
    return result.stdout + result.stderr


def current_revision(settings: dict[str, str]) -> str | None:
    found = re.search(r"^(\w+) \(head\)$|^(\w+)$", alembic("current", settings=settings), re.M)
    return None if found is None else found.group(1) or found.group(2)


def previous(revision: str) -> str:
    """The revision ``revision`` revises, read from ``alembic history``."""
    history = alembic("history", settings={"DATABASE_URL": "sqlite+aiosqlite://"})
    found = re.search(rf"^(\w+) -> {revision}\b", history, re.M)
    assert found is not None, history
    return found.group(1)


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'alembic.db'}"}


@pytest.fixture
def postgresql_settings(postgres: Postgres) -> Iterator[dict[str, str]]:
    """An empty database; Alembic connects as the owner (``MIGRATION_DATABASE_URL``),
    never as ``DATABASE_URL``'s service login, which may not change the schema."""
    name = f"{postgres.prefix}_cli_{uuid.uuid4().hex[:8]}"
    asyncio.run(postgres.execute(f'CREATE DATABASE "{name}"'))
    yield {
        "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/not_this_one",
        "MIGRATION_DATABASE_URL": postgres.url(name),
    }
    asyncio.run(postgres.drop_database(name))


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest) -> dict[str, str]:
    chosen: dict[str, str] = request.getfixturevalue(f"{request.param}_settings")
    return chosen


def test_upgrade_head_then_current_names_the_head(settings: dict[str, str]) -> None:
    assert current_revision(settings) is None

    alembic("upgrade", "head", settings=settings)

    assert current_revision(settings) == HEAD


def test_downgrade_one_step_and_back(settings: dict[str, str]) -> None:
    alembic("upgrade", "head", settings=settings)

    alembic("downgrade", "-1", settings=settings)
    assert current_revision(settings) == previous(HEAD)

    alembic("upgrade", "head", settings=settings)
    assert current_revision(settings) == HEAD


def test_history_lists_every_migration_shipped() -> None:
    history = alembic("history", settings={"DATABASE_URL": "sqlite+aiosqlite://"})

    _, known = migrator.revisions()
    listed = set(re.findall(r"-> (\w+)", history))
    assert listed == known


def test_the_cli_and_the_migrate_command_agree(sqlite_settings: dict[str, str]) -> None:
    """A database that ``{{ cookiecutter.project_slug }} migrate`` built is at the
    revision Alembic reports."""
    migrator.upgrade(sqlite_settings["DATABASE_URL"])

    assert current_revision(sqlite_settings) == HEAD
