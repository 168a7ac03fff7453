"""A real, throwaway PostgreSQL server for the tests, or the one ``TEST_DATABASE_URL`` names.

``PostgresServer`` runs ``initdb`` and ``pg_ctl`` from the PostgreSQL found on this machine
(``pg_config --bindir``, ``initdb`` on ``PATH``, or ``/usr/lib/postgresql/*/bin``) in a
temporary folder (in memory where there is room), on a free loopback port, with durability
switched off for speed. The postmaster refuses to run as root, so under root (CI
containers) the server runs as the ``postgres`` user, or ``nobody``, and owns only its
temporary folder.

``Postgres`` is what the tests use: one migrated template database, copied into a fresh
database for each test (``CREATE DATABASE ... TEMPLATE`` takes milliseconds on tmpfs).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

if sys.platform != "win32":
    import pwd  # running as root, and so switching users, is a POSIX affair

SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "log_min_messages": "warning",
}
UNPRIVILEGED_USERS = ("postgres", "nobody")
IN_MEMORY_FOLDER = Path("/dev/shm")
IN_MEMORY_FREE_BYTES = 1 << 30


class PostgresUnavailable(Exception):
    """No PostgreSQL to test against; the message says what to install or set."""


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None if PostgreSQL is not installed."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    for program in ("pg_ctl", "initdb"):
        found = shutil.which(program)
        if found:
            candidates.append(Path(found).resolve().parent)
    for pattern in ("usr/lib/postgresql/*/bin", "usr/pgsql-*/bin", "usr/local/pgsql/bin"):
        candidates.extend(sorted(Path("/").glob(pattern), key=_version, reverse=True))
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    return None


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(number) for number in re.findall(r"\d+", str(path)))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def scratch_folder() -> Path:
    """A new folder for the server: in memory (tmpfs) if there is room, else in the temp dir.

    ``CREATE DATABASE`` copies files, much faster on tmpfs than on a disk.
    Both places are world-traversable, so an unprivileged server can reach its folder.
    """
    in_memory = IN_MEMORY_FOLDER.is_dir() and os.access(IN_MEMORY_FOLDER, os.W_OK)
    if in_memory and shutil.disk_usage(IN_MEMORY_FOLDER).free >= IN_MEMORY_FREE_BYTES:
        return Path(tempfile.mkdtemp(prefix="pytest-pg-", dir=IN_MEMORY_FOLDER))
    return Path(tempfile.mkdtemp(prefix="pytest-pg-"))


def unprivileged_ids() -> tuple[int, int] | None:
    """The (uid, gid) to run the server as: None for the current user, unless that is root."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        with contextlib.suppress(KeyError):
            user = pwd.getpwnam(name)
            return user.pw_uid, user.pw_gid
    raise PostgresUnavailable(
        "PostgreSQL will not run as root and there is no 'postgres' or 'nobody' user"
    )


