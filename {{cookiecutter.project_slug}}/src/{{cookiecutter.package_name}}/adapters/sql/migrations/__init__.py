"""Alembic migration environment and revisions of the {% if cookiecutter.example == "ledger" %}ledger{% else %}service's{% endif %} schema."""
