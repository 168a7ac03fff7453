"""Installing a baked project with uv and running its own checks, as ``make check`` does.

Commands run side by side as processes, started and waited for by the one thread that
needs them, never from a thread pool. With pool threads starting the checks together,
about one full run in three failed with ``OSError: [Errno 14] Bad address`` from the
``execve`` of ``.venv/bin/uv``: the kernel could not read the path or arguments from the
test process's memory. Not reproduced in isolation, so the cause is not proven; the
condition it was seen under is gone: CPython (3.11.7 here) lets other threads run while
a ``vfork()`` child shares their memory, and no other thread now runs. The uv file itself
is ruled out: ``uv sync``, ``uv cache prune`` and ``uv cache clean`` on the shared cache
leave its inode and content unchanged.
"""

from __future__ import annotations

import functools
import glob
import io
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

CHECKS: dict[str, tuple[str, ...]] = {
    "ruff format": ("ruff", "format", "--check", "."),
    "ruff check": ("ruff", "check", "."),
    "mypy": ("mypy",),
    "lint-imports": ("lint-imports", "--no-logo"),
    "pytest": ("pytest", "-q"),
}
"""What ``make check`` runs in a generated project, one entry per check."""

MEASURED_TESTS = ("coverage", "run", "-m", "pytest", "-q")
"""The ``pytest`` check as ``make coverage`` runs it, in the variants whose code differs
(``MEASURED_VARIANTS``); the coverage floor is checked after it."""

DROPPED_VARIABLES = (
    "VIRTUAL_ENV",
    "UV_PROJECT_ENVIRONMENT",
    "UV_RUN_RECURSION_DEPTH",
    "PYTHONPATH",
)
"""Set by the ``uv run`` that started these tests; they would point uv at the wrong venv."""


@dataclass(frozen=True)
class Outcome:
    command: str
    returncode: int
    output: str = field(repr=False)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def report(self) -> str:
        return f"$ {self.command}  (exit {self.returncode}, {self.seconds:.1f} s)\n{self.output}"


POLL_SECONDS = 0.05
"""How often a test waiting for commands looks whether one has exited."""


@dataclass
class Running:
    """A command started in the background, writing its output to a file of its own."""

    command: str
    process: subprocess.Popen[bytes]
    output: IO[bytes]
    started: float
    timeout: float

    def poll(self) -> Outcome | None:
        """Its outcome once it has exited, else None; past its timeout it is stopped and
        ``subprocess.TimeoutExpired`` raised, as ``subprocess.run`` does."""
        if self.process.poll() is None:
            if time.perf_counter() - self.started < self.timeout:
                return None
            self.stop()
            raise subprocess.TimeoutExpired(self.command, self.timeout)
        seconds = time.perf_counter() - self.started
        self.output.seek(0)
        with io.TextIOWrapper(self.output, errors="replace") as text:
            output = text.read()
        return Outcome(self.command, self.process.returncode, output, seconds)

    def wait(self) -> Outcome:
        remaining = self.timeout - (time.perf_counter() - self.started)
        try:
            self.process.wait(timeout=max(remaining, 0))
        except BaseException:
            self.stop()
            raise
        outcome = self.poll()
        assert outcome is not None, "the process has exited"
        return outcome

    def stop(self) -> None:
        """Kill it if it still runs; drop its output."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.output.close()


def start(args: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float) -> Running:
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the Running closes it)
    started = time.perf_counter()
    try:
        process = subprocess.Popen(
            list(args), cwd=cwd, env=dict(env), stdout=output, stderr=subprocess.STDOUT
        )
    except BaseException:
        output.close()
        raise
    return Running(" ".join(args), process, output, started, timeout)


def uv_binary() -> str:
    """The uv of the template's dev dependencies, else the one on PATH."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise RuntimeError("uv is not installed: pip install uv") from None
        return found


