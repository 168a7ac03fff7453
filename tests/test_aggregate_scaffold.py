"""``make aggregate NAME=...`` adds an aggregate to a generated project, through every layer.

Adding ``Invoice`` by hand means touching some fifteen files across five layers; the
scaffold inside every project (``scaffolds/``) renders them with cookiecutter and adds a
line above each ``add_aggregate:`` marker of the files that list every aggregate. What a
team can rely on: two aggregates in a row leave a project that passes its own
``make check`` at once (lint, types, import contracts, every test tier, the coverage
floor); the import contracts cover the new modules with no edit, so a scaffolded domain
module that imports SQLAlchemy turns ``lint-imports`` red; a name the project cannot take
is refused before anything is written, with the value to type instead.

Each project here is baked and synced for this module alone (scaffolding changes it), with
the session's uv cache; ``git status`` tells what a scaffold run wrote.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.options import MOST_FEATURES, full_answers
from tests.support.toolchain import NO_PYTHON, Outcome, Toolchain, find_python
from tests.support.variants import bake_in_subprocess

pytestmark = [pytest.mark.gates, pytest.mark.xdist_group("aggregate-scaffold")]

FIRST, SECOND = "invoice", "receipt_book"
CHECKS = {
    "ruff format": ("ruff", "format", "--check", "."),
    "ruff check": ("ruff", "check", "."),
    "mypy": ("mypy",),
    "lint-imports": ("lint-imports", "--no-logo"),
}


@dataclass(frozen=True)
class Scaffolded:
    """A baked, synced project in its own git repository, and two ``make aggregate`` runs."""

    path: Path
    package: str
    runs: tuple[Outcome, Outcome]
    before: dict[str, Outcome]
    """The linters' outcomes on the project as baked, when asked for."""


def make(toolchain: Toolchain, project: Path, *arguments: str) -> Outcome:
    """``make`` in ``project`` with the session's uv (the Makefile's ``UV``)."""
    return toolchain.run(
        ["make", "--no-print-directory", f"UV={toolchain.uv}", *arguments], project
    )


def git(project: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=project, capture_output=True, text=True, check=True
    ).stdout


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "--all")
    git(project, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", message)


def scaffold(
    folder: Path,
    toolchain: Toolchain,
    answers: Mapping[str, str],
    names: tuple[str, str],
    *,
    lint_first: bool = False,
) -> Scaffolded:
    """Bake ``answers``, sync, commit (after the linters, with ``lint_first``); scaffold
    ``names`` in turn, committing after each."""
    full = full_answers(answers)
    python = find_python(full["python_version"])
    if python is None:
        pytest.skip(NO_PYTHON.format(version=full["python_version"]))
    project = bake_in_subprocess(folder, answers)
    synced = toolchain.sync(project, python)
    assert synced.ok, synced.report()
    before = (
        {name: toolchain.check(project, *args) for name, args in CHECKS.items()}
        if lint_first
        else {}
    )
    git(project, "init", "-q")
    commit_all(project, "baked")
    runs = []
    for name in names:
        runs.append(make(toolchain, project, "aggregate", f"NAME={name}"))
        assert runs[-1].ok, runs[-1].report()
        commit_all(project, f"make aggregate NAME={name}")
    return Scaffolded(project, full["package_name"], (runs[0], runs[1]), before)


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory, toolchain: Toolchain) -> Scaffolded:
    return scaffold(tmp_path_factory.mktemp("default"), toolchain, {}, (FIRST, SECOND))


@pytest.fixture(scope="module")
def most_features(tmp_path_factory: pytest.TempPathFactory, toolchain: Toolchain) -> Scaffolded:
    return scaffold(tmp_path_factory.mktemp("most"), toolchain, MOST_FEATURES, (FIRST, SECOND))