@dataclass
class PostgresServer:
    """One postmaster in a temporary folder; ``stop()`` and ``start()`` may be repeated."""

    bindir: Path
    root: Path = field(default_factory=scratch_folder)
    port: int = field(default_factory=free_port)
    run_as: tuple[int, int] | None = field(default_factory=unprivileged_ids)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def initialise(self) -> None:
        if self.run_as is not None:
            # The folder was made by root in a world-traversable place: hand it over.
            os.chown(self.root, *self.run_as)
        self.root.chmod(0o700)
        self._run(
            "initdb",
            f"--pgdata={self.data}",
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        settings = {**SERVER_SETTINGS, "unix_socket_directories": f"'{self.root}'"}
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self) -> None:
        self._pg_ctl("start", "--wait", "--timeout=30", f"--options=-p {self.port}")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "--wait", f"--mode={mode}")

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _pg_ctl(self, action: str, *options: str) -> None:
        log = f"--log={self.root / 'server.log'}"
        self._run("pg_ctl", action, f"--pgdata={self.data}", log, "--silent", *options)

    def _run(self, program: str, *arguments: str) -> None:
        uid, gid = self.run_as or (None, None)
        result = subprocess.run(
            [str(self.bindir / program), *arguments],
            capture_output=True,
            text=True,
            check=False,
            cwd=self.root,
            user=uid,
            group=gid,
            extra_groups=None if uid is None else [],
            env={**os.environ, "LC_ALL": "C"},
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            detail = log.read_text()[-2000:] if log.exists() else ""
            raise PostgresUnavailable(f"{program} failed: {result.stderr.strip()}\n{detail}")


@contextlib.contextmanager
def throwaway_server(bindir: Path, *, attempts: int = 3) -> Iterator[PostgresServer]:
    """A running server, stopped and deleted on the way out, whatever happens."""
    server = PostgresServer(bindir)
    try:
        server.initialise()
        for attempt in range(attempts):
            try:
                server.start()
                break
            except PostgresUnavailable:
                if attempt == attempts - 1:
                    raise
                server.port = free_port()  # another process took the port meanwhile
        yield server
    finally:
        with contextlib.suppress(PostgresUnavailable):
            server.stop(mode="immediate")
        server.remove()


def asyncpg_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` URLs too, for the asyncpg driver."""
    return re.sub(r"^postgres(ql)?://", "postgresql+asyncpg://", url)


def without_password(url: str) -> str:
    return re.sub(r"^([^:/]+://[^:/@]+):[^@]*@", r"\1:***@", url)


def in_own_thread(work: Callable[[], None]) -> None:
    """Run ``work`` to completion in a fresh thread, which has no event loop running.

    Sync code may then call ``asyncio.run`` (as Alembic's ``env.py`` does) even when the
    caller itself runs under an event loop, as async fixtures do.
    """
    failure: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as error:  # handed to the calling thread below
            failure.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


@dataclass
class Postgres:
    """A server to test against, with a migrated template database to copy per test.

    ``server`` is None when the tests use an existing server (``TEST_DATABASE_URL``); its
    role must be allowed to create databases. Every database made here is dropped.
    """

    admin_url: str
    server: PostgresServer | None = None
    prefix: str = field(default_factory=lambda: f"test_{uuid.uuid4().hex[:8]}")
    _created: int = 0

    @property
    def template(self) -> str:
        return f"{self.prefix}_template"

    def url(self, database: str) -> str:
        # SQLAlchemy loads only once a test needs PostgreSQL: the unit tier never pays for it.
        from sqlalchemy import make_url  # noqa: PLC0415

        return make_url(self.admin_url).set(database=database).render_as_string(False)

    def create_template(self) -> None:
        """Create the template database and run every migration on it."""
        in_own_thread(lambda: asyncio.run(self.execute(f'CREATE DATABASE "{self.template}"')))
        # Alembic loads only once a test needs PostgreSQL, not in every tier's start-up.
        from {{ cookiecutter.package_name }}.adapters.sql import migrator  # noqa: PLC0415

        in_own_thread(lambda: migrator.upgrade(self.url(self.template)))

    def drop_template(self) -> None:
        in_own_thread(lambda: asyncio.run(self.drop_database(self.template)))

    async def create_database(self) -> str:
        """A new database, a copy of the migrated template; its URL."""
        self._created += 1
        name = f"{self.prefix}_{self._created}"
        await self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self.url(name)

    async def drop_database(self, name_or_url: str) -> None:
        from sqlalchemy import make_url  # noqa: PLC0415

        name = make_url(name_or_url).database if "://" in name_or_url else name_or_url
        await self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def execute(self, statement: str) -> None:
        from sqlalchemy import text  # noqa: PLC0415
        from sqlalchemy.ext.asyncio import create_async_engine  # noqa: PLC0415
        from sqlalchemy.pool import NullPool  # noqa: PLC0415

        engine = create_async_engine(
            self.admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()
