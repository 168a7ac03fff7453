"""Gate variants: bake, ``uv sync`` and run ``make check``'s checks, a few side by side.

The checks of one project are mostly single-threaded (mypy, pytest), so preparing two
variants at once keeps the machine busy. No threads (see ``toolchain.py`` for why): the
test that asks for a variant moves every variant in progress on, one step at a time, while
the processes run side by side. Bakes go through the ``cookiecutter`` command in a
subprocess: cookiecutter's API changes the working folder of the whole test process.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.baking import write_user_config
from tests.support.options import MEASURED_VARIANTS, ROOT, full_answers
from tests.support.toolchain import (
    CHECKS,
    MEASURED_TESTS,
    NO_PYTHON,
    POLL_SECONDS,
    MypyCacheSeeds,
    Outcome,
    Running,
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


Preparation = Generator[Mapping[str, Running], dict[str, Outcome], "CheckedProject | Unavailable"]
"""A variant's preparation: yields the commands each step starts, is sent their outcomes."""


@dataclass
class InProgress:
    """A variant part-way through its preparation, and the commands of its current step."""

    steps: Preparation
    begun: bool = False
    running: Mapping[str, Running] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def advance(self) -> CheckedProject | Unavailable | None:
        """Collect the step's commands that have exited; once all have, go on to the next
        step. The prepared variant once no step is left, else None."""
        for name, command in self.running.items():
            if name not in self.outcomes and (outcome := command.poll()) is not None:
                self.outcomes[name] = outcome
        if len(self.outcomes) < len(self.running):
            return None
        # In the order the step started them. A generator's first send must be None.
        sent = {name: self.outcomes[name] for name in self.running} if self.begun else None
        self.begun = True
        try:
            self.running = self.steps.send(sent)
        except StopIteration as prepared:
            return prepared.value
        self.outcomes = {}
        return None

    def stop(self) -> None:
        for name, command in self.running.items():
            if name not in self.outcomes:
                command.stop()
        self.steps.close()


class Variants:
    """Prepares variants by name, at most ``jobs`` at a time; each one once per session."""

    def __init__(
        self, folder: Path, toolchain: Toolchain, seeds: MypyCacheSeeds, jobs: int
    ) -> None:
        self.folder = folder
        self.toolchain = toolchain
        self.seeds = seeds
        self.jobs = jobs
        self.waiting: list[tuple[str, Mapping[str, str]]] = []
        self.in_progress: dict[str, InProgress] = {}
        self.prepared: dict[str, CheckedProject | Unavailable | Exception] = {}
        self.later: list[tuple[str, Mapping[str, str]]] = []
        self.timings: dict[str, dict[str, float]] = {}
        """Seconds each step of each prepared variant took (checks ran side by side)."""

    def start_later(self, variants: Iterable[tuple[str, Mapping[str, str]]]) -> None:
        """Prepare these too, in this order, once the first variant is asked for."""
        self.later.extend(variants)

    def start(self, variants: Iterable[tuple[str, Mapping[str, str]]]) -> None:
        """Queue these variants for preparation, in this order."""
        for name, answers in variants:
            known = {*self.prepared, *self.in_progress, *(name for name, _ in self.waiting)}
            if name not in known:
                self.waiting.append((name, answers))

    def get(self, name: str, answers: Mapping[str, str]) -> CheckedProject | Unavailable:
        """The prepared variant, moving every variant in progress on until it is ready."""
        self.start([*self.later, (name, answers)])
        self.later.clear()
        while name not in self.prepared:
            self.advance()
            if name not in self.prepared:
                time.sleep(POLL_SECONDS)
        prepared = self.prepared[name]
        if isinstance(prepared, Exception):
            raise prepared
        return prepared

    def advance(self) -> None:
        """Begin waiting variants while fewer than ``jobs`` are in progress, and move each
        one in progress on. A variant that fails keeps its error for its own tests."""
        while self.waiting and len(self.in_progress) < self.jobs:
            name, answers = self.waiting.pop(0)
            self.in_progress[name] = InProgress(self.preparation(name, answers))
        for name, in_progress in list(self.in_progress.items()):
            try:
                prepared = in_progress.advance()
            except Exception as error:
                in_progress.stop()
                prepared = error
            if prepared is not None:
                self.prepared[name] = prepared
                del self.in_progress[name]

    def close(self) -> None:
        for in_progress in self.in_progress.values():
            in_progress.stop()
        self.in_progress.clear()
        shutil.rmtree(self.folder, ignore_errors=True)

    def preparation(self, name: str, given: Mapping[str, str]) -> Preparation:
        """Bake, sync and check one variant. Each ``yield`` hands over the commands a step
        started and resumes with their outcomes, once all of them have exited."""
        answers = full_answers(given)
        version = answers["python_version"]
        python = find_python(version)
        if python is None:
            return Unavailable(NO_PYTHON.format(version=version))
        started = time.perf_counter()
        work = self.folder / re.sub(r"[^a-z0-9]+", "-", name.lower())
        path = bake_in_subprocess(work, given)
        baked = time.perf_counter() - started
        outcomes = yield {"uv sync": self.toolchain.start_sync(path, python)}
        if outcomes["uv sync"].ok:
            self.seeds.give(path, version, answers["package_name"])
            checks = {**CHECKS, "pytest": MEASURED_TESTS} if name in MEASURED_VARIANTS else CHECKS
            outcomes |= yield self.toolchain.start_checks(path, checks)
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