@pytest.fixture(scope="module")
def without_example(tmp_path_factory: pytest.TempPathFactory, toolchain: Toolchain) -> Scaffolded:
    """``example=none`` with every other feature: the team's own first aggregates."""
    return scaffold(
        tmp_path_factory.mktemp("none"),
        toolchain,
        {**MOST_FEATURES, "example": "none"},
        (FIRST, SECOND),
        lint_first=True,
    )


def written(project: Path) -> str:
    """What ``git status`` shows changed since the last commit: nothing, if all is as was."""
    return git(project, "status", "--porcelain", "--untracked-files=all")


class TestOneRun:
    def test_creates_the_aggregate_through_every_layer_and_names_each_file(
        self, default: Scaffolded
    ) -> None:
        package = f"src/{default.package}"
        expected = [
            f"{package}/domain/invoice.py",
            f"{package}/domain/ports/invoices.py",
            f"{package}/adapters/memory/invoices.py",
            f"{package}/adapters/sql/invoices.py",
            f"{package}/adapters/sql/migrations/versions/v0007_create_invoices.py",
            f"{package}/usecases/create_invoice.py",
            f"{package}/usecases/get_invoice.py",
            f"{package}/usecases/list_invoices.py",
            f"{package}/adapters/http/routes/invoices.py",
            "tests/unit/test_invoices.py",
            "tests/contract/test_invoice_repository.py",
            "tests/api/test_invoices_api.py",
        ]

        printed = default.runs[0].output

        assert [path for path in expected if not (default.path / path).is_file()] == []
        assert [path for path in expected if path not in printed] == []

    def test_changes_only_the_shared_files_that_list_every_aggregate(
        self, default: Scaffolded
    ) -> None:
        changed = git(default.path, "diff", "--name-only", "HEAD~2", "HEAD~1", "--diff-filter=M")
        package = f"src/{default.package}"

        assert sorted(changed.split()) == sorted(
            [
                "README.md",
                f"{package}/adapters/http/app.py",
                f"{package}/adapters/http/errors.py",
                f"{package}/adapters/memory/store.py",
                f"{package}/adapters/memory/unit_of_work.py",
                f"{package}/adapters/sql/tables.py",
                f"{package}/adapters/sql/unit_of_work.py",
                f"{package}/domain/ports/unit_of_work.py",
                f"{package}/usecases/catalog.py",
                "tests/api/test_api_contract.py",
                "tests/api/test_idempotency_api.py",
            ]
        )

    def test_the_second_aggregate_gets_the_next_migration_after_the_first(
        self, default: Scaffolded
    ) -> None:
        versions = default.path / "src" / default.package / "adapters/sql/migrations/versions"
        second = (versions / "v0008_create_receipt_books.py").read_text(encoding="utf-8")

        assert 'revision: str = "0008"' in second
        assert 'down_revision: str | None = "0007"' in second
        assert "UtcDateTime()" in second


class TestChecks:
    """The whole gate, as CI runs it, after two aggregates; the most-featured project adds
    what differs there (PostgreSQL, OpenTelemetry's traced unit of work listing the new
    repositories, the longest package name) to the linters and the tests the scaffold wrote."""

    def test_make_check_passes_in_the_default_project(
        self, default: Scaffolded, toolchain: Toolchain
    ) -> None:
        checked = make(toolchain, default.path, "check")

        assert checked.ok, checked.report()
        assert written(default.path) == "", "make check changed tracked files"

    def test_the_most_featured_project_passes_the_linters(
        self, most_features: Scaffolded, toolchain: Toolchain
    ) -> None:
        outcomes = {
            name: toolchain.check(most_features.path, *args) for name, args in CHECKS.items()
        }

        assert {name: o.report() for name, o in outcomes.items() if not o.ok} == {}

    def test_the_most_featured_project_passes_every_test_the_scaffold_wrote_or_changed(
        self, most_features: Scaffolded, toolchain: Toolchain
    ) -> None:
        """Its other tests are the gate variant's: the scaffold changed none of them."""
        touched = git(most_features.path, "diff", "--name-only", "HEAD~2", "HEAD", "--", "tests")
        tests = [path for path in touched.split() if path.rsplit("/", 1)[-1].startswith("test_")]

        outcome = toolchain.check(
            most_features.path, "pytest", "-q", "-p", "no:cacheprovider", *tests
        )

        assert len(tests) >= 8, touched
        assert outcome.ok, outcome.report()


