"""Every statement the SQL repositories run, built once.

Each statement is built once, at import, with named parameters, and executed with
values: the SQL of every query is in one file, and no request pays for building an
expression tree again. Nothing here touches a database.
"""

from sqlalchemy import bindparam, insert, or_, select, update

from {{ cookiecutter.package_name }}.adapters.sql.tables import (
    accounts,
    audit_entries,
    outbox,
    transfers,
)

INSERT_ACCOUNT = insert(accounts)
ACCOUNT_BY_ID = select(accounts).where(accounts.c.id == bindparam("account_id"))
ACCOUNTS_BY_IDS_FOR_UPDATE = (
    select(accounts)
    .where(accounts.c.id.in_(bindparam("account_ids", expanding=True)))
    .order_by(accounts.c.id)
    .with_for_update()
)
"""Locks rows in id order, so two transfers between the same accounts cannot deadlock."""
SET_BALANCE = (
    update(accounts)
    .where(accounts.c.id == bindparam("account_id"))
    .values(balance_minor_units=bindparam("balance"))
)

INSERT_TRANSFER = insert(transfers)
TRANSFER_BY_IDEMPOTENCY_KEY = select(transfers).where(
    transfers.c.requested_by == bindparam("requested_by"),
    transfers.c.idempotency_key == bindparam("key"),
)
TRANSFERS_OF_ACCOUNT = (
    select(transfers)
    .where(
        or_(
            transfers.c.source_id == bindparam("account_id"),
            transfers.c.destination_id == bindparam("account_id"),
        )
    )
    .order_by(transfers.c.created_at.desc(), transfers.c.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)

INSERT_AUDIT_ENTRY = insert(audit_entries)

INSERT_NOTICE = insert(outbox)
DELIVERABLE_NOTICES = (
    select(outbox.c.id)
    .where(
        outbox.c.delivered_at.is_(None),
        outbox.c.parked.is_(False),
        outbox.c.available_at <= bindparam("now"),
    )
    .order_by(outbox.c.created_at, outbox.c.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
"""SKIP LOCKED: concurrent relays claim disjoint batches instead of queueing."""
CLAIM_NOTICES = (
    update(outbox)
    .where(outbox.c.id.in_(DELIVERABLE_NOTICES.scalar_subquery()))
    .values(available_at=bindparam("lease_until"))
    .returning(*outbox.c)
)
MARK_DELIVERED = (
    update(outbox)
    .where(outbox.c.id.in_(bindparam("notice_ids", expanding=True)))
    .values(delivered_at=bindparam("at"))
    .returning(outbox.c.id)
)
RETRY_NOTICE = (
    update(outbox)
    .where(outbox.c.id == bindparam("notice_id"))
    .values(failed_attempts=outbox.c.failed_attempts + 1, available_at=bindparam("retry_at"))
)
PARK_NOTICE = (
    update(outbox)
    .where(outbox.c.id == bindparam("notice_id"))
    .values(failed_attempts=outbox.c.failed_attempts + 1, parked=True)
)
