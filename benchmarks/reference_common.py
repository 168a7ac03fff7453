"""What the reference apps share: the tables they name, their bodies, SQLite settings, and
the statements that deliver the outbox, and who the caller is.

The schema itself comes from the generated project's migrations; these definitions only
name it. Kept apart so the references run exactly the same SQL and answer the same JSON,
and differ only in sync vs async.

Like the generated service, every reference delivers the notices its transfers write, in
the background, with the service's two statements per batch of 50 (claim with a lease,
mark delivered) and a log call per notice: otherwise the service would pay for work the
references skip, and the ratios would charge the layers for the relay. For the same
reason every reference is served behind the service's own request limits
(``served_like_the_service``: 413 for a body over 64 KiB, 504 for a request not answered
in 30 s) and runs SQLite as the service does (``sqlite_like_the_service``). None of that
is layering.

Every reference authenticates its callers as the service does (``caller``, a FastAPI
dependency): a bearer JWT checked with PyJWT against the same key, algorithm allow-list
(HS256 for a development key), issuer, audience, expiry and required claims, with the
same 30 s leeway; then the scope the endpoint needs, and the account's owner (anyone
else's account is a 404). They read ``AUTH_DEV_SIGNING_KEY``, ``AUTH_ISSUER`` and
``AUTH_AUDIENCE`` from the environment, as the service does.

Every reference requires an ``Idempotency-Key`` on ``POST /transfers`` (400 without one)
and does with it what the service does, in the transfer's own transaction: claims the
caller's key in ``idempotency_keys`` with the service's statement (``INSERT ... ON
CONFLICT DO UPDATE ... WHERE`` expired ``RETURNING``), with a SHA-256 fingerprint of the
request; reads the stored record only when the key was taken (a retry, answered with the
first answer, or 422 for another request under the same key); and stores the answer with
one ``UPDATE`` before ``COMMIT``. A refused transfer rolls the claim back with the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import hashlib
import importlib
import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
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
    Text,
    Uuid,
    bindparam,
    event,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, Row

POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "10"))
"""The generated service's default; its pool is fixed (no overflow), and so are these."""

metadata = MetaData()
accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("owner", String(255)),
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
    Column("requested_by", String(255)),
)
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("requested_by", String(255), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64)),
    Column("outcome", Text),
    Column("created_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True)),
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

    @classmethod
    def of(cls, row: Row[Any]) -> TransferOut:
        return cls(
            id=row.id,
            source_account_id=row.source_id,
            destination_account_id=row.destination_id,
            amount_minor_units=row.amount_minor_units,
            currency=row.currency,
            created_at=row.created_at,
        )


class TransferLineOut(Body):
    transfer: TransferOut
    direction: str
    counterpart_account_id: uuid.UUID


class TransferPageOut(Body):
    items: list[TransferLineOut]
    limit: int
    offset: int


def transfer_page(
    account_id: uuid.UUID, rows: Iterable[Row[Any]], limit: int, offset: int
) -> TransferPageOut:
    """A page of an account's transfers as the service answers it: each line names the
    counterpart account by id only (no counterpart account is read)."""
    items = [
        TransferLineOut(
            transfer=TransferOut.of(row),
            direction="in" if row.destination_id == account_id else "out",
            counterpart_account_id=(
                row.destination_id if row.source_id == account_id else row.source_id
            ),
        )
        for row in rows
    ]
    return TransferPageOut(items=items, limit=limit, offset=offset)


PageLimit = Annotated[int, Query(ge=1, le=100)]
PageOffset = Annotated[int, Query(ge=0, le=1_000_000)]
"""The service's paging parameters (default limit 50, at most 100 lines)."""

READ, WRITE = "ledger:read", "ledger:write"
"""The scopes the measured endpoints need, as the service's ``Scope`` names them."""
AUTH_DEV_SIGNING_KEY = os.environ["AUTH_DEV_SIGNING_KEY"]
AUTH_ISSUER = os.environ["AUTH_ISSUER"]
AUTH_AUDIENCE = os.environ["AUTH_AUDIENCE"]
AUTH_ALGORITHMS = ["HS256"]
"""The service's allow-list for a development key: HS256 only, never ``none``."""
AUTH_LEEWAY = timedelta(seconds=int(os.environ.get("AUTH_CLOCK_SKEW_SECONDS", "30")))
REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]
bearer_token = HTTPBearer(auto_error=False)


@dataclass(frozen=True, slots=True)
class Caller:
    subject: str
    scopes: frozenset[str]

    def needs(self, scope: str) -> None:
        if scope not in self.scopes:
            challenge = f'Bearer error="insufficient_scope", scope="{scope}"'
            raise HTTPException(403, f"needs {scope}", {"WWW-Authenticate": challenge})


