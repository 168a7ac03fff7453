"""The project under test: the default project baked from this template and installed
with ``uv sync``, or an already synced one given with ``--project``.

Everything that runs inside the project's environment goes through here: its command
line, its Python (for the helper scripts beside this file), and its own PostgreSQL
launcher, so the benchmark starts PostgreSQL exactly as the project's tests do.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from bake_time import bake, copy_of_template
from commands import Timing, child_env, run_timed

BENCHMARKS = Path(__file__).resolve().parent
REFERENCE_DRIVERS = ("psycopg[binary]>=3.2",)
"""Reference (a)'s PostgreSQL driver. The service does not use it, so it goes into the
baked (throwaway) environment only, never into the generated project's dependencies."""


@dataclass(frozen=True)
class BakedProject:
    folder: Path

    @property
    def package(self) -> str:
        """The import name under ``src/``."""
        (init,) = (self.folder / "src").glob("*/__init__.py")
        return init.parent.name

    @property
    def command(self) -> str:
        """The console script, named after the project folder (the slug)."""
        return self.folder.name

    @property
    def python(self) -> Path:
        return self.folder / ".venv" / "bin" / "python"

    def migrate(self, database_url: str) -> None:
        """Bring ``database_url`` to the latest schema with the project's own command."""
        command = ["uv", "run", "--no-sync", self.command, "migrate"]
        run_timed(command, cwd=self.folder, env=child_env(DATABASE_URL=database_url))

    def dev_token(
        self, settings: dict[str, str], subject: str, scopes: Sequence[str], minutes: int
    ) -> str:
        """A development token from the project's own ``token`` command (its last line),
        signed with the key in ``settings`` (given in the environment, which wins over
        the bake's ``.env``)."""
        command = ["uv", "run", "--no-sync", self.command, "token", "--subject", subject]
        command += ["--scope", " ".join(scopes), "--minutes", str(minutes)]
        _, result = run_timed(command, cwd=self.folder, env=child_env(**settings))
        return last_line_of(result.stdout)

    def run_script(self, name: str, spec: dict[str, Any]) -> str:
        """Run ``benchmarks/<name>`` with the project's Python, ``spec`` as JSON on stdin.

        The helper scripts need the project's packages (SQLAlchemy, its drivers, the
        service itself), which this process, in the template's environment, does not have.
        """
        _, result = run_timed([self.python, BENCHMARKS / name], stdin=json.dumps(spec))
        return result.stdout

    def install_reference_drivers(self) -> None:
        command: list[str | Path] = ["uv", "pip", "install", "-q", "--python", self.python]
        command += REFERENCE_DRIVERS
        run_timed(command)

    def postgres_launcher(self) -> ModuleType:
        """The project's ``tests/postgres_server.py``, imported from its folder.

        It needs only the standard library to start a server, so this process can use it
        as it is: one launcher for the project's tests and for this benchmark.
        """
        path = self.folder / "tests" / "postgres_server.py"
        name = f"{self.package}_postgres_server"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while it runs
        spec.loader.exec_module(module)
        return module


def last_line_of(output: str) -> str:
    lines = output.strip().splitlines()
    if not lines:
        raise RuntimeError("the token command printed nothing")
    return lines[-1].strip()


def bake_and_install(work: Path) -> tuple[BakedProject, Timing]:
    """Bake the default project into ``work`` and ``uv sync`` it (the uv cache is shared)."""
    work.mkdir(parents=True)
    _, folder = bake(copy_of_template(work), work)
    sync_seconds, _ = run_timed(["uv", "sync", "-q"], cwd=folder)
    return BakedProject(folder), Timing(
        "uv sync (shared cache; 1 run, not a target)", [sync_seconds]
    )
