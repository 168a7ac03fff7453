"""Alembic migration environment and revisions of the ledger schema."""