async def caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_token)],
) -> Caller:
    """Who the bearer token speaks for, or a 401: the service's checks, flat."""
    if credentials is None:
        raise HTTPException(401, "no bearer token", {"WWW-Authenticate": "Bearer"})
    try:
        claims = jwt.decode(
            credentials.credentials,
            AUTH_DEV_SIGNING_KEY,
            algorithms=AUTH_ALGORITHMS,
            issuer=AUTH_ISSUER,
            audience=AUTH_AUDIENCE,
            leeway=AUTH_LEEWAY,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError:
        challenge = 'Bearer error="invalid_token"'
        raise HTTPException(401, "invalid token", {"WWW-Authenticate": challenge}) from None
    return Caller(str(claims["sub"]), frozenset(str(claims.get("scope", "")).split()))


Authenticated = Annotated[Caller, Depends(caller)]


IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$"),
]
"""The generated service's header: the references serve the same API, retries included."""
KEY_RETENTION = timedelta(hours=float(os.environ.get("IDEMPOTENCY_KEY_RETENTION_HOURS", "24")))
"""The service's default: how long a key replays its first answer."""


def required(idempotency_key: str | None) -> str:
    """The key a transfer must carry; without one, the service's 400."""
    if idempotency_key is None:
        raise HTTPException(400, "idempotency_key_required: send an Idempotency-Key header")
    return idempotency_key


def claim_key(dialect: str) -> Any:
    """The service's claim (its ``adapters/sql/statements.py``): insert the caller's key,
    or take over its expired record; the key comes back if either happened."""
    claim = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(idempotency_keys)
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


def replay(record: Row[Any], fingerprint: str, response: Response) -> TransferOut:
    """The answer to a retry of an earlier transfer with the same Idempotency-Key: the
    first answer, as stored; 422 if the key came with another request."""
    if record.fingerprint != fingerprint:
        raise HTTPException(422, "this Idempotency-Key was sent before with another request")
    response.headers["Idempotent-Replayed"] = "true"
    return TransferOut.model_validate_json(record.outcome)


def new_balances(
    found: dict[uuid.UUID, Row[Any]], body: TransferBody, caller: Caller
) -> list[dict[str, Any]]:
    """Check the locked accounts as the service's domain does (the source must be the
    caller's: anyone else's is a 404, as a missing one); their balances after."""
    if len(found) != 2:
        raise HTTPException(404, "no such account")
    source, destination = found[body.source_account_id], found[body.destination_account_id]
    if source.owner != caller.subject:
        raise HTTPException(404, f"no account {source.id}")
    if not source.currency == destination.currency == body.currency:
        raise HTTPException(422, "currency mismatch")
    amount = body.amount_minor_units
    if source.balance_minor_units < amount:
        raise HTTPException(409, "insufficient funds")
    return [
        {"account_id": source.id, "balance": source.balance_minor_units - amount},
        {"account_id": destination.id, "balance": destination.balance_minor_units + amount},
    ]


@dataclass(frozen=True, slots=True)
class TransferRows:
    """What one transfer writes besides the balances: its idempotency key's claim, itself,
    its audit entry, its notice; and its answer, stored under the key."""

    key: dict[str, Any]
    """The claim's parameters: the caller's key, the request's fingerprint, its expiry."""
    transfer: dict[str, Any]
    audit_entry: dict[str, Any]
    notice: dict[str, Any]
    answer: TransferOut

    @classmethod
    def of(cls, body: TransferBody, idempotency_key: str, caller: Caller) -> TransferRows:
        now, transfer_id, currency = datetime.now(UTC), uuid.uuid4(), body.currency.value
        ids = {
            "source_id": str(body.source_account_id),
            "destination_id": str(body.destination_account_id),
            "amount_minor_units": str(body.amount_minor_units),
        }
        return cls(
            key={
                "requested_by": caller.subject,
                "key": idempotency_key,
                "fingerprint": hashlib.sha256(body.model_dump_json().encode()).hexdigest(),
                "created_at": now,
                "expires_at": now + KEY_RETENTION,
            },
            transfer={
                "id": transfer_id,
                "source_id": body.source_account_id,
                "destination_id": body.destination_account_id,
                "amount_minor_units": body.amount_minor_units,
                "currency": currency,
                "created_at": now,
                "requested_by": caller.subject,
            },
            audit_entry={
                "id": uuid.uuid4(),
                "action": "transfer.completed",
                "subject_id": str(transfer_id),
                "occurred_at": now,
                "details": {"actor": caller.subject, **ids},
            },
            notice={
                "id": uuid.uuid4(),
                "kind": "transfer.completed",
                "payload": {"transfer_id": str(transfer_id), **ids, "currency": currency},
                "created_at": now,
                "available_at": now,
                "failed_attempts": 0,
                "delivered_at": None,
                "parked": False,
            },
            answer=TransferOut(
                id=transfer_id,
                source_account_id=body.source_account_id,
                destination_account_id=body.destination_account_id,
                amount_minor_units=body.amount_minor_units,
                currency=body.currency,
                created_at=now,
            ),
        )

    @property
    def the_key(self) -> dict[str, Any]:
        """``KEY_RECORD``'s parameters."""
        return {"subject": self.key["requested_by"], "key_value": self.key["key"]}

    def completed(self) -> dict[str, Any]:
        """``COMPLETE_KEY``'s parameters: the answer, stored under the key."""
        return {**self.the_key, "outcome": self.answer.model_dump_json()}


