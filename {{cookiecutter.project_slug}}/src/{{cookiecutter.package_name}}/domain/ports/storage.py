"""Storage ports: the repositories a unit of work hands out.

Implemented by ``adapters/memory/repositories.py`` and ``adapters/sql/repositories.py``,
whose classes inherit from these (``mypy --strict`` fails the build when one drifts).
Repositories never commit: the unit of work that handed them out does.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Protocol

{% if cookiecutter.example == "ledger" %}from {{ cookiecutter.package_name }}.domain.account import Account
{% endif %}from {{ cookiecutter.package_name }}.domain.audit import AuditEntry
from {{ cookiecutter.package_name }}.domain.backlog import OutboxBacklog
from {{ cookiecutter.package_name }}.domain.idempotency import IdempotencyKey, IdempotencyRecord
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.ids import AccountId, NoticeId
{%- else %}
from {{ cookiecutter.package_name }}.domain.ids import NoticeId
{%- endif %}
from {{ cookiecutter.package_name }}.domain.notice import Notice, PendingNotice
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from {{ cookiecutter.package_name }}.domain.transfer_position import TransferPosition
{%- endif %}
{%- if cookiecutter.example == "ledger" %}


class AccountRepository(Protocol):
    async def add(self, account: Account) -> None:
        """Store a new account; raise ``AccountAlreadyExists`` if its id is taken."""

    async def get(self, account_id: AccountId) -> Account:
        """Return the account; raise ``AccountNotFound`` if there is none."""

    async def lock_many(self, account_ids: Collection[AccountId]) -> dict[AccountId, Account]:
        """Fetch and lock all of ``account_ids`` in one call, in id order, for an update.

        Locking in a deterministic order is what keeps opposite concurrent transfers from
        deadlocking. Raise ``AccountNotFound`` if any of them is missing.
        """

    async def update_balances(self, accounts: Collection[Account]) -> None:
        """Persist the balances of accounts fetched from this repository."""


class TransferRepository(Protocol):
    async def add(self, transfer: Transfer) -> None:
        """Store a transfer; raise ``AccountNotFound`` if either account is missing."""

    async def list_for_account(
        self, account_id: AccountId, *, limit: int, after: TransferPosition | None = None
    ) -> Sequence[Transfer]:
        """Up to ``limit`` transfers in or out of the account, newest first (ties broken by
        id, the higher first), from the first one past ``after`` in that order (from the
        newest when None).

        What a call costs grows with ``limit``, never with the account's history: storage
        seeks the position in an index and reads from there, as far as the limit.
        """
{%- endif %}


class IdempotencyRecords(Protocol):
    """Idempotency keys, stored in the same transaction as the work done under them."""

    async def claim(
        self, key: IdempotencyKey, fingerprint: str, *, now: datetime, expires_at: datetime
    ) -> IdempotencyRecord | None:
        """Reserve ``key`` for this unit of work, or return the record it already has.

        None means the key is this unit of work's: do the work, ``complete`` the key, and
        commit both together (a rollback frees the key again). While another unit of work
        holds the key uncommitted, wait for it to end: if it commits, its record is
        returned, so a retry racing its original answers with the original's outcome
        instead of running again. Raise ``RequestInProgress`` if that wait outlasts the
        storage's lock timeout. A record that expired by ``now`` counts as absent.
        """

    async def complete(self, key: IdempotencyKey, outcome: str) -> None:
        """Store the outcome of the work done under ``key``, claimed by this unit of work."""

    async def purge_expired(self, *, now: datetime, limit: int) -> int:
        """Delete up to ``limit`` records that expired by ``now``; return how many."""


class AuditLog(Protocol):
    async def append(self, entry: AuditEntry) -> None:
        """Record an entry; it is kept only if the unit of work commits."""


class Outbox(Protocol):
    """Notices waiting to be delivered, stored with the changes they announce.

    Whose clock: ``now`` is the caller's. A storage with a clock of its own (a database
    server) schedules by that clock instead: when a notice is due, when a lease ends. All
    the relays sharing it then agree on both, however far their hosts' clocks drift apart,
    so none takes a notice another one still holds.
    """

    async def put(self, notice: Notice) -> None:
        """Store a notice; it becomes deliverable when the unit of work commits."""

    async def claim(
        self, *, limit: int, now: datetime, lease: timedelta
    ) -> Sequence[PendingNotice]:
        """Take up to ``limit`` notices due by now, oldest first, for ``lease``.

        Claimed notices are hidden from other claims until the lease ends, so several
        relays (in several processes) never deliver one notice at the same time, and a
        relay that crashes mid-delivery only delays the notice until its lease ends.
        """

    async def mark_delivered(self, notice_ids: Collection[NoticeId], *, at: datetime) -> None:
        """These notices reached their destination; they are never claimed again.

        One call for a whole batch: a relay marks everything it delivered at once, in one
        statement, not one per notice. Raise ``NoticeNotFound`` if any id is unknown.
        """

    async def mark_failed(
        self, notice_id: NoticeId, *, now: datetime, retry_after: timedelta | None
    ) -> None:
        """Count a failed attempt; due again ``retry_after`` from now, or parked if None.

        A parked notice is never claimed again until ``requeue`` gives it a fresh start.
        """

    async def requeue(
        self, notice_ids: Collection[NoticeId] | None, *, now: datetime
    ) -> Sequence[NoticeId]:
        """Un-park notices: no failed attempts any more, due now; return the ids requeued.

        ``notice_ids`` None means every parked notice. An id that names no parked notice
        (unknown, still pending, or delivered) is left alone and not returned.
        """

    async def backlog(self) -> OutboxBacklog:
        """How many notices are pending and parked, and when the oldest pending one was
        written: one query, cheap enough to run every few seconds."""
