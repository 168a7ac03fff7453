"""The databases the apps are measured on: one seeded database per backend, and a fresh
copy of it for every server run, so no app inherits another's transfers or outbox rows.

PostgreSQL is a throwaway server started by the baked project's own launcher
(``tests/postgres_server.py``), as its tests start it. Statements to it go through the
``psql`` installed beside ``initdb``: this process runs in the template's environment,
which has no database driver.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baked_project import BakedProject
from commands import run_timed

ACCOUNTS = 1000
BALANCE = 10**15
"""Large enough that no transfer of the load runs fails for want of funds."""
SEED_DATABASE = "bench_seed"


def account_ids() -> list[str]:
    """The seeded accounts' ids: the same on every run, so every run sends the same load."""
    return [str(uuid.UUID(int=random.Random(index).getrandbits(128))) for index in range(ACCOUNTS)]


def sqlite_url(path: Path) -> str:
    """A SQLite URL in the form the service documents (its default ``DATABASE_URL``)."""
    return f"sqlite+aiosqlite:///{path}"


class SqliteDatabases:
    """A seeded SQLite file; each server run gets a copy of the file."""

    kind = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._copies = 0

    @property
    def seed_url(self) -> str:
        return sqlite_url(self.folder / "seed.db")

    def create_seed(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    def finish_seed(self) -> None:
        """Nothing to do: closing the last connection checkpointed the file."""

    @contextlib.contextmanager
    def fresh_copy(self) -> Iterator[str]:
        """The URL of a new copy of the seeded file, deleted on the way out."""
        self._copies += 1
        copy = self.folder / f"run-{self._copies}.db"
        shutil.copyfile(self.folder / "seed.db", copy)
        try:
            yield sqlite_url(copy)
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)


@dataclass
class PostgresCluster:
    """A running server from the project's launcher (its ``PostgresServer``), and psql."""

    server: Any

    def url(self, database: str) -> str:
        """The server's URL (as the project's tests get it) for another database."""
        return f"{self.server.url.rsplit('/', 1)[0]}/{database}"

    @property
    def log(self) -> Path:
        """Where the launcher has ``pg_ctl`` write the server's log."""
        return Path(self.server.root) / "server.log"

    def sql(self, statement: str, database: str = "postgres") -> str:
        command = [Path(self.server.bindir) / "psql", "-h", "127.0.0.1", "-p", self.server.port]
        command += ["-U", "postgres", "-d", database, "-AtX", "-v", "ON_ERROR_STOP=1"]
        _, result = run_timed([*command, "-c", statement])
        return result.stdout.strip()


@contextlib.contextmanager
def throwaway_postgres(project: BakedProject) -> Iterator[PostgresCluster]:
    """A new PostgreSQL server for the run, stopped and deleted on the way out."""
    launcher = project.postgres_launcher()
    bindir = launcher.find_bindir()
    if bindir is None:
        raise launcher.PostgresUnavailable(
            "no PostgreSQL server binaries (initdb, pg_ctl) found: install them, or run "
            "with --databases sqlite"
        )
    with launcher.throwaway_server(bindir) as server:
        yield PostgresCluster(server)


class PostgresDatabases:
    """A seeded database on the throwaway server; each server run gets a copy of it
    (``CREATE DATABASE ... TEMPLATE``, as the project's tests copy theirs)."""

    kind = "postgresql"

    def __init__(self, cluster: PostgresCluster) -> None:
        self.cluster = cluster
        self._copies = 0

    @property
    def seed_url(self) -> str:
        return self.cluster.url(SEED_DATABASE)

    def create_seed(self) -> None:
        self.cluster.sql(f"CREATE DATABASE {SEED_DATABASE}")

    def finish_seed(self) -> None:
        """Planner statistics, as a database in service has them; copies inherit them."""
        self.cluster.sql("VACUUM ANALYZE", SEED_DATABASE)

    @contextlib.contextmanager
    def fresh_copy(self) -> Iterator[str]:
        """The URL of a new copy of the seeded database, dropped on the way out."""
        self._copies += 1
        name = f"bench_run_{self._copies}"
        self.cluster.sql(f"CREATE DATABASE {name} TEMPLATE {SEED_DATABASE}")
        try:
            yield self.cluster.url(name)
        finally:
            self.cluster.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


Databases = SqliteDatabases | PostgresDatabases


def seed(databases: Databases, project: BakedProject, accounts: list[str], owner: str) -> None:
    """The seeded database: the schema from the project's own ``migrate``, then the
    accounts, all owned by ``owner``, inserted by ``seed.py`` in the project's environment."""
    databases.create_seed()
    project.migrate(databases.seed_url)
    spec = {"url": databases.seed_url, "balance": BALANCE, "currency": "EUR", "owner": owner}
    project.run_script("seed.py", {**spec, "account_ids": accounts})
    databases.finish_seed()
