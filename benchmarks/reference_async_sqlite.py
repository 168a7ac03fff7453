"""Reference (b) on SQLite: the same two endpoints as flat ``async def`` handlers, on our driver.

The generated service runs SQLite through the standard ``sqlite3`` module called from the
event loop's thread (its ``adapters/sql/inline.py`` says why), so the floor of what its
layers cost is this: async handlers calling SQLAlchemy's sync Core directly, with the same
pool (kept open, never waiting), the same pragmas, statements built once, and the same
SQL as ``reference_async.py`` runs on PostgreSQL. Writers of this process queue on an
``asyncio.Lock`` before ``BEGIN IMMEDIATE``, as ours do.

    DATABASE_URL=sqlite:///x.db uvicorn reference_async_sqlite:app
"""

from __future__ import annotations

import asyncio
import os
import uuid

from fastapi import FastAPI, HTTPException, Response
from reference_common import (
    ACCOUNT_BY_ID,
    ACCOUNTS_FOR_UPDATE,
    BATCH_SIZE,
    CLAIM_NOTICES,
    INLINE_BUSY_TIMEOUT_MS,
    INSERT_AUDIT_ENTRY,
    INSERT_NOTICE,
    INSERT_TRANSFER,
    MARK_DELIVERED,
    POLL_SECONDS,
    POOL_SIZE,
    SET_BALANCE,
    TRANSFER_BY_IDEMPOTENCY_KEY,
    AccountOut,
    IdempotencyKey,
    TransferBody,
    TransferOut,
    TransferRows,
    claim_window,
    deliver,
    new_balances,
    replay,
    running_in_background,
    served_like_the_service,
    sqlite_pragmas,
)
from sqlalchemy import create_engine, event

engine = create_engine(
    os.environ["DATABASE_URL"],
    pool_size=POOL_SIZE,
    max_overflow=-1,  # as the generated service: checkout never blocks the loop
    connect_args={"check_same_thread": False},
)
event.listen(engine, "connect", sqlite_pragmas(INLINE_BUSY_TIMEOUT_MS))
writer_lock = asyncio.Lock()


async def deliver_notices() -> None:
    """The outbox relay, flat: a task claims a batch, delivers it, marks it delivered, and
    waits for the next poll unless the batch was full (as the service's relay does)."""
    while True:
        async with writer_lock:
            with engine.connect() as connection:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                claimed = connection.execute(CLAIM_NOTICES, claim_window()).all()
                connection.commit()
        if claimed:
            delivered = deliver(claimed)
            async with writer_lock:
                with engine.connect() as connection:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                    connection.execute(MARK_DELIVERED, delivered)
                    connection.commit()
        if len(claimed) < BATCH_SIZE:
            await asyncio.sleep(POLL_SECONDS)


app = FastAPI(title="reference (b): flat async", lifespan=running_in_background(deliver_notices))


@app.get("/accounts/{account_id}")
async def get_account(account_id: uuid.UUID) -> AccountOut:
    with engine.connect() as connection:
        result = connection.execute(ACCOUNT_BY_ID, {"account_id": account_id})
        row = result.one_or_none()
    if row is None:
        raise HTTPException(404, f"no account {account_id}")
    return AccountOut(
        id=row.id,
        owner_email=row.owner_email,
        currency=row.currency,
        balance_minor_units=row.balance_minor_units,
    )


@app.post("/transfers", status_code=201)
async def transfer_funds(
    body: TransferBody, response: Response, idempotency_key: IdempotencyKey = None
) -> TransferOut:
    if body.source_account_id == body.destination_account_id:
        raise HTTPException(422, "source and destination must be different accounts")
    rows = TransferRows.of(body, idempotency_key)
    pair = [body.source_account_id, body.destination_account_id]
    async with writer_lock:  # as ours: this process' writers queue, SQLite never waits
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            if idempotency_key is not None:
                previous = connection.execute(
                    TRANSFER_BY_IDEMPOTENCY_KEY, {"key": idempotency_key}
                ).first()
                if previous is not None:
                    return replay(previous, body, response)
            result = connection.execute(ACCOUNTS_FOR_UPDATE, {"account_ids": pair})
            connection.execute(SET_BALANCE, new_balances({row.id: row for row in result}, body))
            connection.execute(INSERT_TRANSFER, rows.transfer)
            connection.execute(INSERT_AUDIT_ENTRY, rows.audit_entry)
            connection.execute(INSERT_NOTICE, rows.notice)
            connection.commit()
    return rows.answer


served_like_the_service(app)
