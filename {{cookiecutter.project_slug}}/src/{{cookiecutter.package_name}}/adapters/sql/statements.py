"""The statements the repositories run on every request, built once.

Building a SQLAlchemy statement is pure Python work: the expression tree, then the cache
key SQLAlchemy computes to find the compiled SQL. On a fast database that costs more
CPU than running the query (measured: about a quarter of a ``GET /accounts/{id}``). So
each statement here is built at import, with named parameters, and executed with values.
Nothing here touches a database.
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
ACCOUNTS_BY_IDS = (
    select(accounts)
    .where(accounts.c.id.in_(bindparam("account_ids", expanding=True)))
    .order_by(accounts.c.id)
)
ACCOUNTS_BY_IDS_FOR_UPDATE = ACCOUNTS_BY_IDS.with_for_update()
"""Locks rows in id order, so two transfers between the same accounts cannot deadlock."""
SET_BALANCE = (
    update(accounts)
    .where(accounts.c.id == bindparam("account_id"))
    .values(balance_minor_units=bindparam("balance"))
)

INSERT_TRANSFER = insert(transfers)
TRANSFER_BY_IDEMPOTENCY_KEY = select(transfers).where(
    transfers.c.idempotency_key == bindparam("key")
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
