"""In-memory implementation of the unit-of-work port in ``domain/ports/unit_of_work.py``.

Rollback is real: repositories work on a copy of the committed state, and only
``commit`` publishes that copy. ``rollback``, or leaving the block without committing,
throws it away.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

{% if cookiecutter.example == "ledger" %}from {{ cookiecutter.package_name }}.adapters.memory.repositories import (
    MemoryAccountRepository,
    MemoryAuditLog,
    MemoryIdempotencyRecords,
    MemoryOutbox,
    MemoryTransferRepository,
)
{% else %}from {{ cookiecutter.package_name }}.adapters.memory.repositories import (
    MemoryAuditLog,
    MemoryIdempotencyRecords,
    MemoryOutbox,
)
{% endif %}from {{ cookiecutter.package_name }}.adapters.memory.store import MemoryState, MemoryStore
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import (
    UnitOfWork,
    UnitOfWorkFactory,
)


class MemoryUnitOfWork(UnitOfWork):
    def __init__(self, store: MemoryStore, *, read_only: bool = False) -> None:
        self._store = store
        self._read_only = read_only
        self._bind(store.committed.copy())

    def _bind(self, working: MemoryState) -> None:
        self._working = working
{%- if cookiecutter.example == "ledger" %}
        self.accounts = MemoryAccountRepository(working)
        self.transfers = MemoryTransferRepository(working)
{%- endif %}
        self.audit_log = MemoryAuditLog(working)
        self.outbox = MemoryOutbox(working)
        self.idempotency = MemoryIdempotencyRecords(working)
        # add_aggregate: repositories

    async def __aenter__(self) -> Self:
        if not self._read_only:
            await self._store.write_lock.acquire()
        # Start from the state committed by the time the transaction really begins.
        self._bind(self._store.committed.copy())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._bind(self._store.committed.copy())  # what was not committed is dropped
        if not self._read_only:
            self._store.write_lock.release()

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("commit() in a read-only unit of work")
        self._store.committed = self._working.copy()

    async def rollback(self) -> None:
        self._working.restore(self._store.committed)


class MemoryUnitOfWorkFactory(UnitOfWorkFactory):
    """Hands out units of work over one shared ``MemoryStore``."""

    def __init__(self, store: MemoryStore | None = None) -> None:
        self.store = store or MemoryStore()

    def __call__(self, *, read_only: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store, read_only=read_only)