class TestWithoutTheExample:
    """A project that starts with no domain model takes its first aggregates the same way."""

    def test_passes_the_linters_as_baked(self, without_example: Scaffolded) -> None:
        failed = {name: o.report() for name, o in without_example.before.items() if not o.ok}

        assert failed == {}

    def test_passes_the_linters_and_every_test_after_two_aggregates(
        self, without_example: Scaffolded, toolchain: Toolchain
    ) -> None:
        checks = {**CHECKS, "pytest": ("pytest", "-q", "-p", "no:cacheprovider")}
        outcomes = {name: toolchain.check(without_example.path, *a) for name, a in checks.items()}

        assert {name: o.report() for name, o in outcomes.items() if not o.ok} == {}

    def test_its_first_aggregate_takes_the_first_free_migration(
        self, without_example: Scaffolded
    ) -> None:
        versions = without_example.path / "src" / without_example.package / "adapters/sql"
        created = sorted(p.name for p in (versions / "migrations/versions").glob("v*_create_*.py"))

        assert created[-2:] == ["v0007_create_invoices.py", "v0008_create_receipt_books.py"]


def test_a_scaffolded_domain_module_that_imports_sqlalchemy_fails_lint_imports(
    default: Scaffolded, toolchain: Toolchain
) -> None:
    entity = default.path / "src" / default.package / "domain" / "invoice.py"
    original = entity.read_text(encoding="utf-8")
    entity.write_text(
        original.replace("import uuid\n", "import uuid\n\nimport sqlalchemy  # noqa: F401\n"),
        encoding="utf-8",
    )
    try:
        outcome = toolchain.check(default.path, "lint-imports", "--no-logo")
    finally:
        entity.write_text(original, encoding="utf-8")

    assert not outcome.ok, outcome.report()
    assert f"{default.package}.domain.invoice -> sqlalchemy" in outcome.output, outcome.report()


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Invoice", "'Invoice' is not snake_case: type invoice"),
        ("invoice-line", "'invoice-line' is not snake_case: type invoice_line"),
        ("class", "'class' is a Python keyword or builtin: type a noun, e.g. class_item"),
        ("list", "'list' is a Python keyword or builtin: type a noun, e.g. list_item"),
        ("json", "'json' is a standard library module: type a noun, e.g. json_item"),
        ("invoices", "'invoices' is an aggregate of this project already"),
        ("credit_notes", "'credit_notes' looks plural: type the singular, credit_note"),
        ("account", "'account' is an aggregate of this project already"),
        ("transfer", "'transfer' is an aggregate of this project already"),
        (FIRST, "'invoice' is an aggregate of this project already"),
        ("money", "'money' would clash with the module"),
        ("idempotency", "'idempotency' would clash with the module"),
        ("notice", "'notice' would clash with the module"),
        ("settings", "'settings' would clash with the module"),
    ],
)
def test_a_bad_name_is_refused_with_nothing_written(
    default: Scaffolded, toolchain: Toolchain, name: str, says: str
) -> None:
    refused = make(toolchain, default.path, "aggregate", f"NAME={name}")

    assert refused.returncode != 0
    assert f"make aggregate: {says}" in refused.output, refused.report()
    assert written(default.path) == ""


def test_without_a_name_make_aggregate_says_how_to_give_one(
    default: Scaffolded, toolchain: Toolchain
) -> None:
    refused = make(toolchain, default.path, "aggregate")

    assert refused.returncode != 0
    assert re.search(r"make aggregate NAME=\w+", refused.output), refused.report()
    assert written(default.path) == ""
