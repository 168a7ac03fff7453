"""Fixtures shared by every test tier.

``postgres`` is a real PostgreSQL: the server ``TEST_DATABASE_URL`` points at, or a
throwaway one started from the PostgreSQL binaries installed on this machine. With
neither, the tests that need it are skipped, each with the reason (``pytest -ra`` lists
them); set ``TEST_REQUIRE_POSTGRESQL=1`` (CI) to make that an error instead.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import NoReturn

import pytest

from tests.postgres_server import (
    Postgres,
    PostgresUnavailable,
    asyncpg_url,
    find_bindir,
    throwaway_server,
    without_password,
)

HOW_TO_GET_POSTGRESQL = (
    "install the PostgreSQL server (initdb and pg_ctl; e.g. apt-get install postgresql) or "
    "set TEST_DATABASE_URL=postgresql+asyncpg://user:password@host:5432/postgres"
)


def _unavailable(reason: str) -> NoReturn:
    message = f"PostgreSQL tests not run: {reason}; {HOW_TO_GET_POSTGRESQL}"
    if os.environ.get("TEST_REQUIRE_POSTGRESQL") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def pytest_report_header() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return f"postgresql: TEST_DATABASE_URL={without_password(url)}"
    bindir = find_bindir()
    return f"postgresql: {f'a throwaway server from {bindir}' if bindir else 'not found'}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL with a migrated template database; see ``tests/postgres_server.py``."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield from _with_template(Postgres(asyncpg_url(url)))
        return
    bindir = find_bindir()
    if bindir is None:
        _unavailable("no TEST_DATABASE_URL and no PostgreSQL binaries found")
    with contextlib.ExitStack() as cleanup:
        try:
            server = cleanup.enter_context(throwaway_server(bindir))
        except PostgresUnavailable as error:
            _unavailable(str(error))
        yield from _with_template(Postgres(server.url, server))


def _with_template(postgres: Postgres) -> Iterator[Postgres]:
    postgres.create_template()
    yield postgres
    postgres.drop_template()
