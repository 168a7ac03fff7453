"""Run the Alembic migrations shipped inside this package.

The migration scripts live in ``migrations/`` next to this module, so an installed
service (a wheel, a container) can migrate its database with ``<service> migrate``; no
``alembic.ini`` or source checkout is needed.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "v%%(rev)s_%%(slug)s")
    # Passed as an attribute, not an option: options treat "%" in passwords as interpolation.
    config.attributes["database_url"] = database_url
    return config


def revisions() -> tuple[str, frozenset[str]]:
    """This release's head revision, and every revision it knows (reads the scripts)."""
    scripts = ScriptDirectory.from_config(alembic_config(""))
    head = scripts.get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations in {MIGRATIONS}")
    return head, frozenset(script.revision for script in scripts.walk_revisions())


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def new_revision(database_url: str, message: str) -> None:
    """Autogenerate a migration from the difference between ``tables.py`` and the database."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
