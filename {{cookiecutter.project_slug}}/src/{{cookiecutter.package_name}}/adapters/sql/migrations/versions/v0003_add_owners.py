"""Give accounts an owner and scope idempotency keys to the subject that sent them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

Rows written before this revision get the empty subject (``''``). No token carries an
empty subject, so accounts opened before authentication existed belong to nobody until
an operator gives them an owner, for example::

    UPDATE accounts SET owner = '<subject>' WHERE owner_email = '<email>';

Batch mode rewrites the tables on SQLite, which cannot alter a column in place; on
PostgreSQL the same calls are plain ``ALTER TABLE`` statements.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOBODY = ""


def upgrade() -> None:
    # Added with a default, so existing rows get one; the default then goes: new rows
    # must name their owner.
    with op.batch_alter_table("accounts") as accounts:
        accounts.add_column(
            sa.Column("owner", sa.String(length=255), nullable=False, server_default=NOBODY)
        )
    with op.batch_alter_table("accounts") as accounts:
        accounts.alter_column("owner", server_default=None)
    with op.batch_alter_table("transfers") as transfers:
        transfers.add_column(
            sa.Column("requested_by", sa.String(length=255), nullable=False, server_default=NOBODY)
        )
    with op.batch_alter_table("transfers") as transfers:
        transfers.alter_column("requested_by", server_default=None)
        transfers.drop_constraint(op.f("uq_transfers_idempotency_key"), type_="unique")
        transfers.create_unique_constraint(
            op.f("uq_transfers_requested_by_idempotency_key"),
            ["requested_by", "idempotency_key"],
        )


def downgrade() -> None:
    # Fails, as it should, if two subjects used the same key: keys were global before.
    with op.batch_alter_table("transfers") as transfers:
        transfers.drop_constraint(op.f("uq_transfers_requested_by_idempotency_key"), type_="unique")
        transfers.create_unique_constraint(
            op.f("uq_transfers_idempotency_key"), ["idempotency_key"]
        )
        transfers.drop_column("requested_by")
    with op.batch_alter_table("accounts") as accounts:
        accounts.drop_column("owner")
