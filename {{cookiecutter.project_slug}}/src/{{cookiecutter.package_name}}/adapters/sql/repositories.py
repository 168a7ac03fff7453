"""SQL implementations of the storage ports in ``domain/ports/storage.py``.

Each repository is bound to the one connection (and so the one transaction) of the unit
of work that created it, and never commits. Batch methods issue one statement whatever
the number of rows. Every statement is built once, in ``statements.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from {{ cookiecutter.package_name }}.adapters.sql import statements
from {{ cookiecutter.package_name }}.adapters.sql.errors import domain_errors
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.account import Account
{%- endif %}
from {{ cookiecutter.package_name }}.domain.audit import AuditEntry
from {{ cookiecutter.package_name }}.domain.backlog import OutboxBacklog
from {{ cookiecutter.package_name }}.domain.errors import (
{%- if cookiecutter.example == "ledger" %}
    AccountNotFound,
{%- endif %}
    NoticeNotFound,
    RequestInProgress,
)
from {{ cookiecutter.package_name }}.domain.idempotency import IdempotencyKey, IdempotencyRecord
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.ids import (
    AccountId,
    NoticeId,
    TransferId,
)
{%- else %}
from {{ cookiecutter.package_name }}.domain.ids import NoticeId
{%- endif %}
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
{%- endif %}
from {{ cookiecutter.package_name }}.domain.notice import Notice, PendingNotice
from {{ cookiecutter.package_name }}.domain.ports.storage import (
{%- if cookiecutter.example == "ledger" %}
    AccountRepository,
{%- endif %}
    AuditLog,
    IdempotencyRecords,
    Outbox,
{%- if cookiecutter.example == "ledger" %}
    TransferRepository,
{%- endif %}
)
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from {{ cookiecutter.package_name }}.domain.transfer_position import TransferPosition
{%- endif %}
{%- if cookiecutter.example == "ledger" %}


class SqlAccountRepository(AccountRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, account: Account) -> None:
        with domain_errors():
            await self._connection.execute(
                statements.INSERT_ACCOUNT,
                {
                    "id": account.id,
                    "owner": account.owner,
                    "owner_email": account.owner_email,
                    "currency": account.currency.value,
                    "balance_minor_units": account.balance.minor_units,
                },
            )

    async def get(self, account_id: AccountId) -> Account:
        with domain_errors():
            result = await self._connection.execute(
                statements.ACCOUNT_BY_ID, {"account_id": account_id}
            )
            row = result.one_or_none()
        if row is None:
            raise AccountNotFound(f"no account {account_id}")
        return _account(row)

    async def lock_many(self, account_ids: Collection[AccountId]) -> dict[AccountId, Account]:
        wanted = set(account_ids)
        with domain_errors():
            result = await self._connection.execute(
                statements.ACCOUNTS_BY_IDS_FOR_UPDATE, {"account_ids": list(wanted)}
            )
        found = {row.id: _account(row) for row in result}
        missing = wanted - found.keys()
        if missing:
            raise AccountNotFound(f"no account {', '.join(sorted(map(str, missing)))}")
        return found

    async def update_balances(self, accounts_: Collection[Account]) -> None:
        rows = [{"account_id": a.id, "balance": a.balance.minor_units} for a in accounts_]
        if rows:
            with domain_errors():
                await self._connection.execute(statements.SET_BALANCE, rows)


class SqlTransferRepository(TransferRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, transfer: Transfer) -> None:
        with domain_errors():
            await self._connection.execute(
                statements.INSERT_TRANSFER,
                {
                    "id": transfer.id,
                    "source_id": transfer.source_id,
                    "destination_id": transfer.destination_id,
                    "amount_minor_units": transfer.amount.minor_units,
                    "currency": transfer.amount.currency.value,
                    "created_at": transfer.created_at,
                    "requested_by": transfer.requested_by,
                },
            )

    async def list_for_account(
        self, account_id: AccountId, *, limit: int, after: TransferPosition | None = None
    ) -> Sequence[Transfer]:
        statement = statements.NEWEST_TRANSFERS_OF_ACCOUNT
        page: dict[str, object] = {"account_id": account_id, "limit": limit}
        if after is not None:
            statement = statements.TRANSFERS_OF_ACCOUNT_AFTER
            page |= {"created_at": after.created_at, "id": after.id}
        with domain_errors():
            result = await self._connection.execute(statement, page)
        return [_transfer(row) for row in result]
{%- endif %}


class SqlIdempotencyRecords(IdempotencyRecords):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._claim = statements.CLAIM_KEY[connection.dialect.name]

    async def claim(
        self, key: IdempotencyKey, fingerprint: str, *, now: datetime, expires_at: datetime
    ) -> IdempotencyRecord | None:
        the_key = {"subject": key.requested_by, "key_value": key.value}
        still_running = RequestInProgress(
            "the first request sent with this Idempotency-Key is still running; "
            "retry in a moment to get its answer"
        )
        with domain_errors(on_lock_timeout=still_running):
            claimed = await self._connection.execute(
                self._claim,
                {
                    "requested_by": key.requested_by,
                    "key": key.value,
                    "fingerprint": fingerprint,
                    "created_at": now,
                    "expires_at": expires_at,
                },
            )
            if claimed.first() is not None:
                return None
            row = (await self._connection.execute(statements.KEY_RECORD, the_key)).one()
        if row.outcome is None:
            raise RuntimeError(f"{key} was claimed in this unit of work already")
        return IdempotencyRecord(row.fingerprint, row.outcome)

    async def complete(self, key: IdempotencyKey, outcome: str) -> None:
        the_key = {"subject": key.requested_by, "key_value": key.value}
        with domain_errors():
            result = await self._connection.execute(
                statements.COMPLETE_KEY, {**the_key, "outcome": outcome}
            )
        if result.rowcount != 1:
            raise RuntimeError(f"{key} was not claimed in this unit of work")

    async def purge_expired(self, *, now: datetime, limit: int) -> int:
        with domain_errors():
            result = await self._connection.execute(
                statements.PURGE_EXPIRED_KEYS, {"now": now, "limit": limit}
            )
        return result.rowcount


class SqlAuditLog(AuditLog):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def append(self, entry: AuditEntry) -> None:
        with domain_errors():
            await self._connection.execute(
                statements.INSERT_AUDIT_ENTRY,
                {
                    "id": entry.id,
                    "action": entry.action.value,
                    "subject_id": entry.subject_id,
                    "occurred_at": entry.occurred_at,
                    "details": dict(entry.details),
                },
            )


class SqlOutbox(Outbox):
    """Schedules by the database's clock (``database_clock.py``), never by the ``now`` it
    is given: relays on hosts whose clocks disagree share one table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def put(self, notice: Notice) -> None:
        with domain_errors():
            await self._connection.execute(
                statements.INSERT_NOTICE,
                {
                    "id": notice.id,
                    "kind": notice.kind,
                    "payload": dict(notice.payload),
                    "created_at": notice.created_at,
                    "failed_attempts": 0,
                    "delivered_at": None,
                    "parked": False,
                },
            )

    async def claim(
        self, *, limit: int, now: datetime, lease: timedelta
    ) -> Sequence[PendingNotice]:
        window = {"limit": limit, "lease_seconds": lease.total_seconds()}
        with domain_errors():
            result = await self._connection.execute(statements.CLAIM_NOTICES, window)
        claimed = [_pending_notice(row) for row in result]
        return sorted(claimed, key=_oldest_first)  # RETURNING is unordered

    async def mark_delivered(self, notice_ids: Collection[NoticeId], *, at: datetime) -> None:
        wanted = set(notice_ids)
        if not wanted:
            return
        with domain_errors():
            result = await self._connection.execute(
                statements.MARK_DELIVERED, {"notice_ids": list(wanted), "at": at}
            )
            found = set(result.scalars())
        if missing := wanted - found:
            raise NoticeNotFound(f"no notice {', '.join(map(str, sorted(missing)))}")

    async def mark_failed(
        self, notice_id: NoticeId, *, now: datetime, retry_after: timedelta | None
    ) -> None:
        values: dict[str, object] = {"notice_id": notice_id}
        statement = statements.PARK_NOTICE
        if retry_after is not None:
            statement = statements.RETRY_NOTICE
            values["retry_after_seconds"] = retry_after.total_seconds()
        with domain_errors():
            result = await self._connection.execute(statement, values)
        if result.rowcount == 0:
            raise NoticeNotFound(f"no notice {notice_id}")

    async def requeue(
        self, notice_ids: Collection[NoticeId] | None, *, now: datetime
    ) -> Sequence[NoticeId]:
        values: dict[str, object] = {}
        statement = statements.REQUEUE_PARKED
        if notice_ids is not None:
            if not notice_ids:
                return []
            statement, values["notice_ids"] = statements.REQUEUE_PARKED_AMONG, list(notice_ids)
        with domain_errors():
            result = await self._connection.execute(statement, values)
            return [NoticeId(notice_id) for notice_id in result.scalars()]

    async def backlog(self) -> OutboxBacklog:
        with domain_errors():
            row = (await self._connection.execute(statements.OUTBOX_BACKLOG)).one()
        return OutboxBacklog(row.pending, row.oldest_pending_at, row.parked)
{%- if cookiecutter.example == "ledger" %}


def _account(row: Row[Any]) -> Account:
    currency = Currency(row.currency)
    return Account(
        AccountId(row.id),
        row.owner,
        row.owner_email,
        currency,
        Money(row.balance_minor_units, currency),
    )


def _transfer(row: Row[Any]) -> Transfer:
    return Transfer(
        TransferId(row.id),
        AccountId(row.source_id),
        AccountId(row.destination_id),
        Money(row.amount_minor_units, Currency(row.currency)),
        row.created_at,
        row.requested_by,
    )
{%- endif %}


def _pending_notice(row: Row[Any]) -> PendingNotice:
    notice = Notice(NoticeId(row.id), row.kind, row.created_at, row.payload)
    return PendingNotice(notice, row.failed_attempts)


def _oldest_first(pending: PendingNotice) -> tuple[datetime, NoticeId]:
    return pending.notice.created_at, pending.notice.id
