"""What the two reference apps share: the tables they name, their bodies, SQLite settings.

The schema itself comes from the generated project's migrations; these definitions only
name it. Kept apart so both references run exactly the same SQL and answer the same JSON,
and differ only in sync vs async.
"""

from __future__ import annotations

import enum
import os
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

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
    update,
)

POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "10"))
"""The generated service's default; its pool is fixed (no overflow), and so are these."""

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


INLINE_BUSY_TIMEOUT_MS = 250
"""The generated service's busy timeout: short, since SQLite runs on its event loop."""


def sqlite_pragmas(busy_timeout_ms: int = 5_000) -> Callable[[Any, Any], None]:
    """A ``connect`` listener with the generated service's database settings.

    (a) keeps the sqlite3 module's usual 5 s busy timeout: its writers are threads that
    wait for each other inside SQLite. (b) and ours queue writers first and wait briefly.
    """

    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return apply
