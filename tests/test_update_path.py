"""A project generated from an earlier template updates to this one with cruft, cleanly.

The generated README promises ``cruft update`` as the way to take a newer template. Here a
project is created with cruft from a fixed earlier commit (``FROM_COMMIT``), committed and
installed as a team would; the team adds its own words to the domain package; then
``cruft update`` takes it to this working tree's template, committed in a throwaway clone
(uncommitted changes included). The update must merge without conflicts, keep the team's
edit, leave the files of ``[tool.cruft] skip`` alone, end as the template now generates the
project, and pass ``make check`` once ``make install`` has locked the new dependencies.
The next update then skips those files by itself.

``FROM_COMMIT`` predates the skip list, and cruft reads the list from the project's own
pyproject.toml as it is *before* an update. So for this first update the git-ignored files
the list will name (``.env``) are set aside, as the README tells owners of such projects:
cruft leaves alone what is missing from the project. Left in place, ``.env`` (a random key
in every render) comes back as ``.env.rej``, and cruft, its three-way merge failed, applies
every file's hunks with ``git apply --reject`` instead. Copying the ``[tool.cruft]`` table
in first does not work either: the template's other additions beside it conflict. Once a
release with the list exists, moving ``FROM_COMMIT`` to it makes the setting aside a no-op.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.baking import write_user_config
from tests.support.files import snapshot
from tests.support.options import DEFAULTS, ROOT
from tests.support.toolchain import Outcome, Toolchain, find_python
from tests.support.updating import (
    commit_all,
    conflicts,
    cruft,
    environment,
    git,
    make,
    missing_commit,
    own_files,
    skip_list,
    skipped_files,
    template_repository,
)

pytestmark = [pytest.mark.gates, pytest.mark.xdist_group("update path")]

FROM_COMMIT = "f323fc1b7e358fb61042d2aa94e0783176509b86"
"""The template as it was before its update path was tested (issue 17): where projects start."""

TEAM_NOTE = "Our team's own words, which a template update must keep."


def with_team_note(module: str) -> str:
    """The module with ``TEAM_NOTE`` as the last paragraph of its docstring."""
    closing = module.index('"""', 3)
    return f"{module[:closing]}\n{TEAM_NOTE}\n{module[closing:]}"


@dataclass(frozen=True)
class Update:
    project: Path
    """Created from ``FROM_COMMIT``, edited by the team, then updated."""
    generated_now: Path
    """The same answers generated afresh by the template under test."""
    new_commit: str
    set_aside: list[str]
    """Skip-listed files out of the project during the update (not skipped yet: see above)."""
    edited: str
    """The file the team edited, relative to the project."""
    skip_entries: list[str]
    skipped_before: dict[str, bytes]
    check_before: Outcome
    outcome: Outcome
    check_after: Outcome
    env: dict[str, str]


