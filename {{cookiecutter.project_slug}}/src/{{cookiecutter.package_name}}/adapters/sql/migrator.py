"""Run the Alembic migrations shipped inside this package.

The migration scripts live in ``migrations/`` next to this module, so an installed
service (a wheel, a container) can migrate its database with ``<service> migrate``; no
``alembic.ini`` or source checkout is needed.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "v%%(rev)s_%%(slug)s")
    # Passed as an attribute, not an option: options treat "%" in passwords as interpolation.
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def new_revision(database_url: str, message: str) -> None:
    """Autogenerate a migration from the difference between ``tables.py`` and the database."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
