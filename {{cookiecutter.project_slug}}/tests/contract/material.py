"""Test data for the contracts, stored straight through the ports."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.domain.audit import AuditEntry
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal

T0 = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
OWNER = Principal.of("owner", "service:read service:write")
"""Whom the contracts act for unless told otherwise."""


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


async def store(
    unit_of_work: UnitOfWorkFactory,
    entries: Iterable[AuditEntry] = (),
    notices: Iterable[Notice] = (),
) -> None:
    """Add everything in one committed unit of work."""
    async with unit_of_work() as uow:
        for entry in entries:
            await uow.audit_log.append(entry)
        for notice in notices:
            await uow.outbox.put(notice)
        await uow.commit()


@contextlib.contextmanager
def counted_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` runs inside the block, in order."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
