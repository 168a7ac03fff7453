"""Reference (a): the same endpoints as a flat *sync* FastAPI app: what most people write.

``def`` endpoints (FastAPI runs them in its thread pool) on a sync SQLAlchemy engine with
the sync driver: sqlite3, or psycopg 3 for PostgreSQL. The same SQL as the generated
service: ``GET /accounts/{id}`` is one SELECT; ``GET /accounts/{id}/transfers`` the
account, then the page (no counterpart account is read); ``POST /transfers`` claims its
Idempotency-Key (``BEGIN IMMEDIATE`` first on SQLite), locks both accounts in id order
(``SELECT ... FOR UPDATE`` on PostgreSQL), updates both balances, inserts the transfer,
its audit entry and its outbox row, and stores its answer under the key, in one
transaction (``reference_common`` says what the key costs). Every endpoint takes a bearer
token (``reference_common.caller``, an ``async`` dependency, as the service's is), needs
the service's scope for it and serves the caller's own accounts only.

    DATABASE_URL=sqlite+aiosqlite:///x.db uvicorn reference_sync:app

It takes the generated service's ``DATABASE_URL`` and swaps each async driver for its
sync counterpart: aiosqlite for sqlite3, asyncpg for psycopg. On SQLite it sends the same
statements as the service (``sqlite_like_the_service``); its writers are threads, and
wait for each other inside SQLite.

The schema comes from the generated project's migrations; ``reference_common.py`` names it.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Response
from reference_common import (
    BATCH_SIZE,
    BEGIN_IMMEDIATELY,
    CLAIM_NOTICES,
    LOCK_TIMEOUT_MS,
    MARK_DELIVERED,
    POLL_SECONDS,
    POOL_SIZE,
    READ,
    SET_BALANCE,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    WRITE,
    AccountOut,
    Authenticated,
    IdempotencyKey,
    PageLimit,
    PageOffset,
    TransferBody,
    TransferOut,
    TransferPageOut,
    TransferRows,
    accounts,
    audit_entries,
    claim_key,
    claim_window,
    deliver,
    idempotency_keys,
    new_balances,
    outbox,
    replay,
    required,
    served_like_the_service,
    sqlite_like_the_service,
    transfer_page,
    transfers,
)
from sqlalchemy import create_engine, or_, select, update

SYNC_DRIVERS = {"sqlite+aiosqlite:": "sqlite:", "postgresql+asyncpg:": "postgresql+psycopg:"}
DATABASE_URL = os.environ["DATABASE_URL"]
for async_driver, sync_driver in SYNC_DRIVERS.items():
    DATABASE_URL = DATABASE_URL.replace(async_driver, sync_driver, 1)
SQLITE = DATABASE_URL.startswith("sqlite")

engine = create_engine(
    DATABASE_URL,
    pool_size=POOL_SIZE,
    max_overflow=0,  # as the generated service: a fixed pool
    connect_args=(
        {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        if SQLITE
        else {"connect_timeout": 5, "options": f"-c lock_timeout={LOCK_TIMEOUT_MS}ms"}
    ),
)
writers = engine.execution_options(**{BEGIN_IMMEDIATELY: True})
if SQLITE:
    sqlite_like_the_service(engine)


def deliver_notices(stopping: threading.Event) -> None:
    """The outbox relay, flat: a thread claims a batch, delivers it, marks it delivered,
    and waits for the next poll unless the batch was full (as the service's relay does)."""
    while not stopping.is_set():
        with writers.connect() as connection:
            claimed = connection.execute(CLAIM_NOTICES, claim_window()).all()
            connection.commit()
        if claimed:
            delivered = deliver(claimed)
            with writers.connect() as connection:
                connection.execute(MARK_DELIVERED, delivered)
                connection.commit()
        if len(claimed) < BATCH_SIZE:
            stopping.wait(POLL_SECONDS)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    stopping = threading.Event()
    relay = threading.Thread(target=deliver_notices, args=(stopping,), daemon=True)
    relay.start()
    yield
    stopping.set()
    relay.join()


app = FastAPI(title="reference (a): flat sync", lifespan=lifespan)


@app.get("/accounts/{account_id}")
def get_account(caller: Authenticated, account_id: uuid.UUID) -> AccountOut:
    caller.needs(READ)
    with engine.connect() as connection:
        result = connection.execute(select(accounts).where(accounts.c.id == account_id))
        row = result.one_or_none()
    if row is None or row.owner != caller.subject:
        raise HTTPException(404, f"no account {account_id}")
    return AccountOut(
        id=row.id,
        owner_email=row.owner_email,
        currency=row.currency,
        balance_minor_units=row.balance_minor_units,
    )


@app.get("/accounts/{account_id}/transfers")
def list_transfers(
    caller: Authenticated, account_id: uuid.UUID, limit: PageLimit = 50, offset: PageOffset = 0
) -> TransferPageOut:
    caller.needs(READ)
    with engine.connect() as connection:
        result = connection.execute(select(accounts).where(accounts.c.id == account_id))
        account = result.one_or_none()
        if account is None or account.owner != caller.subject:
            raise HTTPException(404, f"no account {account_id}")
        rows = connection.execute(
            select(transfers)
            .where(
                or_(transfers.c.source_id == account_id, transfers.c.destination_id == account_id)
            )
            .order_by(transfers.c.created_at.desc(), transfers.c.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
    return transfer_page(account_id, rows, limit, offset)


@app.post("/transfers", status_code=201)
def transfer_funds(
    caller: Authenticated,
    body: TransferBody,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> TransferOut:
    caller.needs(WRITE)
    key = required(idempotency_key)
    if body.source_account_id == body.destination_account_id:
        raise HTTPException(422, "source and destination must be different accounts")
    rows = TransferRows.of(body, key, caller)
    the_key = (
        idempotency_keys.c.requested_by == caller.subject,
        idempotency_keys.c.key == key,
    )
    with writers.connect() as connection:
        if connection.execute(claim_key(connection.dialect.name), rows.key).first() is None:
            stored = idempotency_keys.c.fingerprint, idempotency_keys.c.outcome
            record = connection.execute(select(*stored).where(*the_key)).one()
            connection.commit()
            return replay(record, rows.key["fingerprint"], response)
        result = connection.execute(
            select(accounts)
            .where(accounts.c.id.in_([body.source_account_id, body.destination_account_id]))
            .order_by(accounts.c.id)
            .with_for_update()
        )
        balances = new_balances({row.id: row for row in result}, body, caller)
        connection.execute(SET_BALANCE, balances)
        connection.execute(transfers.insert().values(**rows.transfer))
        connection.execute(audit_entries.insert().values(**rows.audit_entry))
        connection.execute(outbox.insert().values(**rows.notice))
        outcome = rows.answer.model_dump_json()
        connection.execute(update(idempotency_keys).where(*the_key).values(outcome=outcome))
        connection.commit()
    return rows.answer


served_like_the_service(app)
