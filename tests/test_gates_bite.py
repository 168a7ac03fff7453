"""The gates bite: break the architecture of a baked project and its own checks go red.

One default project is baked and synced once (shared with the gate tests); each test breaks
one rule, runs the check that guards it and restores every file it touched. Then each guard
(an import contract, mypy's ``strict``) is removed in turn to show that the same violations
would pass without it: a template that lost a guard fails here. And the import rules do not
go stale: a new dependency needs no edit to them, and is refused in the domain all the same.
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tests.conftest import CheckedVariant
from tests.support.files import snapshot
from tests.support.options import DEFAULT_VARIANT, LEAST_FEATURES
from tests.support.toolchain import Outcome, Toolchain
from tests.support.variants import CheckedProject, SyncedProject
from tests.support.violations import (
    ARCHITECTURE_TESTS,
    CONTRACT_GUARDS,
    GUARDS,
    LINT_IMPORTS,
    MYPY,
    NEW_DEPENDENCY,
    TRANSITIVE_ONLY,
    VIOLATIONS,
    WITHOUT_EXAMPLE_VIOLATIONS,
    Guard,
    Violation,
    adding_runtime_dependency,
    edited,
)

pytestmark = [
    pytest.mark.gates,
    pytest.mark.variant(DEFAULT_VARIANT),
    pytest.mark.xdist_group(DEFAULT_VARIANT),
]


@pytest.fixture(scope="module")
def default(checked_variant: CheckedVariant) -> CheckedProject:
    return checked_variant(DEFAULT_VARIANT)


@pytest.fixture(scope="module", autouse=True)
def as_baked(default: CheckedProject) -> dict[str, bytes]:
    """The project's own files before any test of this module breaks them."""
    return own_files(default.project.path)


def own_files(project: Path) -> dict[str, bytes]:
    generated = {".venv", ".mypy_cache", ".import_linter_cache", ".pytest_cache", "__pycache__"}
    return {
        name: content
        for name, content in snapshot(project).items()
        if not generated & set(name.split("/"))
    }


@contextlib.contextmanager
def preserved(path: Path) -> Iterator[None]:
    original = path.read_bytes()
    try:
        yield
    finally:
        path.write_bytes(original)


@contextlib.contextmanager
def new_dependency_installed(project: SyncedProject, toolchain: Toolchain) -> Iterator[None]:
    """``NEW_DEPENDENCY`` added to the project and installed; then back to the lock."""
    with contextlib.ExitStack() as undo:
        undo.callback(lambda: sync_or_fail(project, toolchain))  # last: back to the lock
        undo.enter_context(preserved(project.path / "uv.lock"))
        pyproject = project.path / "pyproject.toml"
        undo.enter_context(edited(pyproject, adding_runtime_dependency(NEW_DEPENDENCY[0])))
        sync_or_fail(project, toolchain)
        yield


def check_with(
    project: SyncedProject,
    toolchain: Toolchain,
    violation: Violation,
    extra_arguments: Sequence[str] = (),
) -> Outcome:
    """Run the violation's check with the violation in place; leave the project as it was."""
    with contextlib.ExitStack() as undo:
        if violation.new_dependency:
            undo.enter_context(new_dependency_installed(project, toolchain))
        path = violation.path(project.path, project.package)
        undo.enter_context(edited(path, violation.edit(project.package)))
        return toolchain.check(project.path, *violation.check, *extra_arguments)


def sync_or_fail(project: SyncedProject, toolchain: Toolchain) -> None:
    synced = toolchain.sync(project.path, project.python)
    assert synced.ok, synced.report()


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("check", ["lint-imports", "mypy", "pytest"])
def test_the_unmodified_project_passes(default: CheckedProject, check: str) -> None:
    outcome = default.outcomes[check]
    assert outcome.ok, outcome.report()


@pytest.mark.parametrize("violation", list(VIOLATIONS.values()), ids=list(VIOLATIONS))
def test_breaking_a_rule_fails_its_check_naming_the_problem(
    default: CheckedProject, toolchain: Toolchain, violation: Violation
) -> None:
    outcome = check_with(default.project, toolchain, violation)

    assert not outcome.ok, f"{violation.description} went unnoticed:\n{outcome.report()}"
    for fragment in violation.says:
        expected = fragment.format(package=default.project.package)
        assert flat(expected) in flat(outcome.output), outcome.report()


