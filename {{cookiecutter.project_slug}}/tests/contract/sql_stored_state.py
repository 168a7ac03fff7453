"""The SQL storages' reader of committed state (``tests/stored_state.py`` says why)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.adapters.sql.tables import audit_entries, outbox
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.audit import AuditAction, AuditEntry
{%- else %}
from {{ cookiecutter.package_name }}.domain.audit import AuditEntry
{%- endif %}
from {{ cookiecutter.package_name }}.domain.ids import AuditEntryId, NoticeId
from tests.stored_state import StoredState, state_of


class SqlStoredState(StoredState):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def audit_entries(self, subject_id: str) -> list[AuditEntry]:
        query = (
            select(audit_entries)
            .where(audit_entries.c.subject_id == subject_id)
            .order_by(audit_entries.c.occurred_at, audit_entries.c.id)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [
            AuditEntry(
                AuditEntryId(row.id),
{%- if cookiecutter.example == "ledger" %}
                AuditAction(row.action),
{%- else %}
                row.action,  # as stored: the actions are the ones the service adds
{%- endif %}
                row.subject_id,
                row.occurred_at,
                row.details,
            )
            for row in rows
        ]

    async def notice_state(self, notice_id: NoticeId) -> str | None:
        query = select(outbox.c.delivered_at, outbox.c.parked).where(outbox.c.id == notice_id)
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        return None if row is None else state_of(row.delivered_at is not None, row.parked)
