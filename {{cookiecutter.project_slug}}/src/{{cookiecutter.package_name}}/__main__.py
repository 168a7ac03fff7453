"""Command line: ``{{ cookiecutter.project_slug }} serve | migrate | revision``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import uvicorn

{% if cookiecutter.observability == "opentelemetry" -%}
from {{ cookiecutter.package_name }}.adapters.observability.json_logs import log_config
{% endif -%}
from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.settings import Settings

LOG_FORMAT = "%(levelname)s:     %(name)s: %(message)s"


def serve(settings: Settings, _args: argparse.Namespace) -> None:
    """Build the app and serve it."""
    # Imported here: ``migrate`` and ``revision`` need no web stack.
    from {{ cookiecutter.package_name }}.bootstrap import create_app  # noqa: PLC0415

    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=settings.access_log,
{%- if cookiecutter.observability == "opentelemetry" %}
        log_config=log_config(settings.log_level),
{%- endif %}
    )


def migrate(settings: Settings, args: argparse.Namespace) -> None:
    migrator.upgrade(settings.database_url, args.revision)


def revision(settings: Settings, args: argparse.Namespace) -> None:
    migrator.new_revision(settings.database_url, args.message)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="{{ cookiecutter.project_slug }}", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the HTTP API").set_defaults(run=serve)
    upgrade = commands.add_parser("migrate", help="upgrade the database schema")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(run=migrate)
    new = commands.add_parser("revision", help="autogenerate a migration from tables.py")
    new.add_argument("-m", "--message", required=True)
    new.set_defaults(run=revision)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format=LOG_FORMAT)
    args.run(settings, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