def test_every_import_contract_is_guarded_by_a_violation_only_it_catches(
    default: CheckedProject,
) -> None:
    pyproject = tomllib.loads((default.project.path / "pyproject.toml").read_text("utf-8"))
    names = [contract["name"] for contract in pyproject["tool"]["importlinter"]["contracts"]]
    unguarded = [n for n in names if not any(n.startswith(p) for p in CONTRACT_GUARDS)]
    missing = [p for p in CONTRACT_GUARDS if not any(n.startswith(p) for n in names)]
    assert unguarded == [], "add a violation to tests/support/violations.py for these"
    assert missing == [], "the template lost these contracts"


@pytest.mark.parametrize(
    ("guard", "caught"),
    [(guard, caught) for guard in GUARDS.values() for caught in guard.violations],
    ids=[f"{name} / {caught}" for name, guard in GUARDS.items() for caught in guard.violations],
)
def test_removing_a_guard_lets_its_violation_through(
    default: CheckedProject, toolchain: Toolchain, guard: Guard, caught: str, tmp_path: Path
) -> None:
    project, violation = default.project, VIOLATIONS[caught]
    # mypy without strict writes a cache of its own, so the project's stays warm.
    scratch = ("--cache-dir", str(tmp_path / "mypy-cache")) if violation.check == MYPY else ()

    guarded = check_with(project, toolchain, violation)
    with edited(project.path / "pyproject.toml", guard.remove):
        unguarded = check_with(project, toolchain, violation, scratch)

    assert not guarded.ok, f"with {guard.name}, {violation.description} passed:\n{guarded.report()}"
    assert unguarded.ok, (
        f"without {guard.name}, {violation.description} still fails: another guard catches it, "
        f"so this one is not shown to matter:\n{unguarded.report()}"
    )


def test_a_new_runtime_dependency_needs_no_edit_to_the_import_rules(
    default: CheckedProject, toolchain: Toolchain
) -> None:
    """The contracts name no third-party package, so none of them lags behind a dependency."""
    with new_dependency_installed(default.project, toolchain):
        contracts = toolchain.check(default.project.path, *LINT_IMPORTS)
        architecture = toolchain.check(default.project.path, *ARCHITECTURE_TESTS)

    assert contracts.ok, contracts.report()
    assert architecture.ok, architecture.report()


def test_the_transitive_packages_the_violations_import_are_installed_but_never_required(
    default: CheckedProject, toolchain: Toolchain
) -> None:
    """So the violations above show a package that arrived only with another is refused."""
    pyproject = tomllib.loads((default.project.path / "pyproject.toml").read_text("utf-8"))
    required = " ".join(pyproject["project"]["dependencies"]).replace("-", "_")

    imported = toolchain.check(
        default.project.path, "python", "-c", f"import {', '.join(TRANSITIVE_ONLY)}"
    )

    assert imported.ok, imported.report()
    assert [name for name in TRANSITIVE_ONLY if name in required] == []


def test_every_broken_file_is_put_back(default: CheckedProject, as_baked: dict[str, bytes]) -> None:
    """Runs last: the violations above left the project byte for byte as it was baked."""
    assert own_files(default.project.path) == as_baked


@pytest.mark.variant("least-features")
@pytest.mark.xdist_group("least-features")
@pytest.mark.parametrize(
    "violation", list(WITHOUT_EXAMPLE_VIOLATIONS.values()), ids=list(WITHOUT_EXAMPLE_VIOLATIONS)
)
def test_without_the_example_breaking_a_rule_fails_its_check_all_the_same(
    checked_variant: CheckedVariant, toolchain: Toolchain, violation: Violation
) -> None:
    """The least-featured variant starts with no domain model (``example=none``): the
    gates guard the mechanisms' modules just as they guard the ledger's."""
    assert LEAST_FEATURES["example"] == "none"
    project = checked_variant("least-features").project
    before = own_files(project.path)

    outcome = check_with(project, toolchain, violation)

    assert not outcome.ok, f"{violation.description} went unnoticed:\n{outcome.report()}"
    for fragment in violation.says:
        assert flat(fragment.format(package=project.package)) in flat(outcome.output), (
            outcome.report()
        )
    assert own_files(project.path) == before
