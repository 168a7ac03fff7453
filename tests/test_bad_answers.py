"""Bad answers are refused before anything is written, each saying what to type instead."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from cookiecutter.exceptions import CookiecutterException

from tests.conftest import CheckedVariant
from tests.support.baking import bake, replay
from tests.support.options import GATE_VARIANTS, full_answers, template_context


@dataclass(frozen=True)
class Bad:
    answers: dict[str, str]
    problem: str
    """How the message names the bad answer."""
    instead: str
    """What the message tells the user to type."""
    cookiecutter_says: str | None = None
    """When cookiecutter refuses the answer itself, before the template's checks run."""


BAD_ANSWERS = {
    "package is a keyword": Bad({"package_name": "class"}, "'class'", "type 'class_service'"),
    "package shadows the stdlib": Bad({"package_name": "json"}, "'json'", "type 'json_service'"),
    "package shadows a dependency": Bad(
        {"package_name": "fastapi"}, "'fastapi'", "type 'fastapi_service'"
    ),
    "package shadows the SQLite driver": Bad(
        {"package_name": "aiosqlite"}, "'aiosqlite'", "type 'aiosqlite_service'"
    ),
    "package shadows a dev tool": Bad(
        {"package_name": "pytest"}, "'pytest'", "type 'pytest_service'"
    ),
    "package shadows a dependency's dependency": Bad(
        {"package_name": "starlette"}, "'starlette'", "type 'starlette_service'"
    ),
    "package is the test package": Bad(
        {"package_name": "tests"}, "'tests'", "type 'tests_service'"
    ),
    "package is a dunder name": Bad(
        {"package_name": "__init__"}, "'__init__'", "type 'init_service'"
    ),
    "package starts with a digit": Bad({"package_name": "1ledger"}, "'1ledger'", "type 'ledger'"),
    "package has a hyphen": Bad(
        {"package_name": "ledger-core"}, "'ledger-core'", "type 'ledger_core'"
    ),
    "package longer than 32": Bad(
        {"package_name": "a" * 33}, "longer than 32", f"such as '{'a' * 32}'"
    ),
    "slug with a slash": Bad({"project_slug": "a/b"}, "project_slug 'a/b'", "type 'a-b'"),
    "slug climbing out with ..": Bad({"project_slug": "../escape"}, "'../escape'", "type 'escape'"),
    "slug is ..": Bad({"project_slug": ".."}, "project_slug '..'", "type 'payments-service'"),
    "empty project name": Bad({"project_name": ""}, "project_name is empty", "type a name"),
    "blank project name": Bad({"project_name": "   "}, "project_name is empty", "type a name"),
    "unsupported python": Bad(
        {"python_version": "3.9"},
        "python_version '3.9'",
        "type one of 3.11, 3.12, 3.13",
        cookiecutter_says="the choices are ['3.11', '3.12', '3.13']",
    ),
    "python older than the oldest supported": Bad(
        {"python_version": "3.10"},
        "python_version '3.10'",
        "type one of 3.11, 3.12, 3.13",
        cookiecutter_says="the choices are ['3.11', '3.12', '3.13']",
    ),
    "malformed email": Bad({"author_email": "you-at-x"}, "'you-at-x'", "type one like"),
    "unknown database": Bad(
        {"database": "mysql"},
        "database 'mysql'",
        "type one of sqlite, postgresql",
        cookiecutter_says="the choices are ['sqlite', 'postgresql']",
    ),
    "unknown example": Bad(
        {"example": "shop"},
        "example 'shop'",
        "type one of ledger, none",
        cookiecutter_says="the choices are ['ledger', 'none']",
    ),
    "unknown license": Bad(
        {"license": "GPL-3.0"},
        "license 'GPL-3.0'",
        "type one of MIT, Apache-2.0, BSD-3-Clause, Proprietary",
        cookiecutter_says="the choices are ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'Proprietary']",
    ),
}

REFUSED = (CookiecutterException, ValueError)
"""How cookiecutter's API refuses: a failed hook, an existing folder, a choice not offered."""

each_bad_answer = pytest.mark.parametrize("bad", list(BAD_ANSWERS.values()), ids=list(BAD_ANSWERS))


def left_behind(work: Path) -> list[str]:
    """Whatever a failed bake wrote into ``work/out``, or beside it (``../escape``)."""
    return sorted(
        path.relative_to(work).as_posix() for path in work.rglob("*") if path.name != "out"
    )


