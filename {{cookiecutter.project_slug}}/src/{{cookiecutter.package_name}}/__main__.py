"""Command line: ``{{ cookiecutter.project_slug }} COMMAND``, one of serve, migrate, revision,
token and requeue."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import uvicorn
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.adapters.auth.dev_tokens import dev_token
from {{ cookiecutter.package_name }}.adapters.http.server import (
    GracefulServer,
    tell_on_stop_signals,
)
{% if cookiecutter.observability == "opentelemetry" -%}
from {{ cookiecutter.package_name }}.adapters.observability.json_logs import log_config
{% endif -%}
from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.adapters.sql.engine import with_password
from {{ cookiecutter.package_name }}.domain.principal import Scope
from {{ cookiecutter.package_name }}.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

LOG_FORMAT = "%(levelname)s:     %(name)s: %(message)s"


def serve(settings: Settings, args: argparse.Namespace) -> None:
    """Build the app and serve it: in this process, or in ``--workers`` processes."""
    # Imported here: ``migrate`` and ``revision`` need no web stack.
    from {{ cookiecutter.package_name }}.bootstrap import StartupRefused, create_app  # noqa: PLC0415

    try:
        app = create_app(settings)
    except StartupRefused as refusal:
        raise SystemExit(f"cannot start: {refusal}") from None
    options = server_options(settings)
    if args.workers is None and not valid_worker_count(os.environ.get("WEB_CONCURRENCY", "1")):
        raise SystemExit(
            "cannot start: WEB_CONCURRENCY must be a whole number of worker processes, "
            f"at least 1, not {os.environ['WEB_CONCURRENCY']!r}"
        )
    # workers=None: uvicorn reads WEB_CONCURRENCY, else 1.
    config = uvicorn.Config(app, workers=args.workers, **options)
    if config.workers <= 1:
        GracefulServer(config, on_shutdown_begins=app.state.shutdown.begin).run()
        return
    # The app above was the check that these settings start (a worker that cannot start
    # would only be restarted, again and again): each worker builds its own.
    uvicorn.run(WORKER_APP, factory=True, workers=config.workers, **options)


WORKER_APP = "{{ cookiecutter.package_name }}.__main__:worker_app"


def worker_app() -> FastAPI:
    """The app of one worker process of ``serve --workers N``, uvicorn's factory there.

    A worker is a new interpreter (uvicorn spawns it): it reads the settings as ``serve``
    did (environment, ``.env``), and gets its own connections, outbox relay and background
    tasks. Relays in several processes share the work through the outbox's leases.
    """
    from {{ cookiecutter.package_name }}.bootstrap import create_app  # noqa: PLC0415

    settings = Settings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    if not tell_on_stop_signals(app.state.shutdown.begin):
        logging.getLogger(__name__).warning(
            "readiness keeps answering 200 during this worker's shutdown: uvicorn's "
            "server did not handle the stop signals when it built the app"
        )
    return app


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's settings, the same for one process and for workers."""
    return {
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds,
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": settings.access_log,
{%- if cookiecutter.observability == "opentelemetry" %}
        "log_config": log_config(settings.log_level),
{%- endif %}
    }


def worker_count(text: str) -> int:
    if not valid_worker_count(text):
        raise argparse.ArgumentTypeError(f"a whole number, at least 1, not {text!r}")
    return int(text)


def valid_worker_count(text: str) -> bool:
    return text.strip().isdigit() and int(text) >= 1


def migrate(settings: Settings, args: argparse.Namespace) -> None:
    migrator.upgrade(migration_database_url(settings), args.revision)


def revision(settings: Settings, args: argparse.Namespace) -> None:
    migrator.new_revision(migration_database_url(settings), args.message)


def migration_database_url(settings: Settings) -> str:
    url, password = settings.migration_login
    return with_password(url, None if password is None else password.get_secret_value())


