"""Readiness of the database: it answers in time, on a connection of its own, and its
schema is not behind this release's migrations."""

from __future__ import annotations

import asyncio
from collections.abc import Collection

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.adapters.sql.errors import domain_errors, translate
from {{ cookiecutter.package_name }}.domain.errors import StorageNotMigrated, StorageUnavailable

CURRENT_REVISION = text("SELECT version_num FROM alembic_version")


class DatabaseProbe:
    """Raises ``StorageUnavailable`` unless the database answers within ``timeout``
    seconds, and ``StorageNotMigrated`` while its schema is behind ``head``.

    ``engine`` should be the probe's own (``create_probe_engine``): a saturated request
    pool says nothing about the database. A revision this release does not know is newer
    than it (a rolling deploy migrated first) and counts as ready: each migration keeps
    the previous release working, so both run on it during the rollout.
    """

    def __init__(
        self, engine: AsyncEngine, *, timeout: float, head: str, known: Collection[str]
    ) -> None:
        self._engine = engine
        self._timeout = timeout
        self._head = head
        self._behind = frozenset(known) - {head}

    async def __call__(self) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                revision = await self._current_revision()
        except TimeoutError:
            raise StorageUnavailable("the database did not answer in time") from None
        if revision is None or revision in self._behind:
            raise StorageNotMigrated(
                f"the database schema is at revision {revision or 'none'} and this release "
                f"needs {self._head}: run the migrate command"
            )

    async def _current_revision(self) -> str | None:
        with domain_errors():
            async with self._engine.connect() as connection:
                try:
                    result = await connection.execute(CURRENT_REVISION)
                except DBAPIError as error:
                    if translate(error) is not None:
                        raise  # the database failed: domain_errors says how
                    return None  # no alembic_version table: never migrated
                return result.scalar_one_or_none()
