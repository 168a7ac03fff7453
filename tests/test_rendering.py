"""Every answer renders a complete, well-formed project with exactly the files it chose.

Each answer set is baked once per session (the ``baked`` fixture) and every promise below
is checked against it: every value of every option, database x python_version, project
names, and the most- and least-featured projects.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Bake
from tests.support.files import (
    relative_names,
    template_syntax_left,
    under_any,
    with_suffix,
)
from tests.support.options import (
    CHOICES,
    DEFAULTS,
    LICENSE_TEXT,
    SPDX_LICENSE,
    conditional_paths,
    full_answers,
    offered_options,
    render_cases,
)

CASES = render_cases()


@pytest.fixture(params=list(CASES.values()), ids=list(CASES))
def answers(request: pytest.FixtureRequest) -> dict[str, str]:
    return dict(request.param)


@pytest.fixture
def project(baked: Bake, answers: dict[str, str]) -> Path:
    """The baked project's folder (tests take the path: a Result's repr is deprecated)."""
    result = baked(answers)
    assert result.exception is None, f"bake failed: {result.exception!r}"
    return result.project_path


def pyproject_of(project: Path) -> dict[str, Any]:
    return tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_options_offered_are_the_ones_these_tests_cover() -> None:
    offered = offered_options()
    assert set(offered) == {*DEFAULTS, "project_slug", "package_name"}
    for option, values in CHOICES.items():
        if isinstance(offered[option], list):
            assert tuple(offered[option]) == values, option
        else:  # typed rather than chosen: the default is the first accepted value
            assert offered[option] == values[0], option
    for option, default in DEFAULTS.items():
        if option == "description":  # derives from ``example``: the bakes check it
            continue
        shown = offered[option][0] if isinstance(offered[option], list) else offered[option]
        assert shown == default, option


def test_bakes_without_error(baked: Bake, answers: dict[str, str]) -> None:
    result = baked(answers)
    assert result.exit_code == 0, repr(result.exception)
    assert result.exception is None
    assert result.project_path.is_dir()


def test_keeps_the_conditional_files_its_answers_choose_and_no_others(
    project: Path, answers: dict[str, str]
) -> None:
    expected = conditional_paths(full_answers(answers))
    present = {path: (project / path).exists() for path in expected}
    assert present == expected


def test_leaves_no_template_syntax_in_any_path_or_file(project: Path) -> None:
    assert template_syntax_left(project) == []


def test_writes_toml_files_that_parse(project: Path) -> None:
    tomls = with_suffix(project, ".toml")
    assert tomls, "no .toml file baked"
    for path in tomls:
        tomllib.loads(path.read_text(encoding="utf-8"))


def test_writes_yaml_files_that_parse(project: Path) -> None:
    for path in with_suffix(project, ".yml", ".yaml"):
        with path.open(encoding="utf-8") as stream:
            documents = list(yaml.safe_load_all(stream))
        assert documents, f"{path.name} is empty"


def test_writes_json_files_that_parse(project: Path) -> None:
    for path in with_suffix(project, ".json"):
        json.loads(path.read_text(encoding="utf-8"))


def test_records_the_answers_given_in_dot_cookiecutter_json(
    project: Path, answers: dict[str, str]
) -> None:
    recorded = json.loads((project / ".cookiecutter.json").read_text("utf-8"))
    public = {key: value for key, value in recorded.items() if not key.startswith("_")}
    assert public == full_answers(answers)
    assert "_template" in recorded, "cruft and --replay need the template's location"


def test_names_folder_distribution_package_and_console_script_after_the_answers(
    project: Path, answers: dict[str, str]
) -> None:
    expected = full_answers(answers)
    slug, package = expected["project_slug"], expected["package_name"]
    pyproject = pyproject_of(project)

    assert project.name == slug
    assert pyproject["project"]["name"] == slug
    assert [path.name for path in (project / "src").iterdir()] == [package]
    assert (project / "src" / package / "__init__.py").is_file()
    assert pyproject["project"]["scripts"][slug] == f"{package}.__main__:main"
    assert pyproject["tool"]["importlinter"]["root_package"] == package
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert readme.splitlines()[0] == f"# {expected['project_name']}"


README_SECTIONS_IN_ORDER = (
    "## Quickstart",
    "## The layers and the rule",
    "## Where to start reading",
    "## How to add an aggregate",
    "## Troubleshooting",
    "## Performance",
)


def test_readme_leads_with_what_a_newcomer_needs_and_ends_with_performance(
    project: Path,
) -> None:
    headings = [
        line
        for line in (project / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    ]

    assert [h for h in headings if h in README_SECTIONS_IN_ORDER] == list(README_SECTIONS_IN_ORDER)
    assert headings[-1] == "## Performance"


def test_sets_the_minimum_python_for_packaging_ruff_and_mypy(
    project: Path, answers: dict[str, str]
) -> None:
    version = full_answers(answers)["python_version"]
    pyproject = pyproject_of(project)
    assert pyproject["project"]["requires-python"] == f">={version}"
    assert pyproject["tool"]["ruff"]["target-version"] == f"py{version.replace('.', '')}"
    assert pyproject["tool"]["mypy"]["python_version"] == version
    dockerfile = project / "Dockerfile"
    if dockerfile.exists():
        assert f"FROM python:{version}-slim" in dockerfile.read_text(encoding="utf-8")


def test_ships_the_license_chosen_in_license_file_and_metadata(
    project: Path, answers: dict[str, str]
) -> None:
    expected = full_answers(answers)
    license_file = (project / "LICENSE").read_text(encoding="utf-8")
    assert LICENSE_TEXT[expected["license"]] in license_file
    if expected["license"] != "Apache-2.0":  # Apache's text is used verbatim, unsigned
        assert expected["author_name"] in license_file
    others = {text for name, text in LICENSE_TEXT.items() if name != expected["license"]}
    assert not [text for text in others if text in license_file]
    assert pyproject_of(project)["project"]["license"] == SPDX_LICENSE[expected["license"]]


def test_depends_on_opentelemetry_only_when_chosen(project: Path, answers: dict[str, str]) -> None:
    chosen = full_answers(answers)["observability"] == "opentelemetry"
    dependencies = pyproject_of(project)["project"]["dependencies"]
    assert any(d.startswith("opentelemetry") for d in dependencies) == chosen


def test_answers_change_no_file_beyond_the_conditional_ones(baked: Bake) -> None:
    """Apart from the conditional paths, every answer set bakes the same list of files.

    This is how a new conditional file that the rules above do not know about shows up,
    without keeping a list of every file the template ships.
    """
    shared: dict[str, set[str]] = {}
    for name, answers in CASES.items():
        expected = full_answers(answers)
        result = baked(answers)
        assert result.exception is None, f"{name}: {result.exception!r}"
        conditional = set(conditional_paths(expected))
        package = f"src/{expected['package_name']}/"
        shared[name] = {
            path.replace(package, "src/<package>/")
            for path in relative_names(result.project_path)
            if not under_any(path, conditional)
        }
    reference = shared["defaults"]
    differences = {
        name: {"missing": sorted(reference - files), "extra": sorted(files - reference)}
        for name, files in shared.items()
        if files != reference
    }
    assert differences == {}


LEDGER_MODEL = re.compile(r"account|transfer(?!-encoding)|money|deposit|ledger:", re.IGNORECASE)
"""The ledger's nouns and scopes (HTTP's ``Transfer-Encoding`` is not one of them)."""


def test_without_the_example_no_path_or_source_line_names_the_ledger(baked: Bake) -> None:
    """``example=none`` keeps every mechanism and drops the model: no ledger module, table,
    route, scope or test is left for the team to rip out, nor a comment about one."""
    result = baked({"example": "none"})
    assert result.exception is None, f"bake failed: {result.exception!r}"
    project = result.project_path
    names = relative_names(project)

    named = [path for path in names if LEDGER_MODEL.search(path)]
    mentioned = {
        path: sorted({word.lower() for word in LEDGER_MODEL.findall(text)})
        for path in names
        if path.startswith("src/")
        and path.endswith(".py")
        and LEDGER_MODEL.search(text := (project / path).read_text(encoding="utf-8"))
    }

    assert named == []
    assert mentioned == {}