def subprocess_environment(uv_cache_dir: Path) -> dict[str, str]:
    """This process's environment, minus the test runner's own venv and pytest variables."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in DROPPED_VARIABLES and not key.startswith("PYTEST_")
    }
    env.update(
        UV_CACHE_DIR=str(uv_cache_dir),
        UV_PYTHON_DOWNLOADS="never",
        UV_NO_PROGRESS="1",
        NO_COLOR="1",
        COLUMNS="200",  # import-linter wraps contract names at the terminal width
    )
    return env


@functools.cache
def python_reporting(executable: str) -> str | None:
    """``3.12`` if ``executable`` runs and is a Python 3.12 (not a venv's), and so on."""
    script = (
        "import sys; print('%d.%d' % sys.version_info[:2] if sys.prefix == sys.base_prefix else '')"
    )
    try:
        completed = subprocess.run(
            [executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def pyenv_root() -> str | None:
    if root := os.environ.get("PYENV_ROOT"):
        return root
    if shutil.which("pyenv") is None:
        return None
    completed = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False)
    return completed.stdout.strip() or None


@functools.cache
def find_python(version: str) -> str | None:
    """An interpreter of this ``major.minor`` that really runs (pyenv shims may not).

    Virtual environments' interpreters are passed over: the one on PATH first is often the
    venv these tests run in.
    """
    candidates = [shutil.which(f"python{version}")]
    if root := pyenv_root():
        candidates += sorted(glob.glob(f"{root}/versions/{version}*/bin/python{version}"))
    found = subprocess.run(
        [uv_binary(), "python", "find", "--system", "--no-python-downloads", version],
        capture_output=True,
        text=True,
        check=False,
    )
    candidates += found.stdout.split()
    for candidate in candidates:
        if candidate and python_reporting(candidate) == version:
            return candidate
    return None


NO_PYTHON = (
    "no working Python {version} on this machine (looked for python{version} on PATH, in "
    "pyenv's versions and with `uv python find`); install one to run this variant"
)


@dataclass(frozen=True)
class Toolchain:
    """Runs uv and the project's tools with one shared uv cache."""

    uv: str
    env: Mapping[str, str]

    def start(self, args: Sequence[str], cwd: Path, timeout: float = 900) -> Running:
        return start(args, cwd, self.env, timeout)

    def run(self, args: Sequence[str], cwd: Path, timeout: float = 900) -> Outcome:
        return self.start(args, cwd, timeout).wait()

    def start_sync(self, project: Path, python: str) -> Running:
        return self.start([self.uv, "sync", "--python", python], cwd=project)

    def sync(self, project: Path, python: str) -> Outcome:
        return self.start_sync(project, python).wait()

    def tool(self, *args: str) -> list[str]:
        """The command line that runs a tool from the project's synced ``.venv``."""
        return [self.uv, "run", "--no-sync", *args]

    def check(self, project: Path, *args: str) -> Outcome:
        return self.run(self.tool(*args), cwd=project)

    def start_checks(
        self, project: Path, checks: Mapping[str, Sequence[str]]
    ) -> dict[str, Running]:
        """Start independent checks side by side (each writes only its own cache folder)."""
        running: dict[str, Running] = {}
        try:
            for name, args in checks.items():
                running[name] = self.start(self.tool(*args), cwd=project)
        except BaseException:
            for command in running.values():
                command.stop()
            raise
        return running


class MypyCacheSeeds:
    """Hand one project's mypy cache to the next, so third-party packages are analysed once.

    A seed is only given to a project whose package has a *different* name: none of the
    project's own modules can then be taken from the seed, so mypy checks every one of them
    afresh and only reuses what is byte-identical (the installed libraries).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _seed(self, python_version: str) -> tuple[Path, Path]:
        seed = self.folder / python_version
        return seed / "cache", seed / "package"

    def give(self, project: Path, python_version: str, package: str) -> bool:
        cache, owner = self._seed(python_version)
        if not owner.is_file() or owner.read_text(encoding="utf-8") == package:
            return False
        shutil.copytree(cache, project / ".mypy_cache", dirs_exist_ok=True)
        return True

    def keep(self, project: Path, python_version: str, package: str) -> None:
        cache, owner = self._seed(python_version)
        if owner.is_file() or not (project / ".mypy_cache").is_dir():
            return
        shutil.copytree(project / ".mypy_cache", cache)
        owner.write_text(package, encoding="utf-8")
