"""The schema, as SQLAlchemy Core tables. Alembic migrations must match it exactly."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
{%- if cookiecutter.example == "ledger" %}
    BigInteger,
{%- endif %}
    Boolean,
{%- if cookiecutter.example == "ledger" %}
    CheckConstraint,
{%- endif %}
    Column,
    DateTime,
    Dialect,
{%- if cookiecutter.example == "ledger" %}
    ForeignKey,
{%- endif %}
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.types import TypeDecorator

from {{ cookiecutter.package_name }}.domain.idempotency import MAX_KEY_LENGTH
from {{ cookiecutter.package_name }}.domain.principal import MAX_SUBJECT_LENGTH

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is UTC:  # the clock's own values: nothing to convert
            return value
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)

{% if cookiecutter.example == "ledger" %}
accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("owner", String(MAX_SUBJECT_LENGTH), nullable=False),
    Column("owner_email", String(320), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("balance_minor_units", BigInteger, nullable=False),
    CheckConstraint("balance_minor_units >= 0", name="balance_not_negative"),
)

transfers = Table(
    "transfers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("source_id", Uuid, ForeignKey("accounts.id"), nullable=False),
    Column("destination_id", Uuid, ForeignKey("accounts.id"), nullable=False),
    Column("amount_minor_units", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("requested_by", String(MAX_SUBJECT_LENGTH), nullable=False),
    # An account's transfers out and in, each in the listing's order: a page is a range
    # of each, read from its position (statements.py, _transfers_of_account).
    Index(None, "source_id", "created_at", "id"),
    Index(None, "destination_id", "created_at", "id"),
)
{% endif %}
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("requested_by", String(MAX_SUBJECT_LENGTH), primary_key=True),
    Column("key", String(MAX_KEY_LENGTH), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("outcome", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)
"""``outcome`` is NULL only inside the transaction that claimed the key."""

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("action", String(64), nullable=False),
    Column("subject_id", String(64), nullable=False, index=True),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("details", JSON, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("available_at", UtcDateTime, nullable=False),
    Column("failed_attempts", Integer, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("parked", Boolean, nullable=False),
    Index(None, "delivered_at", "parked", "available_at"),
)

# add_aggregate: tables
