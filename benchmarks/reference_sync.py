"""Reference (a): the same two endpoints as a flat *sync* FastAPI app: what most people write.

``def`` endpoints (FastAPI runs them in its thread pool) on a sync SQLAlchemy engine with
the sync driver: sqlite3, or psycopg 3 for PostgreSQL. The same SQL as the generated
service: ``GET /accounts/{id}`` is one SELECT; ``POST /transfers`` locks both accounts in
id order (``BEGIN IMMEDIATE`` on SQLite, ``SELECT ... FOR UPDATE`` on PostgreSQL), updates
both balances, and inserts the transfer, its audit entry and its outbox row in one
transaction.

    DATABASE_URL=sqlite+aiosqlite:///x.db uvicorn reference_sync:app

It takes the generated service's (async) ``DATABASE_URL`` and swaps the driver.

The schema comes from the generated project's migrations; the tables below only name it.
"""

from __future__ import annotations

import enum
import os
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    bindparam,
    create_engine,
    event,
    select,
    update,
)

DATABASE_URL = (
    os.environ["DATABASE_URL"]
    .replace("sqlite+aiosqlite:", "sqlite+pysqlite:", 1)
    .replace("postgresql+asyncpg:", "postgresql+psycopg:", 1)
)
SQLITE = DATABASE_URL.startswith("sqlite")
POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "10"))

metadata = MetaData()
accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("owner_email", String(320)),
    Column("currency", String(3)),
    Column("balance_minor_units", BigInteger),
)
transfers = Table(
    "transfers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("source_id", Uuid),
    Column("destination_id", Uuid),
    Column("amount_minor_units", BigInteger),
    Column("currency", String(3)),
    Column("created_at", DateTime(timezone=True)),
    Column("idempotency_key", String(255)),
)
audit_entries = Table(
    "audit_entries",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("action", String(64)),
    Column("subject_id", String(64)),
    Column("occurred_at", DateTime(timezone=True)),
    Column("details", JSON),
)
outbox = Table(
    "outbox",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(64)),
    Column("payload", JSON),
    Column("created_at", DateTime(timezone=True)),
    Column("available_at", DateTime(timezone=True)),
    Column("failed_attempts", Integer),
    Column("delivered_at", DateTime(timezone=True)),
    Column("parked", Boolean),
)

if SQLITE:
    engine = create_engine(
        DATABASE_URL,
        pool_size=POOL_SIZE,
        max_overflow=0,  # as the generated service: a fixed pool
        connect_args={"timeout": 5.0},
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # The same database settings as the generated service.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

else:
    engine = create_engine(
        DATABASE_URL,
        pool_size=POOL_SIZE,
        max_overflow=0,  # as the generated service: a fixed pool
        connect_args={"connect_timeout": 5},
    )

app = FastAPI(title="reference (a): flat sync")


class Currency(enum.StrEnum):
    EUR = "EUR"
    USD = "USD"
    GBP = "GBP"
    CHF = "CHF"
    JPY = "JPY"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccountOut(Body):
    id: uuid.UUID
    owner_email: str
    currency: Currency
    balance_minor_units: int


class TransferBody(Body):
    source_account_id: uuid.UUID
    destination_account_id: uuid.UUID
    amount_minor_units: Annotated[StrictInt, Field(gt=0, le=2**63 - 1)]
    currency: Currency


class TransferOut(Body):
    id: uuid.UUID
    source_account_id: uuid.UUID
    destination_account_id: uuid.UUID
    amount_minor_units: int
    currency: Currency
    created_at: datetime


SET_BALANCE = (
    update(accounts)
    .where(accounts.c.id == bindparam("account_id"))
    .values(balance_minor_units=bindparam("balance"))
)


@app.get("/accounts/{account_id}")
def get_account(account_id: uuid.UUID) -> AccountOut:
    with engine.connect() as connection:
        result = connection.execute(select(accounts).where(accounts.c.id == account_id))
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
def transfer_funds(body: TransferBody) -> TransferOut:
    source_id, destination_id = body.source_account_id, body.destination_account_id
    if source_id == destination_id:
        raise HTTPException(422, "source and destination must be different accounts")
    amount = body.amount_minor_units
    now = datetime.now(UTC)
    transfer_id = uuid.uuid4()
    with engine.connect() as connection:
        if SQLITE:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        result = connection.execute(
            select(accounts)
            .where(accounts.c.id.in_([source_id, destination_id]))
            .order_by(accounts.c.id)
            .with_for_update()
        )
        found = {row.id: row for row in result}
        if len(found) != 2:
            raise HTTPException(404, "no such account")
        source, destination = found[source_id], found[destination_id]
        if not source.currency == destination.currency == body.currency:
            raise HTTPException(422, "currency mismatch")
        if source.balance_minor_units < amount:
            raise HTTPException(409, "insufficient funds")
        connection.execute(
            SET_BALANCE,
            [
                {"account_id": source_id, "balance": source.balance_minor_units - amount},
                {"account_id": destination_id, "balance": destination.balance_minor_units + amount},
            ],
        )
        connection.execute(
            transfers.insert().values(
                id=transfer_id,
                source_id=source_id,
                destination_id=destination_id,
                amount_minor_units=amount,
                currency=body.currency.value,
                created_at=now,
                idempotency_key=None,
            )
        )
        connection.execute(
            audit_entries.insert().values(
                id=uuid.uuid4(),
                action="transfer.completed",
                subject_id=str(transfer_id),
                occurred_at=now,
                details={
                    "source_id": str(source_id),
                    "destination_id": str(destination_id),
                    "amount_minor_units": str(amount),
                },
            )
        )
        connection.execute(
            outbox.insert().values(
                id=uuid.uuid4(),
                kind="transfer.completed",
                payload={
                    "transfer_id": str(transfer_id),
                    "source_id": str(source_id),
                    "destination_id": str(destination_id),
                    "amount_minor_units": str(amount),
                    "currency": body.currency.value,
                },
                created_at=now,
                available_at=now,
                failed_attempts=0,
                delivered_at=None,
                parked=False,
            )
        )
        connection.commit()
    return TransferOut(
        id=transfer_id,
        source_account_id=source_id,
        destination_account_id=destination_id,
        amount_minor_units=amount,
        currency=body.currency,
        created_at=now,
    )
