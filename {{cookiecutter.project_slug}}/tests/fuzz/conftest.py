"""The fuzz tier: the real app over a real, migrated database, in this process.

Schemathesis calls the app through its own ASGI transport on its own event loop, so
these fixtures are sync, and the app's lifespan (the outbox relay, the engine) runs
there too. Every test runs on SQLite, and on PostgreSQL when the ``postgres`` fixture
has one (``TEST_DATABASE_URL`` in CI, or the PostgreSQL binaries of this machine).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from schemathesis.python import asgi

from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.bootstrap import create_app
from tests.api.tokens import api_settings
from tests.postgres_server import Postgres

SENT = pytest.StashKey[Counter[str]]()
SCHEMATHESIS_PLUGIN = "schemathesis.pytest.plugin"


def pytest_configure(config: pytest.Config) -> None:
    """Load schemathesis' pytest plugin, for this tier only.

    pyproject.toml turns its automatic loading off (``-p no:schemathesis``): it imports
    all of schemathesis, which would slow every other tier's start by half a second.
    """
    if not config.pluginmanager.has_plugin(SCHEMATHESIS_PLUGIN):
        config.pluginmanager.import_plugin(SCHEMATHESIS_PLUGIN)


@dataclass(frozen=True, slots=True)
class Target:
    """The app under test and the name of the database behind it."""

    backend: str
    app: FastAPI


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty, migrated database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
        migrator.upgrade(url)
        yield url
        return
    postgres: Postgres = request.getfixturevalue("postgres")
    url = asyncio.run(postgres.create_database())
    yield url
    asyncio.run(postgres.drop_database(url))


@pytest.fixture(scope="module")
def target(database_url: str) -> Iterator[Target]:
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    app = create_app(api_settings(database_url=database_url))
    yield Target(backend, app)
    # Schemathesis keeps the lifespans it started until exit: end this one now, so the
    # relay stops and the engine closes before the database goes away.
    asgi.shutdown_lifespans()


@pytest.fixture(scope="session")
def sent(request: pytest.FixtureRequest) -> Counter[str]:
    """Counts the requests the fuzz tests send, by backend, for the summary line."""
    return request.config.stash.setdefault(SENT, Counter())


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    sent = config.stash.get(SENT, None)
    if sent:
        by_backend = ", ".join(f"{backend} {count}" for backend, count in sorted(sent.items()))
        terminalreporter.write_line(f"fuzz: {sum(sent.values())} requests sent ({by_backend})")
