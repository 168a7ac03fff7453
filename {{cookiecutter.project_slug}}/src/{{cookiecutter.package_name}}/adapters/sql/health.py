"""Readiness: can the database answer a trivial query within a short timeout?"""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.adapters.sql.errors import domain_errors
from {{ cookiecutter.package_name }}.domain.errors import StorageUnavailable


class DatabaseProbe:
    """Raises ``StorageUnavailable`` unless ``SELECT 1`` succeeds within ``timeout`` seconds."""

    def __init__(self, engine: AsyncEngine, *, timeout: float) -> None:
        self._engine = engine
        self._timeout = timeout

    async def __call__(self) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                with domain_errors():
                    async with self._engine.connect() as connection:
                        await connection.execute(text("SELECT 1"))
        except TimeoutError:
            raise StorageUnavailable("the database did not answer in time") from None
