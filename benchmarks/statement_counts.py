"""SQL statements per request, counted by ``sql_count.py`` in the project's environment.

Each backend gets an empty database of its own. The PostgreSQL one logs every statement
it receives (``log_statement = 'all'``), so the count the server saw, driver and pool
traffic included, is printed beside the count SQLAlchemy's cursor saw.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from baked_project import BENCHMARKS, BakedProject
from credentials import Credentials
from databases import PostgresCluster, sqlite_url

COUNT_DATABASE = "bench_sql_count"
LISTING_SIZES = (10, 1000)
"""Transfers of the listed accounts: the count must not grow with them (brief §4)."""


def count_statements(
    project: BakedProject,
    kinds: list[str],
    folder: Path,
    postgres: PostgresCluster | None,
    credentials: Credentials,
) -> dict[str, Any]:
    """Per backend and app: statements of a transfer listing per size, of a GET and of a
    POST (``sql_count.py`` documents the shape), every request with the bearer token."""
    urls, server_logs = {}, {}
    if "sqlite" in kinds:
        urls["sqlite"] = sqlite_url(folder / "sql_count.db")
    if "postgresql" in kinds and postgres is not None:
        postgres.sql(f"CREATE DATABASE {COUNT_DATABASE}")
        postgres.sql(f"ALTER DATABASE {COUNT_DATABASE} SET log_statement = 'all'")
        urls["postgresql"] = postgres.url(COUNT_DATABASE)
        server_logs["postgresql"] = str(postgres.log)
    spec = {
        "package": project.package,
        "benchmarks": str(BENCHMARKS),
        "urls": urls,
        "sizes": list(LISTING_SIZES),
        "auth": {
            "settings": credentials.settings,
            "subject": credentials.subject,
            "token": credentials.token,
        },
        "server_logs": server_logs,
    }
    counts: dict[str, Any] = json.loads(project.run_script("sql_count.py", spec))
    return counts
