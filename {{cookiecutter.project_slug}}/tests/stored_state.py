"""What a storage holds, read from outside the ports: the tests' window on committed state.

The ports offer only what the use cases need. Tests also check what nobody reads back in
production (the audit trail, a notice's delivery state), so each storage gets a reader
here (the SQL one in ``tests/contract/sql_stored_state.py``), and the contract suite
runs the same assertions through every one of them.
"""

from __future__ import annotations

from typing import Protocol

from {{ cookiecutter.package_name }}.adapters.memory.store import MemoryStore
from {{ cookiecutter.package_name }}.domain.audit import AuditEntry
from {{ cookiecutter.package_name }}.domain.ids import NoticeId


class StoredState(Protocol):
    async def audit_entries(self, subject_id: str) -> list[AuditEntry]:
        """Committed entries about one subject, oldest first (ties broken by id)."""

    async def notice_state(self, notice_id: NoticeId) -> str | None:
        """``pending``, ``delivered`` or ``parked``; None for a notice never committed."""


def state_of(delivered: bool, parked: bool) -> str:
    if delivered:
        return "delivered"
    return "parked" if parked else "pending"


class MemoryStoredState(StoredState):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def audit_entries(self, subject_id: str) -> list[AuditEntry]:
        entries = [e for e in self._store.committed.audit_entries if e.subject_id == subject_id]
        return sorted(entries, key=lambda entry: (entry.occurred_at, entry.id))

    async def notice_state(self, notice_id: NoticeId) -> str | None:
        record = self._store.committed.outbox.get(notice_id)
        if record is None:
            return None
        return state_of(record.delivered_at is not None, record.parked)
