"""References (b) and (c): the same endpoints as a flat async FastAPI app, on our drivers.

No layers: the handlers talk to SQLAlchemy (async Core) directly, on the generated
service's drivers, with its pool, statements built once as ours are, and the same SQL:
``GET /accounts/{id}`` is one SELECT; ``GET /accounts/{id}/transfers`` the account, then
the page (no counterpart account is read); ``POST /transfers`` claims its Idempotency-Key
(``BEGIN IMMEDIATE`` first on SQLite), locks both accounts in id order (``SELECT ... FOR
UPDATE`` on PostgreSQL), updates both balances, inserts the transfer, its audit entry and
its outbox row, and stores its answer under the key, in one transaction
(``reference_common`` says what the key costs). Every endpoint takes a bearer token
(``reference_common.caller``), needs the service's scope for it and serves the caller's
own accounts only.

    DATABASE_URL=postgresql+asyncpg://... uvicorn reference_async:app    # (b)
    DATABASE_URL=sqlite+aiosqlite:///x.db uvicorn reference_async:app    # (c)

On SQLite it runs SQLite as the service does: its settings (``sqlite_like_the_service``)
and its writers queued on an ``asyncio.Lock`` before ``BEGIN IMMEDIATE``.

The schema comes from the generated project's migrations; ``reference_common.py`` names it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid

from fastapi import FastAPI, HTTPException, Response
from reference_common import (
    ACCOUNT_BY_ID,
    ACCOUNTS_FOR_UPDATE,
    BATCH_SIZE,
    BEGIN_IMMEDIATELY,
    CLAIM_KEY,
    CLAIM_NOTICES,
    COMPLETE_KEY,
    INSERT_AUDIT_ENTRY,
    INSERT_NOTICE,
    INSERT_TRANSFER,
    KEY_RECORD,
    LOCK_TIMEOUT_MS,
    MARK_DELIVERED,
    POLL_SECONDS,
    POOL_SIZE,
    READ,
    SET_BALANCE,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    TRANSFERS_OF_ACCOUNT,
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
    claim_window,
    deliver,
    new_balances,
    replay,
    required,
    running_in_background,
    served_like_the_service,
    sqlite_like_the_service,
    transfer_page,
)
from sqlalchemy.ext.asyncio import create_async_engine

DATABASE_URL = os.environ["DATABASE_URL"]
SQLITE = DATABASE_URL.startswith("sqlite")

engine = create_async_engine(
    DATABASE_URL,
    pool_size=POOL_SIZE,
    max_overflow=0,  # as the generated service: a fixed pool
    connect_args=(
        {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        if SQLITE
        else {"timeout": 5.0, "server_settings": {"lock_timeout": f"{LOCK_TIMEOUT_MS}ms"}}
    ),
)
writers = engine.execution_options(**{BEGIN_IMMEDIATELY: True})
claim_key = CLAIM_KEY[engine.dialect.name]
writer_queue: contextlib.AbstractAsyncContextManager[object] = contextlib.nullcontext()
if SQLITE:
    sqlite_like_the_service(engine.sync_engine)
    writer_queue = asyncio.Lock()  # as the service: this process' writers take turns


async def deliver_notices() -> None:
    """The outbox relay, flat: a task claims a batch, delivers it, marks it delivered, and
    waits for the next poll unless the batch was full (as the service's relay does)."""
    while True:
        async with writer_queue, writers.connect() as connection:
            claimed = (await connection.execute(CLAIM_NOTICES, claim_window())).all()
            await connection.commit()
        if claimed:
            delivered = deliver(claimed)
            async with writer_queue, writers.connect() as connection:
                await connection.execute(MARK_DELIVERED, delivered)
                await connection.commit()
        if len(claimed) < BATCH_SIZE:
            await asyncio.sleep(POLL_SECONDS)


app = FastAPI(
    title="reference (b)/(c): flat async", lifespan=running_in_background(deliver_notices)
)


@app.get("/accounts/{account_id}")
async def get_account(caller: Authenticated, account_id: uuid.UUID) -> AccountOut:
    caller.needs(READ)
    async with engine.connect() as connection:
        result = await connection.execute(ACCOUNT_BY_ID, {"account_id": account_id})
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
async def list_transfers(
    caller: Authenticated, account_id: uuid.UUID, limit: PageLimit = 50, offset: PageOffset = 0
) -> TransferPageOut:
    caller.needs(READ)
    async with engine.connect() as connection:
        result = await connection.execute(ACCOUNT_BY_ID, {"account_id": account_id})
        account = result.one_or_none()
        if account is None or account.owner != caller.subject:
            raise HTTPException(404, f"no account {account_id}")
        page = {"account_id": account_id, "limit": limit, "offset": offset}
        rows = (await connection.execute(TRANSFERS_OF_ACCOUNT, page)).all()
    return transfer_page(account_id, rows, limit, offset)


@app.post("/transfers", status_code=201)
async def transfer_funds(
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
    pair = [body.source_account_id, body.destination_account_id]
    async with writer_queue, writers.connect() as connection:
        if (await connection.execute(claim_key, rows.key)).first() is None:  # sent before
            record = (await connection.execute(KEY_RECORD, rows.the_key)).one()
            await connection.commit()
            return replay(record, rows.key["fingerprint"], response)
        result = await connection.execute(ACCOUNTS_FOR_UPDATE, {"account_ids": pair})
        balances = new_balances({row.id: row for row in result}, body, caller)
        await connection.execute(SET_BALANCE, balances)
        await connection.execute(INSERT_TRANSFER, rows.transfer)
        await connection.execute(INSERT_AUDIT_ENTRY, rows.audit_entry)
        await connection.execute(INSERT_NOTICE, rows.notice)
        await connection.execute(COMPLETE_KEY, rows.completed())
        await connection.commit()
    return rows.answer


served_like_the_service(app)