# (b)'s and (c)'s statements, built once and run with parameters as the generated service
# does (its adapters/sql/statements.py): they are the floor of what the layers cost, so they
# share every other choice with ours, the query style included. (a) builds its own per
# call, as most handlers do.
ACCOUNT_BY_ID = select(accounts).where(accounts.c.id == bindparam("account_id"))
ACCOUNTS_FOR_UPDATE = (
    select(accounts)
    .where(accounts.c.id.in_(bindparam("account_ids", expanding=True)))
    .order_by(accounts.c.id)
    .with_for_update()
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
CLAIM_KEY = {"postgresql": claim_key("postgresql"), "sqlite": claim_key("sqlite")}
"""By dialect name, as the service's: ``ON CONFLICT`` is spelt alike, each builds its own."""
_THE_KEY = (
    idempotency_keys.c.requested_by == bindparam("subject"),
    idempotency_keys.c.key == bindparam("key_value"),
)
KEY_RECORD = select(idempotency_keys.c.fingerprint, idempotency_keys.c.outcome).where(*_THE_KEY)
COMPLETE_KEY = update(idempotency_keys).where(*_THE_KEY).values(outcome=bindparam("outcome"))
INSERT_TRANSFER = insert(transfers)
INSERT_AUDIT_ENTRY = insert(audit_entries)
INSERT_NOTICE = insert(outbox)

SET_BALANCE = (
    update(accounts)
    .where(accounts.c.id == bindparam("account_id"))
    .values(balance_minor_units=bindparam("balance"))
)


MAX_REQUEST_BODY_BYTES = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(64 * 1024)))
REQUEST_TIMEOUT_SECONDS = float(os.environ.get("REQUEST_TIMEOUT_SECONDS", "30"))
"""The generated service's request limits (its settings, with their defaults)."""


def running_in_background(
    relay: Callable[[], Coroutine[Any, Any, None]],
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan that runs ``relay`` as a task while the app serves (the async
    references' outbox relays; the sync one runs a thread)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(relay())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return lifespan


def served_like_the_service(app: FastAPI) -> FastAPI:
    """``app`` behind the service's request-limits middleware (413 for a body over its
    limit, 504 for a request not answered in time): without the limits a reference would
    serve a different API. The service's own middleware, imported from the baked package,
    rather than a copy."""
    limits = service_module("adapters.http.limits")
    app.add_middleware(
        limits.RequestLimits,
        max_body_bytes=MAX_REQUEST_BODY_BYTES,
        timeout_seconds=REQUEST_TIMEOUT_SECONDS,
    )
    return app


def service_module(name: str) -> Any:
    """A module of the generated service: the references run in the baked project's
    environment, and ``SERVICE_PACKAGE`` names its package."""
    return importlib.import_module(f"{os.environ['SERVICE_PACKAGE']}.{name}")


LOCK_TIMEOUT_MS = round(float(os.environ.get("DATABASE_LOCK_TIMEOUT_SECONDS", "5")) * 1000)
"""The generated service's PostgreSQL ``lock_timeout``, set once per connection: a
transfer waits at most this long for a row or key another transaction holds."""
SQLITE_BUSY_TIMEOUT_SECONDS = 5.0
"""The generated service's: how long a SQLite writer waits for another connection's lock
(the sqlite3 module's ``timeout``, given in ``connect_args``)."""
BEGIN_IMMEDIATELY = "begin_immediately"
"""Execution option of writers' engines: on SQLite their transaction begins with
``BEGIN IMMEDIATE``, as the service's writers' do. PostgreSQL ignores it."""


def sqlite_like_the_service(sync_engine: Engine) -> None:
    """The generated service's SQLite settings (its ``adapters/sql/engine.py``):
    SQLAlchemy's documented recipe, so every app sends SQLite the same statements.

    WAL, foreign keys and ``synchronous=NORMAL``; transactions begun by SQLAlchemy rather
    than the sqlite3 module: ``BEGIN IMMEDIATE`` for writers (an engine with
    ``BEGIN_IMMEDIATELY`` set), a plain ``BEGIN`` for readers.
    """

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        writing = connection.get_execution_options().get(BEGIN_IMMEDIATELY, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


BATCH_SIZE = 50
POLL_SECONDS = float(os.environ.get("OUTBOX_POLL_INTERVAL_SECONDS", "0.5"))
LEASE = timedelta(seconds=10)
"""The generated service's defaults: batch, idle poll interval, and lease (2 x 5 s)."""
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
notices_log = logging.getLogger("notices")


def claim_window() -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"now": now, "limit": BATCH_SIZE, "lease_until": now + LEASE}


def deliver(notices: Sequence[Row[Any]]) -> dict[str, Any]:
    """'Deliver' claimed notices as the service's default notifier does (a log call each);
    the parameters that mark them delivered."""
    for notice in notices:
        notices_log.info("%s %s %s", notice.kind, notice.id, dict(notice.payload))
    return {"notice_ids": [notice.id for notice in notices], "at": datetime.now(UTC)}
