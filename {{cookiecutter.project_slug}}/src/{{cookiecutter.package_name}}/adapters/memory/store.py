"""The "database" of the memory adapter: committed state, and a lock for writers."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
from datetime import datetime

{% if cookiecutter.example == "ledger" %}from {{ cookiecutter.package_name }}.domain.account import Account
{% endif %}from {{ cookiecutter.package_name }}.domain.audit import AuditEntry
from {{ cookiecutter.package_name }}.domain.idempotency import IdempotencyKey
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.ids import AccountId, NoticeId, TransferId
{%- else %}
from {{ cookiecutter.package_name }}.domain.ids import NoticeId
{%- endif %}
from {{ cookiecutter.package_name }}.domain.notice import Notice
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
{%- endif %}


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """A stored notice and its delivery state (replaced, never mutated)."""

    notice: Notice
    available_at: datetime
    failed_attempts: int = 0
    delivered_at: datetime | None = None
    parked: bool = False


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A claimed idempotency key; ``outcome`` is None until the work under it completes."""

    fingerprint: str
    expires_at: datetime
    outcome: str | None = None


@dataclass(slots=True)
class MemoryState:
    """One consistent version of everything stored. Entities in it are never mutated."""

{% if cookiecutter.example == "ledger" %}    accounts: dict[AccountId, Account] = field(default_factory=dict)
    transfers: dict[TransferId, Transfer] = field(default_factory=dict)
{% endif %}    audit_entries: list[AuditEntry] = field(default_factory=list)
    outbox: dict[NoticeId, OutboxRecord] = field(default_factory=dict)
    idempotency_keys: dict[IdempotencyKey, KeyRecord] = field(default_factory=dict)
    # add_aggregate: state

    def copy(self) -> MemoryState:
        """A state of its own: each collection copied, not the entities in it (repositories
        store and hand out copies of those). Field by field: a new one needs no line here."""
        return MemoryState(**{name: copy.copy(getattr(self, name)) for name in self.__slots__})

    def restore(self, committed: MemoryState) -> None:
        """Become a copy of ``committed`` again, in place: repositories bound to this state
        keep working after a rollback, as SQL ones do."""
        fresh = committed.copy()
        for name in MemoryState.__slots__:
            setattr(self, name, getattr(fresh, name))


@dataclass(slots=True)
class MemoryStore:
    """Committed state, shared by every unit of work of one ``MemoryUnitOfWorkFactory``.

    Writers hold ``write_lock`` for their whole unit of work, like SQLite's immediate
    transactions, so {% if cookiecutter.example == "ledger" %}two concurrent transfers cannot both read the same old balance{% else %}two concurrent writers never read the same state and both write over it{% endif %}.
    """

    committed: MemoryState = field(default_factory=MemoryState)
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