@pytest.fixture(scope="module")
def update(tmp_path_factory: pytest.TempPathFactory, toolchain: Toolchain) -> Update:
    reason = missing_commit(ROOT, FROM_COMMIT)
    if reason is not None:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("update-path")
    env = environment(toolchain, write_user_config(folder / "user"))
    if python := find_python(DEFAULTS["python_version"]):
        env["UV_PYTHON"] = python
    template, new_commit = template_repository(ROOT, folder, env)

    output = {name: folder / name for name in ("project", "now")}
    for name, checkout in (("project", ["--checkout", FROM_COMMIT]), ("now", [])):
        arguments = ["--no-input", *checkout, "--output-dir", str(output[name]), str(template)]
        created = cruft("create", *arguments, cwd=folder, env=env)
        assert created.ok, created.report()
    [project] = output["project"].iterdir()
    [generated_now] = output["now"].iterdir()

    git("init", "--quiet", "--initial-branch=main", cwd=project, env=env)
    commit_all(project, "Generated with cruft", env)
    installed = make("install", project, toolchain, env)
    assert installed.ok, installed.report()
    commit_all(project, "Lock the dependencies", env)
    answers = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    edited = f"src/{answers['package_name']}/domain/__init__.py"
    (project / edited).write_text(with_team_note((project / edited).read_text()))
    commit_all(project, "Our own words in the domain", env)

    entries = skip_list(generated_now)
    skipped_before = skipped_files(project, entries)
    not_yet_skipped = [entry for entry in entries if entry not in skip_list(project)]
    ignored = skipped_files(project, not_yet_skipped).keys() - set(own_files(project, env))
    set_aside = sorted(ignored)
    aside = folder / "set-aside"
    check_before = cruft("check", cwd=project, env=env)
    for name in set_aside:
        (aside / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(project / name, aside / name)
    outcome = cruft("update", "--skip-apply-ask", cwd=project, env=env)
    for name in set_aside:
        shutil.move(aside / name, project / name)
    check_after = cruft("check", cwd=project, env=env)
    return Update(
        project,
        generated_now,
        new_commit,
        set_aside,
        edited,
        entries,
        skipped_before,
        check_before,
        outcome,
        check_after,
        env,
    )


@pytest.fixture(scope="module")
def checked_after_update(update: Update, toolchain: Toolchain) -> dict[str, Outcome]:
    """``make install`` (uv.lock re-resolved for the new pyproject.toml), then ``make check``."""
    outcomes = {"make install": make("install", update.project, toolchain, update.env)}
    if outcomes["make install"].ok:
        outcomes["make check"] = make("check", update.project, toolchain, update.env)
    return outcomes


@dataclass(frozen=True)
class NextUpdate:
    project: Path
    skipped_before: dict[str, bytes]
    outcome: Outcome


TEMPLATE_NEWS = "A line the template's README gained after the first update."


@pytest.fixture(scope="module")
def next_update(update: Update, tmp_path_factory: pytest.TempPathFactory) -> NextUpdate:
    """A copy of the updated project, its update committed, taken to a newer template commit
    (a line added to the README), with nothing set aside: the skip list is in place now."""
    project = tmp_path_factory.mktemp("next-update") / update.project.name
    ignored = shutil.ignore_patterns(".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache")
    shutil.copytree(update.project, project, symlinks=True, ignore=ignored)
    commit_all(project, "Take the template's update", update.env)
    template = Path(json.loads((project / ".cruft.json").read_text())["template"])
    readme = template / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(f"{readme.read_text()}\n{TEMPLATE_NEWS}\n")
    commit_all(template, "News in the README", update.env)
    skipped_before = skipped_files(project, update.skip_entries)
    outcome = cruft("update", "--skip-apply-ask", cwd=project, env=update.env)
    return NextUpdate(project, skipped_before, outcome)


def test_cruft_check_says_the_project_is_behind_before_the_update(update: Update) -> None:
    assert update.check_before.returncode == 1, update.check_before.report()
    assert "out of date" in update.check_before.output, update.check_before.report()


def test_cruft_update_reports_success_after_a_three_way_merge(update: Update) -> None:
    assert update.outcome.ok, update.outcome.report()
    assert "Good work!" in update.outcome.output, update.outcome.report()
    # cruft falls back to `git apply --reject` (and still exits 0) when the merge fails.
    assert "Failed to apply the update" not in update.outcome.output, update.outcome.report()


def test_update_leaves_no_conflict_files_or_markers(update: Update) -> None:
    assert conflicts(update.project, passed_over=[update.edited]) == []


def test_the_teams_own_edit_survives_the_update(update: Update) -> None:
    assert TEAM_NOTE in (update.project / update.edited).read_text()


def test_cruft_json_records_the_new_template_commit(update: Update) -> None:
    recorded = json.loads((update.project / ".cruft.json").read_text())
    assert recorded["commit"] == update.new_commit


def test_cruft_check_says_the_project_is_up_to_date_after_the_update(update: Update) -> None:
    assert update.check_after.ok, update.check_after.report()
    assert "up to date" in update.check_after.output, update.check_after.report()


def test_update_leaves_the_files_of_the_skip_list_untouched(update: Update) -> None:
    assert {"uv.lock", ".env"} <= set(update.skip_entries), "pyproject.toml: [tool.cruft] skip"
    assert {"uv.lock", ".env"} <= update.skipped_before.keys()
    assert skipped_files(update.project, update.skip_entries) == update.skipped_before


def test_updated_project_is_what_the_template_generates_now_plus_the_teams_edit(
    update: Update,
) -> None:
    expected = snapshot(update.generated_now)
    del expected[".env"]  # git-ignored; the random key of each generation
    expected[update.edited] = with_team_note(expected[update.edited].decode()).encode()
    project = update.project
    actual = {
        name: (project / name).read_bytes()
        for name in own_files(project, update.env)
        if name != "uv.lock"  # not generated: the team's own lock
    }

    assert sorted(actual.keys() - expected.keys()) == [], "not generated by the template now"
    assert sorted(expected.keys() - actual.keys()) == [], "generated now, missing after update"
    changed = [
        name for name in sorted(expected) if actual.get(name, expected[name]) != expected[name]
    ]
    assert changed == [], "not as the template generates them now"


def test_installs_with_the_updated_dependencies(checked_after_update: dict[str, Outcome]) -> None:
    outcome = checked_after_update["make install"]
    assert outcome.ok, outcome.report()


def test_passes_make_check_after_the_update(checked_after_update: dict[str, Outcome]) -> None:
    assert "make check" in checked_after_update, "make install failed"
    outcome = checked_after_update["make check"]
    assert outcome.ok, outcome.report()


def test_the_next_update_merges_without_conflicts(next_update: NextUpdate) -> None:
    outcome = next_update.outcome
    assert outcome.ok, outcome.report()
    assert "Failed to apply the update" not in outcome.output, outcome.report()
    assert conflicts(next_update.project) == []
    assert TEMPLATE_NEWS in (next_update.project / "README.md").read_text()


def test_the_next_update_skips_the_files_of_the_skip_list_by_itself(
    update: Update, next_update: NextUpdate
) -> None:
    assert next_update.skipped_before.keys() >= {"uv.lock", ".env"}
    after = skipped_files(next_update.project, update.skip_entries)
    assert after == next_update.skipped_before
