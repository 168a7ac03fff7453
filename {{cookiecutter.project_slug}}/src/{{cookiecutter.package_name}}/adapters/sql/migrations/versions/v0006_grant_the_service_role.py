"""PostgreSQL: the service runs as a role with data rights only; audit entries are
insert-only for it.

Revision ID: 0006
Revises: {% if cookiecutter.example == "ledger" %}0005{% else %}0004{% endif %}
Create Date: 2026-12-07

Migrations run as the owner of the tables (``MIGRATION_DATABASE_URL``); the service as a
login role that is a member of ``SERVICE_ROLE`` (``DATABASE_URL``), which this revision
creates if it is missing and grants: read and write on the {% if cookiecutter.example == "ledger" %}ledger's{% else %}service's{% endif %} tables, read and
insert only on ``audit_entries`` (what the service wrote there stays written), read on
``alembic_version`` (readiness compares it with this release), and nothing else: no DDL,
no other schema. Tables created by later migrations, by the same owner, get read and
write through default privileges; one that must not (another audit trail) revokes it.
SQLite has no roles: this revision does nothing there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "{% if cookiecutter.example == "ledger" %}0005{% else %}0004{% endif %}"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERVICE_ROLE = "{{ cookiecutter.package_name }}_service"
WRITTEN_BY_THE_SERVICE = ({% if cookiecutter.example == "ledger" %}"accounts", "transfers", {% endif %}"outbox", "idempotency_keys")
INSERT_ONLY = ("audit_entries",)
READ_ONLY = ("alembic_version",)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # A role belongs to the whole server, so it may exist already (another database).
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{SERVICE_ROLE}') "
        f"THEN CREATE ROLE {SERVICE_ROLE} NOLOGIN; END IF; END $$"
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {SERVICE_ROLE}")
    for table in WRITTEN_BY_THE_SERVICE:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {SERVICE_ROLE}")
    for table in INSERT_ONLY:
        op.execute(f"GRANT SELECT, INSERT ON {table} TO {SERVICE_ROLE}")
    for table in READ_ONLY:
        op.execute(f"GRANT SELECT ON {table} TO {SERVICE_ROLE}")
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {SERVICE_ROLE}"
    )


def downgrade() -> None:
    """Revoke what ``upgrade`` granted; the role stays (other databases may use it)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {SERVICE_ROLE}"
    )
    tables = ", ".join((*WRITTEN_BY_THE_SERVICE, *INSERT_ONLY, *READ_ONLY))
    op.execute(f"REVOKE ALL ON {tables} FROM {SERVICE_ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {SERVICE_ROLE}")
