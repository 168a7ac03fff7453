"""Every statement the SQL repositories run, built once.

Each statement is built once, at import, with named parameters, and executed with
values: the SQL of every query is in one file, and no request pays for building an
expression tree again. Nothing here touches a database.
"""

{% if cookiecutter.example == "ledger" %}from typing import Any

{% endif %}from sqlalchemy import (
    Float,
{%- if cookiecutter.example == "ledger" %}
    Select,
{%- endif %}
    bindparam,
    delete,
    func,
    insert,
    select,
    tuple_,
{%- if cookiecutter.example == "ledger" %}
    union_all,
{%- endif %}
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import ReturningInsert

from {{ cookiecutter.package_name }}.adapters.sql.database_clock import database_now
from {{ cookiecutter.package_name }}.adapters.sql.tables import (
{%- if cookiecutter.example == "ledger" %}
    accounts,
{%- endif %}
    audit_entries,
    idempotency_keys,
    outbox,
{%- if cookiecutter.example == "ledger" %}
    transfers,
{%- endif %}
)
{%- if cookiecutter.example == "ledger" %}

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


def _transfers_of_account(*, after_a_position: bool) -> Select[Any]:
    """Up to ``limit`` of an account's transfers, newest first, past a position if asked.

    Its outgoing transfers and its incoming ones are read apart, each a range of an index
    (``(source_id, created_at, id)``, ``(destination_id, created_at, id)``) read newest
    first from the position and stopped after ``limit`` rows; the two short lists are
    merged. One ``WHERE source_id = ? OR destination_id = ?`` instead would have the
    database read and sort the account's whole history for every page.
    """
    newest_first = (transfers.c.created_at.desc(), transfers.c.id.desc())
    sides = []
    for account_column in (transfers.c.source_id, transfers.c.destination_id):
        side = select(transfers).where(account_column == bindparam("account_id"))
        if after_a_position:
            side = side.where(
                tuple_(transfers.c.created_at, transfers.c.id)
                < tuple_(
                    bindparam("created_at", type_=transfers.c.created_at.type),
                    bindparam("id", type_=transfers.c.id.type),
                )
            )
        limited = side.order_by(*newest_first).limit(bindparam("limit")).subquery()
        sides.append(select(limited))
    both = union_all(*sides).subquery()
    return (
        select(both).order_by(both.c.created_at.desc(), both.c.id.desc()).limit(bindparam("limit"))
    )


NEWEST_TRANSFERS_OF_ACCOUNT = _transfers_of_account(after_a_position=False)
TRANSFERS_OF_ACCOUNT_AFTER = _transfers_of_account(after_a_position=True)
{%- endif %}


def _claim_key(
    dialect_insert: type[postgresql.Insert] | type[sqlite.Insert],
) -> ReturningInsert[tuple[str]]:
    """Insert the key, or take over its expired record; return the key if either happened.

    On a key another transaction inserted and has not committed yet, PostgreSQL waits
    for that transaction to end (within ``lock_timeout``) before deciding: this wait is
    what makes a retry answer with its original's outcome. SQLite never gets there: its
    writers hold the database's write lock for their whole transaction.
    """
    claim = dialect_insert(idempotency_keys)
    return claim.on_conflict_do_update(
        index_elements=[idempotency_keys.c.requested_by, idempotency_keys.c.key],
        set_={
            "fingerprint": claim.excluded.fingerprint,
            "outcome": None,
            "created_at": claim.excluded.created_at,
            "expires_at": claim.excluded.expires_at,
        },
        where=idempotency_keys.c.expires_at <= claim.excluded.created_at,
    ).returning(idempotency_keys.c.key)


CLAIM_KEY = {"postgresql": _claim_key(postgresql.Insert), "sqlite": _claim_key(sqlite.Insert)}
"""By dialect name: ``ON CONFLICT`` is spelt alike, but each dialect builds its own."""
_THE_KEY = (
    idempotency_keys.c.requested_by == bindparam("subject"),
    idempotency_keys.c.key == bindparam("key_value"),
)
"""Parameters named apart from the columns, which an UPDATE's own values take."""
KEY_RECORD = select(idempotency_keys.c.fingerprint, idempotency_keys.c.outcome).where(*_THE_KEY)
COMPLETE_KEY = update(idempotency_keys).where(*_THE_KEY).values(outcome=bindparam("outcome"))
PURGE_EXPIRED_KEYS = delete(idempotency_keys).where(
    tuple_(idempotency_keys.c.requested_by, idempotency_keys.c.key).in_(
        select(idempotency_keys.c.requested_by, idempotency_keys.c.key)
        .where(idempotency_keys.c.expires_at <= bindparam("now"))
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
)
"""SKIP LOCKED: replicas purging at the same time delete disjoint batches."""

INSERT_AUDIT_ENTRY = insert(audit_entries)

INSERT_NOTICE = insert(outbox).values(available_at=database_now())
"""Every time that decides when a notice is due is the database's (``database_clock.py``)."""
DELIVERABLE_NOTICES = (
    select(outbox.c.id)
    .where(
        outbox.c.delivered_at.is_(None),
        outbox.c.parked.is_(False),
        outbox.c.available_at <= database_now(),
    )
    .order_by(outbox.c.created_at, outbox.c.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
"""SKIP LOCKED: concurrent relays claim disjoint batches instead of queueing."""
CLAIM_NOTICES = (
    update(outbox)
    .where(outbox.c.id.in_(DELIVERABLE_NOTICES.scalar_subquery()))
    .values(available_at=database_now(bindparam("lease_seconds", type_=Float)))
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
    .values(
        failed_attempts=outbox.c.failed_attempts + 1,
        available_at=database_now(bindparam("retry_after_seconds", type_=Float)),
    )
)
PARK_NOTICE = (
    update(outbox)
    .where(outbox.c.id == bindparam("notice_id"))
    .values(failed_attempts=outbox.c.failed_attempts + 1, parked=True)
)
REQUEUE_PARKED = (
    update(outbox)
    .where(outbox.c.parked.is_(True))
    .values(parked=False, failed_attempts=0, available_at=database_now())
    .returning(outbox.c.id)
)
REQUEUE_PARKED_AMONG = REQUEUE_PARKED.where(
    outbox.c.id.in_(bindparam("notice_ids", expanding=True))
)
_NOT_PARKED = outbox.c.parked.is_(False)
OUTBOX_BACKLOG = select(
    func.count().filter(_NOT_PARKED).label("pending"),
    func.min(outbox.c.created_at).filter(_NOT_PARKED).label("oldest_pending_at"),
    func.count().filter(outbox.c.parked.is_(True)).label("parked"),
).where(outbox.c.delivered_at.is_(None))
"""One pass over the undelivered notices (the index's leading column), however many
were ever delivered."""
