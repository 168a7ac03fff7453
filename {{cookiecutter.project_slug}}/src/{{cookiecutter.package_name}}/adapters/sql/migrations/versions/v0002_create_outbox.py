"""Create the outbox of notices waiting for delivery{% if cookiecutter.example == "none" %}, and the audit log{% endif %}.

Revision ID: 0002
Revises:{% if cookiecutter.example == "ledger" %} 0001{% endif %}
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from {{ cookiecutter.package_name }}.adapters.sql.tables import UtcDateTime

revision: str = "0002"
down_revision: str | None = {% if cookiecutter.example == "ledger" %}"0001"{% else %}None{% endif %}
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("available_at", UtcDateTime(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("parked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(
        op.f("ix_outbox_delivered_at_parked_available_at"),
        "outbox",
        ["delivered_at", "parked", "available_at"],
    )
{%- if cookiecutter.example == "none" %}
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(op.f("ix_audit_entries_subject_id"), "audit_entries", ["subject_id"])
{%- endif %}


def downgrade() -> None:
{%- if cookiecutter.example == "none" %}
    op.drop_index(op.f("ix_audit_entries_subject_id"), table_name="audit_entries")
    op.drop_table("audit_entries")
{%- endif %}
    op.drop_index(op.f("ix_outbox_delivered_at_parked_available_at"), table_name="outbox")
    op.drop_table("outbox")