@each_bad_answer
def test_is_refused_with_what_to_type_instead(tmp_path: Path, user_config: Path, bad: Bad) -> None:
    with pytest.raises(REFUSED) as refused:
        bake(tmp_path / "work" / "out", user_config, bad.answers)

    message = str(refused.value)
    if bad.cookiecutter_says:
        assert bad.cookiecutter_says in message
    else:
        assert bad.problem in message
        assert bad.instead in message
        assert "Nothing was written" in message


@each_bad_answer
def test_leaves_nothing_in_the_output_folder(tmp_path: Path, user_config: Path, bad: Bad) -> None:
    with pytest.raises(REFUSED):
        bake(tmp_path / "work" / "out", user_config, bad.answers)

    assert left_behind(tmp_path / "work") == []


def write_replay_file(folder: Path, bad: Bad) -> Path:
    """A replay file as cookiecutter writes one, holding the bad answers."""
    context = {
        **full_answers(bad.answers),
        "_extensions": template_context()["_extensions"],
        "__answers": "checked",
    }
    replay_file = folder / "bad-answers.json"
    replay_file.write_text(json.dumps({"cookiecutter": context}), encoding="utf-8")
    return replay_file


@each_bad_answer
def test_is_refused_with_what_to_type_instead_when_replayed(
    tmp_path: Path, user_config: Path, bad: Bad
) -> None:
    """``--replay`` skips the checks made while prompting; they run again before the
    project folder is created."""
    replay_file = write_replay_file(tmp_path, bad)

    with pytest.raises(REFUSED) as refused:
        replay(tmp_path / "work" / "out", user_config, replay_file=replay_file)

    message = str(refused.value)
    assert bad.problem in message
    assert bad.instead in message
    assert "Nothing was written" in message


@each_bad_answer
def test_leaves_nothing_in_the_output_folder_when_replayed(
    tmp_path: Path, user_config: Path, bad: Bad
) -> None:
    replay_file = write_replay_file(tmp_path, bad)

    with pytest.raises(REFUSED):
        replay(tmp_path / "work" / "out", user_config, replay_file=replay_file)

    assert left_behind(tmp_path / "work") == []


def normalized(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def direct_dependencies(project: Path) -> set[str]:
    """The distributions the project's ``pyproject.toml`` asks for, runtime and dev."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = [
        *pyproject["project"]["dependencies"],
        *pyproject["dependency-groups"]["dev"],
    ]
    return {normalized(re.split(r"[^A-Za-z0-9._-]", r, maxsplit=1)[0]) for r in requirements}


def top_level_modules(dist_info: Path) -> set[str]:
    """The top-level modules a distribution installed, from its ``RECORD``."""
    modules = set()
    for line in (dist_info / "RECORD").read_text(encoding="utf-8").splitlines():
        first = line.split(",", 1)[0].split("/", 1)[0]
        if first.endswith((".dist-info", ".pth")) or first in {"..", "__pycache__"}:
            continue
        modules.add(first.split(".", 1)[0])
    return modules


def modules_of_direct_dependencies(project: Path) -> set[str]:
    """What the project's own dependencies install under ``site-packages``.

    Only the direct ones: which modules their dependencies bring changes with every
    upstream release, and a test of those would fail for reasons outside the template.
    """
    [site_packages] = (project / ".venv").glob("lib/python3.*/site-packages")
    wanted = direct_dependencies(project)
    modules: set[str] = set()
    for dist_info in site_packages.glob("*.dist-info"):
        name = dist_info.name.removesuffix(".dist-info").rsplit("-", 1)[0]
        if normalized(name) in wanted:
            modules |= top_level_modules(dist_info)
    return modules


@pytest.mark.gates
@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(name, marks=[pytest.mark.variant(name), pytest.mark.xdist_group(name)])
        for name in GATE_VARIANTS
    ],
)
def test_no_module_of_a_dependency_of_the_project_is_accepted_as_package_name(
    tmp_path: Path, user_config: Path, checked_variant: CheckedVariant, variant: str
) -> None:
    """Runtime dependencies and dev tools: each would hide the project's own package."""
    project = checked_variant(variant).project
    accepted = []

    modules = modules_of_direct_dependencies(project.path)
    assert {"fastapi", "sqlalchemy", "pytest"} <= modules, "the dependencies were found"

    for module in sorted(modules - {project.package}):
        try:
            bake(tmp_path / module / "out", user_config, {"package_name": module})
        except REFUSED:
            continue
        accepted.append(module)

    assert accepted == [], "installed in the project: add to DEPENDENCY_MODULES in hooks/rules.py"