def token(settings: Settings, args: argparse.Namespace) -> None:
    """Print a development token: what an identity provider would issue to ``--subject``."""
    if settings.auth_dev_signing_key is None:
        raise SystemExit(
            "no AUTH_DEV_SIGNING_KEY (in .env or the environment): development tokens are "
            "signed with it; elsewhere, tokens come from your identity provider"
        )
    scopes = " ".join(args.scope).split()
    if unknown := sorted(set(scopes) - set(Scope)):
        raise SystemExit(f"unknown scope {', '.join(unknown)}: use {', '.join(Scope)}")
    if not settings.auth_issuer or not settings.auth_audience:  # development fills them
        raise SystemExit("set AUTH_ISSUER and AUTH_AUDIENCE")
    lifetime = timedelta(minutes=args.minutes)
    print(
        f"# {args.subject}, scopes {' '.join(scopes) or '(none)'}, valid {args.minutes} min",
        file=sys.stderr,
    )
    print(
        dev_token(
            settings.auth_dev_signing_key.get_secret_value(),
            subject=args.subject,
            scopes=scopes,
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            now=datetime.now(UTC),
            lifetime=lifetime,
        )
    )


def requeue(settings: Settings, args: argparse.Namespace) -> None:
    """Un-park notices once their receiver is back: the ids given, or ``--all``."""
    from {{ cookiecutter.package_name }}.bootstrap import requeue_notices  # noqa: PLC0415

    report = asyncio.run(requeue_notices(settings, None if args.all else args.notice_ids))
    for notice_id in report.requeued:
        print(notice_id)
    print(f"# {len(report.requeued)} notice(s) requeued", file=sys.stderr)
    if report.not_parked:
        raise SystemExit(
            "not parked (unknown, still pending, or delivered), left alone: "
            + ", ".join(map(str, report.not_parked))
        )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="{{ cookiecutter.project_slug }}", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    http = commands.add_parser("serve", help="serve the HTTP API")
    http.add_argument(
        "--workers",
        type=worker_count,
        default=None,
        help="worker processes, each with its own outbox relay (default: WEB_CONCURRENCY, else 1)",
    )
    http.set_defaults(run=serve)
    upgrade = commands.add_parser("migrate", help="upgrade the database schema")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(run=migrate)
    new = commands.add_parser("revision", help="autogenerate a migration from tables.py")
    new.add_argument("-m", "--message", required=True)
    new.set_defaults(run=revision)
    mint = commands.add_parser(
        "token",
        help="print a development token (signed with AUTH_DEV_SIGNING_KEY) as the last line",
    )
    mint.add_argument("--subject", required=True, help="who the token speaks for")
    mint.add_argument(
        "--scope",
        action="append",
        default=[],
        help=f"space-separated, repeatable: {', '.join(Scope)} (default: none)",
    )
    mint.add_argument("--minutes", type=int, default=60, help="lifetime (default: 60)")
    mint.set_defaults(run=token)
    unpark = commands.add_parser(
        "requeue",
        help="deliver parked notices again, from their first attempt (prints each id requeued)",
    )
    which = unpark.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every parked notice")
    which.add_argument(
        "notice_ids",
        nargs="*",
        default=[],
        type=uuid.UUID,
        metavar="NOTICE_ID",
        help="a parked notice (its id is the one its receivers deduplicate on)",
    )
    unpark.set_defaults(run=requeue)
    return root


def settings_problems(error: ValidationError) -> str:
    """One line per problem, named as the environment variable is, without pydantic's
    prefixes: what an operator reads when the service refuses to start."""
    lines = []
    for issue in error.errors():
        name = "_".join(map(str, issue["loc"])).upper()
        message = issue["msg"].removeprefix("Value error, ")
        lines.append(f"{name}: {message}" if name else message)
    return "\n".join(lines)


def configure_logging(level: str) -> None:
    """Log at ``level``, except httpx's line per request it sends (one per webhook
    delivery) below ``debug``: the relay logs the deliveries that fail."""
    logging.basicConfig(level=level.upper(), format=LOG_FORMAT)
    if level != "debug":
        logging.getLogger("httpx").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        raise SystemExit(f"cannot start: {settings_problems(error)}") from None
    configure_logging(settings.log_level)
    args.run(settings, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
