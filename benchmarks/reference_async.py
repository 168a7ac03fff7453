"""Reference (b) on PostgreSQL: the same two endpoints as a flat async FastAPI app, on our driver.

No layers: the handler talks to SQLAlchemy (async Core) directly, on the same driver as
the generated service (asyncpg), with the same pool, statements built once as ours are,
and the same SQL: ``GET /accounts/{id}`` is
one SELECT; ``POST /transfers`` locks both accounts in id order (``BEGIN IMMEDIATE`` on
SQLite, ``SELECT ... FOR UPDATE`` on PostgreSQL), updates both balances, and inserts the
transfer, its audit entry and its outbox row in one transaction.

    DATABASE_URL=postgresql+asyncpg://... uvicorn reference_async:app

On SQLite (``sqlite+aiosqlite://``) it is reference (c): the flat async app on aiosqlite,
the async driver the service does not use; ``reference_async_sqlite.py`` is (b) there.

The schema comes from the generated project's migrations; ``reference_common.py`` names it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI, HTTPException, Response
from reference_common import (
    BATCH_SIZE,
    CLAIM_NOTICES,
    MARK_DELIVERED,
    POLL_SECONDS,
    POOL_SIZE,
    SET_BALANCE,
    TRANSFER_BY_IDEMPOTENCY_KEY,
    AccountOut,
    IdempotencyKey,
    TransferBody,
    TransferOut,
    accounts,
    audit_entries,
    claim_window,
    deliver,
    outbox,
    replay,
    sqlite_pragmas,
    transfers,
)
from sqlalchemy import bindparam, event, insert, select
from sqlalchemy.ext.asyncio import create_async_engine

DATABASE_URL = os.environ["DATABASE_URL"]
SQLITE = DATABASE_URL.startswith("sqlite")

engine = create_async_engine(
    DATABASE_URL,
    pool_size=POOL_SIZE,
    max_overflow=0,  # as the generated service: a fixed pool
    connect_args={"timeout": 5.0},
)
if SQLITE:
    # (c): aiosqlite as the service used it before, busy timeout 5 s and no writer queue.
    event.listen(engine.sync_engine, "connect", sqlite_pragmas())

# Built once, run with parameters, as the generated service does (its
# adapters/sql/statements.py): (b) is the floor of what the layers cost, so it shares every
# other choice with ours, the query style included. (a) builds them per call, as most do.
ACCOUNT_BY_ID = select(accounts).where(accounts.c.id == bindparam("account_id"))
ACCOUNTS_FOR_UPDATE = (
    select(accounts)
    .where(accounts.c.id.in_(bindparam("account_ids", expanding=True)))
    .order_by(accounts.c.id)
    .with_for_update()
)
INSERT_TRANSFER = insert(transfers)
INSERT_AUDIT_ENTRY = insert(audit_entries)
INSERT_NOTICE = insert(outbox)


async def deliver_notices() -> None:
    """The outbox relay, flat: a task claims a batch, delivers it, marks it delivered, and
    waits for the next poll unless the batch was full (as the service's relay does)."""
    while True:
        async with engine.connect() as connection:
            if SQLITE:
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
            claimed = (await connection.execute(CLAIM_NOTICES, claim_window())).all()
            await connection.commit()
        if claimed:
            delivered = deliver(claimed)
            async with engine.connect() as connection:
                if SQLITE:
                    await connection.exec_driver_sql("BEGIN IMMEDIATE")
                await connection.execute(MARK_DELIVERED, delivered)
                await connection.commit()
        if len(claimed) < BATCH_SIZE:
            await asyncio.sleep(POLL_SECONDS)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    relay = asyncio.create_task(deliver_notices())
    yield
    relay.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await relay


app = FastAPI(title="reference (b): flat async", lifespan=lifespan)


@app.get("/accounts/{account_id}")
async def get_account(account_id: uuid.UUID) -> AccountOut:
    async with engine.connect() as connection:
        result = await connection.execute(ACCOUNT_BY_ID, {"account_id": account_id})
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
    source_id, destination_id = body.source_account_id, body.destination_account_id
    if source_id == destination_id:
        raise HTTPException(422, "source and destination must be different accounts")
    amount = body.amount_minor_units
    now = datetime.now(UTC)
    transfer_id = uuid.uuid4()
    async with engine.connect() as connection:
        if SQLITE:
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        if idempotency_key is not None:
            previous = (
                await connection.execute(TRANSFER_BY_IDEMPOTENCY_KEY, {"key": idempotency_key})
            ).first()
            if previous is not None:
                return replay(previous, body, response)
        result = await connection.execute(
            ACCOUNTS_FOR_UPDATE, {"account_ids": [source_id, destination_id]}
        )
        found = {row.id: row for row in result}
        if len(found) != 2:
            raise HTTPException(404, "no such account")
        source, destination = found[source_id], found[destination_id]
        if not source.currency == destination.currency == body.currency:
            raise HTTPException(422, "currency mismatch")
        if source.balance_minor_units < amount:
            raise HTTPException(409, "insufficient funds")
        await connection.execute(
            SET_BALANCE,
            [
                {"account_id": source_id, "balance": source.balance_minor_units - amount},
                {"account_id": destination_id, "balance": destination.balance_minor_units + amount},
            ],
        )
        await connection.execute(
            INSERT_TRANSFER,
            {
                "id": transfer_id,
                "source_id": source_id,
                "destination_id": destination_id,
                "amount_minor_units": amount,
                "currency": body.currency.value,
                "created_at": now,
                "idempotency_key": idempotency_key,
            },
        )
        await connection.execute(
            INSERT_AUDIT_ENTRY,
            {
                "id": uuid.uuid4(),
                "action": "transfer.completed",
                "subject_id": str(transfer_id),
                "occurred_at": now,
                "details": {
                    "source_id": str(source_id),
                    "destination_id": str(destination_id),
                    "amount_minor_units": str(amount),
                },
            },
        )
        await connection.execute(
            INSERT_NOTICE,
            {
                "id": uuid.uuid4(),
                "kind": "transfer.completed",
                "payload": {
                    "transfer_id": str(transfer_id),
                    "source_id": str(source_id),
                    "destination_id": str(destination_id),
                    "amount_minor_units": str(amount),
                    "currency": body.currency.value,
                },
                "created_at": now,
                "available_at": now,
                "failed_attempts": 0,
                "delivered_at": None,
                "parked": False,
            },
        )
        await connection.commit()
    return TransferOut(
        id=transfer_id,
        source_account_id=source_id,
        destination_account_id=destination_id,
        amount_minor_units=amount,
        currency=body.currency,
        created_at=now,
    )
