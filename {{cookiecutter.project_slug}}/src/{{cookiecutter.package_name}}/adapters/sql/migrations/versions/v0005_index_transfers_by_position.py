"""Index each account's transfers by their position in a listing: (created_at, id).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08

A listing page is a range of ``(source_id, created_at, id)`` and one of
``(destination_id, created_at, id)``, read from the page's position; the indexes they
replace stopped at ``created_at``, so transfers made at the same instant had to be sorted
by id outside the index. The new indexes are built before the old ones go.

Building an index blocks writes to the table while it runs. On a large PostgreSQL table,
build them beforehand without blocking, and this revision keeps them::

    CREATE INDEX CONCURRENTLY ix_transfers_source_id_created_at_id
        ON transfers (source_id, created_at, id);
    CREATE INDEX CONCURRENTLY ix_transfers_destination_id_created_at_id
        ON transfers (destination_id, created_at, id);

(a concurrent build that fails leaves an invalid index behind: drop it and build again).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIDES = ("source_id", "destination_id")


def upgrade() -> None:
    for side in SIDES:
        op.create_index(
            op.f(f"ix_transfers_{side}_created_at_id"),
            "transfers",
            [side, "created_at", "id"],
            if_not_exists=True,
        )
    for side in SIDES:
        op.drop_index(op.f(f"ix_transfers_{side}_created_at"), table_name="transfers")


def downgrade() -> None:
    for side in SIDES:
        op.create_index(op.f(f"ix_transfers_{side}_created_at"), "transfers", [side, "created_at"])
    for side in SIDES:
        op.drop_index(op.f(f"ix_transfers_{side}_created_at_id"), table_name="transfers")
