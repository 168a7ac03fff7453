"""Fixtures shared by the template's tests: cached bakes, a uv toolchain, gate variants."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from pytest_cookies.plugin import Cookies, Result

from tests.support.baking import write_user_config
from tests.support.options import DEFAULT_VARIANT, GATE_VARIANTS, ROOT
from tests.support.serving import serving
from tests.support.toolchain import MypyCacheSeeds, Toolchain, uv_binary
from tests.support.toolchain import subprocess_environment as environment_for
from tests.support.variants import CheckedProject, SyncedProject, Unavailable, Variants, variants

Bake = Callable[[Mapping[str, str]], Result]
CheckedVariant = Callable[[str], CheckedProject]

SELECTED_VARIANTS = pytest.StashKey[list[str]]()
GATE_TIMINGS = pytest.StashKey[dict[str, dict[str, float]]]()


def pytest_configure(config: pytest.Config) -> None:
    # pytest-cookies defaults to the template ".", which only works from the repository root.
    if config.option.template == ".":
        config.option.template = str(ROOT)
    config.addinivalue_line(
        "markers", "variant(name): the test checks this gate variant (see GATE_VARIANTS)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Remember which gate variants the selected tests need, so they can be prepared early."""
    selected: dict[str, None] = {}
    for item in items:
        for marker in item.iter_markers("variant"):
            selected[marker.args[0]] = None
    config.stash[SELECTED_VARIANTS] = list(selected)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    timings = config.stash.get(GATE_TIMINGS, {})
    if not timings:
        return
    terminalreporter.write_sep("-", "gate variants: seconds per step")
    for name, steps in timings.items():
        line = ", ".join(f"{step} {seconds:.1f}" for step, seconds in steps.items())
        terminalreporter.write_line(f"{name}: {line}")


@pytest.fixture(scope="session")
def baked(cookies_session: Cookies) -> Bake:
    """Bake an answer set once per session (the render tests only read the result)."""
    results: dict[tuple[tuple[str, str], ...], Result] = {}

    def bake_once(answers: Mapping[str, str]) -> Result:
        key = tuple(sorted(answers.items()))
        if key not in results:
            results[key] = cookies_session.bake(extra_context=dict(answers))
        return results[key]

    return bake_once


@pytest.fixture
def user_config(tmp_path: Path) -> Path:
    """A cookiecutter user config of this test's own (replay files included)."""
    return write_user_config(tmp_path / "cookiecutter-user")


@pytest.fixture(scope="session")
def session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary folder shared by every pytest-xdist worker of this run."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def toolchain(session_folder: Path) -> Toolchain:
    """uv with one cache for every bake: ``UV_CACHE_DIR`` if set, else one for this run."""
    cache = Path(os.environ.get("UV_CACHE_DIR") or session_folder / "uv-cache")
    cache.mkdir(parents=True, exist_ok=True)
    return Toolchain(uv=uv_binary(), env=environment_for(cache))


@pytest.fixture(scope="session")
def gate_variants(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    toolchain: Toolchain,
) -> Iterator[Variants]:
    """Every gate variant the run selected, prepared side by side from the first request.

    ``TEMPLATE_GATE_JOBS`` variants at a time; by default one per four cores, since mypy and
    the project's own tests each keep more than one core busy (on two cores, two at a time
    is slower than one). Under pytest-xdist each worker prepares only what its own tests ask
    for, one at a time, since the workers already share the machine.
    """
    xdist = bool(os.environ.get("PYTEST_XDIST_WORKER"))
    default_jobs = max(1, (os.cpu_count() or 1) // 4)
    jobs = 1 if xdist else int(os.environ.get("TEMPLATE_GATE_JOBS", default_jobs))
    seeds = MypyCacheSeeds(tmp_path_factory.mktemp("mypy-seeds"))
    folder = tmp_path_factory.mktemp("variants")
    with variants(folder, toolchain, seeds, jobs=jobs) as prepared:
        request.config.stash[GATE_TIMINGS] = prepared.timings
        if not xdist:
            selected = request.config.stash.get(SELECTED_VARIANTS, [])
            prepared.start_later([(name, GATE_VARIANTS[name]) for name in selected])
        yield prepared


@pytest.fixture(scope="session")
def checked_variant(gate_variants: Variants) -> CheckedVariant:
    """A gate variant, baked, synced and checked once per session (skipped without its Python).

    The gate tests assert its outcomes; the bite tests reuse the default variant as their
    positive control, then break it on purpose (restoring every file they touch).
    """

    def checked(name: str) -> CheckedProject:
        prepared = gate_variants.get(name, GATE_VARIANTS[name])
        if isinstance(prepared, Unavailable):
            pytest.skip(prepared.reason)
        synced = prepared.outcomes["uv sync"]
        assert synced.ok, synced.report()
        return prepared

    return checked


@pytest.fixture(scope="module")
def default_project(checked_variant: CheckedVariant) -> SyncedProject:
    """The default gate variant, baked and synced (shared with the gate tests)."""
    return checked_variant(DEFAULT_VARIANT).project


@pytest.fixture(scope="module")
def served_default(
    default_project: SyncedProject, toolchain: Toolchain, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The default project served as ``make run`` serves it, on a free port, over a SQLite
    file of its own (not in the project folder, which the gate tests compare with what was
    baked); its URL."""
    database = tmp_path_factory.mktemp("served") / "served.db"
    with serving(default_project.path, toolchain, database) as url:
        yield url
