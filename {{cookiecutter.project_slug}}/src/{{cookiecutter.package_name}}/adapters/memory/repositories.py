"""In-memory implementations of the storage ports in ``domain/ports/storage.py``.

They read and write a private working copy owned by their unit of work: nothing reaches
{%- if cookiecutter.example == "ledger" %}
the shared store until that unit of work commits. Accounts are handed out as copies, so
changing one in a use case changes nothing stored until ``update_balances``.
{%- else %}
the shared store until that unit of work commits.
{%- endif %}
"""

from __future__ import annotations

{% if cookiecutter.example == "ledger" %}import copy
import heapq
{% endif %}from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from {{ cookiecutter.package_name }}.adapters.memory.store import (
    KeyRecord,
    MemoryState,
    OutboxRecord,
)
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.account import Account
{%- endif %}
from {{ cookiecutter.package_name }}.domain.audit import AuditEntry
from {{ cookiecutter.package_name }}.domain.backlog import OutboxBacklog
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.errors import (
    AccountAlreadyExists,
    AccountNotFound,
    NoticeNotFound,
)
{%- else %}
from {{ cookiecutter.package_name }}.domain.errors import NoticeNotFound
{%- endif %}
from {{ cookiecutter.package_name }}.domain.idempotency import IdempotencyKey, IdempotencyRecord
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.ids import AccountId, NoticeId
{%- else %}
from {{ cookiecutter.package_name }}.domain.ids import NoticeId
{%- endif %}
from {{ cookiecutter.package_name }}.domain.notice import Notice, PendingNotice
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.ports.storage import (
    AccountRepository,
    AuditLog,
    IdempotencyRecords,
    Outbox,
    TransferRepository,
)
{%- else %}
from {{ cookiecutter.package_name }}.domain.ports.storage import (
    AuditLog,
    IdempotencyRecords,
    Outbox,
)
{%- endif %}
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from {{ cookiecutter.package_name }}.domain.transfer_position import TransferPosition
{%- endif %}
{%- if cookiecutter.example == "ledger" %}


class MemoryAccountRepository(AccountRepository):
    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def add(self, account: Account) -> None:
        if account.id in self._state.accounts:
            raise AccountAlreadyExists(f"account {account.id} already exists")
        self._state.accounts[account.id] = copy.copy(account)

    async def get(self, account_id: AccountId) -> Account:
        try:
            return copy.copy(self._state.accounts[account_id])
        except KeyError:
            raise AccountNotFound(f"no account {account_id}") from None

    async def lock_many(self, account_ids: Collection[AccountId]) -> dict[AccountId, Account]:
        accounts = self._state.accounts
        found = {id_: copy.copy(accounts[id_]) for id_ in sorted(account_ids) if id_ in accounts}
        missing = set(account_ids) - found.keys()
        if missing:
            raise AccountNotFound(f"no account {', '.join(sorted(map(str, missing)))}")
        return found

    async def update_balances(self, accounts: Collection[Account]) -> None:
        for account in accounts:
            if account.id not in self._state.accounts:
                raise AccountNotFound(f"no account {account.id}")
            self._state.accounts[account.id] = copy.copy(account)


class MemoryTransferRepository(TransferRepository):
    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def add(self, transfer: Transfer) -> None:
        missing = {transfer.source_id, transfer.destination_id} - self._state.accounts.keys()
        if missing:
            raise AccountNotFound(f"no account {', '.join(sorted(map(str, missing)))}")
        self._state.transfers[transfer.id] = transfer

    async def list_for_account(
        self, account_id: AccountId, *, limit: int, after: TransferPosition | None = None
    ) -> Sequence[Transfer]:
        past_the_position = (
            transfer
            for transfer in self._state.transfers.values()
            if account_id in (transfer.source_id, transfer.destination_id)
            and (after is None or TransferPosition.of(transfer) < after)
        )
        return heapq.nlargest(limit, past_the_position, key=TransferPosition.of)
{%- endif %}


