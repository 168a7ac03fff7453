"""Gate variants: bake, ``uv sync`` and run ``make check``'s checks, a few side by side.

The checks of one project are mostly single-threaded (mypy, pytest), so preparing two
variants at once keeps the machine busy. Bakes go through the ``cookiecutter`` command in
a subprocess: cookiecutter's API changes the working folder, so it is not thread-safe.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.support.baking import write_user_config
from tests.support.options import ROOT, full_answers
from tests.support.toolchain import (
    CHECKS,
    NO_PYTHON,
    MypyCacheSeeds,
    Outcome,
    Toolchain,
    find_python,
)


@dataclass(frozen=True)
class SyncedProject:
    """A baked project installed with ``uv sync``, ready for ``uv run --no-sync``."""

    path: Path
    answers: Mapping[str, str]
    python: str

    @property
    def package(self) -> str:
        return self.answers["package_name"]


@dataclass(frozen=True)
class CheckedProject:
    """A synced variant and the outcome of each ``make check`` check on it, unmodified."""

    project: SyncedProject
    outcomes: dict[str, Outcome]


@dataclass(frozen=True)
class Unavailable:
    """The variant cannot be built on this machine (its Python is missing)."""

    reason: str


class Variants:
    """Prepares variants by name, at most ``jobs`` at a time; each one once per session."""

    def __init__(
        self, folder: Path, toolchain: Toolchain, seeds: MypyCacheSeeds, jobs: int
    ) -> None:
        self.folder = folder
        self.toolchain = toolchain
        self.seeds = seeds
        self.pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="variant")
        self.futures: dict[str, Future[CheckedProject | Unavailable]] = {}
        self.lock = threading.Lock()
        self.later: list[tuple[str, Mapping[str, str]]] = []
        self.timings: dict[str, dict[str, float]] = {}
        """Seconds each step of each prepared variant took (checks ran side by side)."""

    def start_later(self, variants: Iterable[tuple[str, Mapping[str, str]]]) -> None:
        """Prepare these too, in this order, once the first variant is asked for."""
        self.later.extend(variants)

    def start(self, variants: Iterable[tuple[str, Mapping[str, str]]]) -> None:
        """Begin preparing these variants in the background, in this order."""
        with self.lock:
            for name, answers in variants:
                if name not in self.futures:
                    self.futures[name] = self.pool.submit(self.prepare, name, answers)

    def get(self, name: str, answers: Mapping[str, str]) -> CheckedProject | Unavailable:
        self.start([*self.later, (name, answers)])
        self.later.clear()
        return self.futures[name].result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def prepare(self, name: str, given: Mapping[str, str]) -> CheckedProject | Unavailable:
        answers = full_answers(given)
        version = answers["python_version"]
        python = find_python(version)
        if python is None:
            return Unavailable(NO_PYTHON.format(version=version))
        started = time.perf_counter()
        work = self.folder / re.sub(r"[^a-z0-9]+", "-", name.lower())
        path = bake_in_subprocess(work, given)
        baked = time.perf_counter() - started
        outcomes = {"uv sync": self.toolchain.sync(path, python)}
        if outcomes["uv sync"].ok:
            self.seeds.give(path, version, answers["package_name"])
            outcomes |= self.toolchain.checks_at_once(path, CHECKS)
            self.seeds.keep(path, version, answers["package_name"])
        self.timings[name] = {
            "bake": baked,
            **{step: outcome.seconds for step, outcome in outcomes.items()},
            "total": time.perf_counter() - started,
        }
        return CheckedProject(SyncedProject(path, answers, python), outcomes)


def bake_in_subprocess(work: Path, answers: Mapping[str, str]) -> Path:
    """``cookiecutter --no-input`` into ``work/out``; the project's folder."""
    output = work / "out"
    output.mkdir(parents=True)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            str(ROOT),
            "-o",
            str(output),
            "--config-file",
            str(write_user_config(work / "user")),
            *(f"{key}={value}" for key, value in answers.items()),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    [project] = output.iterdir()
    return project


@contextlib.contextmanager
def variants(
    folder: Path, toolchain: Toolchain, seeds: MypyCacheSeeds, jobs: int
) -> Iterator[Variants]:
    prepared = Variants(folder, toolchain, seeds, jobs)
    try:
        yield prepared
    finally:
        prepared.close()
