"""Keep idempotency keys in a table of their own, for every operation that takes one.
{%- if cookiecutter.example == "ledger" %}

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

Keys used to live on transfers only. The keys of transfers made in the last 24 hours (the
default retention) move to the new table with the answer they got, so a retry that
arrives during the upgrade still replays instead of paying twice; older keys had expired
anyway. The answer and fingerprint are written in the formats of this revision, frozen
here, not imported from the application, whose formats may change later.
"""

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from {{ cookiecutter.package_name }}.adapters.sql.tables import UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RETENTION = timedelta(hours=24)

transfers = sa.table(
    "transfers",
    sa.column("id", sa.Uuid()),
    sa.column("source_id", sa.Uuid()),
    sa.column("destination_id", sa.Uuid()),
    sa.column("amount_minor_units", sa.BigInteger()),
    sa.column("currency", sa.String()),
    sa.column("created_at", UtcDateTime()),
    sa.column("requested_by", sa.String()),
    sa.column("idempotency_key", sa.String()),
)


def upgrade() -> None:
    keys = op.create_table(
        "idempotency_keys",
        sa.Column("requested_by", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("requested_by", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(op.f("ix_idempotency_keys_expires_at"), "idempotency_keys", ["expires_at"])
    now = datetime.now(UTC)
    recent = op.get_bind().execute(
        sa.select(transfers).where(
            transfers.c.idempotency_key.is_not(None), transfers.c.created_at > now - RETENTION
        )
    )
    rows = [_key_of(transfer, now) for transfer in recent]
    if rows:
        op.bulk_insert(keys, rows)
    with op.batch_alter_table("transfers") as table:
        table.drop_constraint(op.f("uq_transfers_requested_by_idempotency_key"), type_="unique")
        table.drop_column("idempotency_key")


def downgrade() -> None:
    # The keys of transfers come back; those of deposits and account openings are lost.
    with op.batch_alter_table("transfers") as table:
        table.add_column(sa.Column("idempotency_key", sa.String(length=255), nullable=True))
        table.create_unique_constraint(
            op.f("uq_transfers_requested_by_idempotency_key"),
            ["requested_by", "idempotency_key"],
        )
    keys = sa.table(
        "idempotency_keys",
        sa.column("requested_by", sa.String()),
        sa.column("key", sa.String()),
        sa.column("outcome", sa.Text()),
    )
    bind = op.get_bind()
    for stored in bind.execute(sa.select(keys).where(keys.c.outcome.is_not(None))):
        outcome = json.loads(stored.outcome)
        if set(outcome) >= {"source_id", "destination_id"}:  # a transfer's answer
            bind.execute(
                transfers.update()
                .where(transfers.c.id == sa.bindparam("transfer_id"))
                .values(idempotency_key=sa.bindparam("key")),
                {"transfer_id": uuid.UUID(outcome["id"]), "key": stored.key},
            )
    op.drop_index(op.f("ix_idempotency_keys_expires_at"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")


def _key_of(transfer: sa.Row[tuple[object, ...]], now: datetime) -> dict[str, object]:
    """The key of a transfer made before this revision, as the application stores keys."""
    request = {
        "source_id": str(transfer.source_id),
        "destination_id": str(transfer.destination_id),
        "amount": {"minor_units": transfer.amount_minor_units, "currency": transfer.currency},
    }
    canonical = json.dumps(["TransferRequest", request], sort_keys=True, default=str)
    answer = {
        "id": str(transfer.id),
        "source_id": str(transfer.source_id),
        "destination_id": str(transfer.destination_id),
        "amount_minor_units": transfer.amount_minor_units,
        "currency": transfer.currency,
        "created_at": transfer.created_at.isoformat(),
        "requested_by": transfer.requested_by,
    }
    return {
        "requested_by": transfer.requested_by,
        "key": transfer.idempotency_key,
        "fingerprint": hashlib.sha256(canonical.encode()).hexdigest(),
        "outcome": json.dumps(answer),
        "created_at": transfer.created_at,
        "expires_at": transfer.created_at + RETENTION,
    }
{%- else %}

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from {{ cookiecutter.package_name }}.adapters.sql.tables import UtcDateTime

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("requested_by", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("requested_by", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(op.f("ix_idempotency_keys_expires_at"), "idempotency_keys", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_idempotency_keys_expires_at"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
{%- endif %}