class MemoryIdempotencyRecords(IdempotencyRecords):
    """No waiting to do: a writing unit of work holds the store's write lock throughout,
    so the unit of work that claimed a key has committed or rolled back before another
    one can look at it."""

    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def claim(
        self, key: IdempotencyKey, fingerprint: str, *, now: datetime, expires_at: datetime
    ) -> IdempotencyRecord | None:
        stored = self._state.idempotency_keys.get(key)
        if stored is None or stored.expires_at <= now:
            self._state.idempotency_keys[key] = KeyRecord(fingerprint, expires_at)
            return None
        if stored.outcome is None:
            raise RuntimeError(f"{key} was claimed in this unit of work already")
        return IdempotencyRecord(stored.fingerprint, stored.outcome)

    async def complete(self, key: IdempotencyKey, outcome: str) -> None:
        stored = self._state.idempotency_keys.get(key)
        if stored is None:
            raise RuntimeError(f"{key} was not claimed in this unit of work")
        self._state.idempotency_keys[key] = replace(stored, outcome=outcome)

    async def purge_expired(self, *, now: datetime, limit: int) -> int:
        expired = [
            key for key, stored in self._state.idempotency_keys.items() if stored.expires_at <= now
        ][:limit]
        for key in expired:
            del self._state.idempotency_keys[key]
        return len(expired)


class MemoryAuditLog(AuditLog):
    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def append(self, entry: AuditEntry) -> None:
        self._state.audit_entries.append(entry)


class MemoryOutbox(Outbox):
    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def put(self, notice: Notice) -> None:
        self._state.outbox[notice.id] = OutboxRecord(notice, available_at=notice.created_at)

    async def claim(
        self, *, limit: int, now: datetime, lease: timedelta
    ) -> Sequence[PendingNotice]:
        deliverable = sorted(
            (
                record
                for record in self._state.outbox.values()
                if record.delivered_at is None and not record.parked and record.available_at <= now
            ),
            key=lambda record: (record.notice.created_at, record.notice.id),
        )[:limit]
        for record in deliverable:
            self._state.outbox[record.notice.id] = replace(record, available_at=now + lease)
        return [PendingNotice(record.notice, record.failed_attempts) for record in deliverable]

    async def mark_delivered(self, notice_ids: Collection[NoticeId], *, at: datetime) -> None:
        records = [self._record(notice_id) for notice_id in notice_ids]  # all known, or none
        for record in records:
            self._state.outbox[record.notice.id] = replace(record, delivered_at=at)

    async def mark_failed(
        self, notice_id: NoticeId, *, now: datetime, retry_after: timedelta | None
    ) -> None:
        record = self._record(notice_id)
        self._state.outbox[notice_id] = replace(
            record,
            failed_attempts=record.failed_attempts + 1,
            available_at=record.available_at if retry_after is None else now + retry_after,
            parked=retry_after is None,
        )

    async def requeue(
        self, notice_ids: Collection[NoticeId] | None, *, now: datetime
    ) -> Sequence[NoticeId]:
        outbox = self._state.outbox
        asked_for = outbox.keys() if notice_ids is None else set(notice_ids) & outbox.keys()
        requeued = [notice_id for notice_id in asked_for if outbox[notice_id].parked]
        for notice_id in requeued:
            outbox[notice_id] = replace(
                outbox[notice_id], parked=False, failed_attempts=0, available_at=now
            )
        return requeued

    async def backlog(self) -> OutboxBacklog:
        undelivered = [r for r in self._state.outbox.values() if r.delivered_at is None]
        pending = [record.notice.created_at for record in undelivered if not record.parked]
        return OutboxBacklog(
            pending=len(pending),
            oldest_pending_at=min(pending, default=None),
            parked=len(undelivered) - len(pending),
        )

    def _record(self, notice_id: NoticeId) -> OutboxRecord:
        try:
            return self._state.outbox[notice_id]
        except KeyError:
            raise NoticeNotFound(f"no notice {notice_id}") from None
