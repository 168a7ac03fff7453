"""The generated Makefile is the project's front door: it says what it can do, and what to
do first.

``make`` alone lists every target with its line of help; a target that needs the tools
says ``run 'make install' first`` when they are missing (so does pre-commit's first
hook), instead of uv's ``Failed to spawn: ruff``; ``make install`` installs the git hooks
too; ``make check`` includes the coverage floor; Docker targets exist when Docker does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from pytest_cookies.plugin import Cookies

from tests.support.toolchain import Toolchain
from tests.support.variants import SyncedProject

INSTALL_FIRST = "run 'make install' first"
TOOL_TARGETS = ("test", "coverage", "lint", "format", "check", "migrate", "run")


def bake(cookies: Cookies, **answers: str) -> Path:
    result = cookies.bake(extra_context=answers)
    assert result.exit_code == 0, result.exception
    return result.project_path


def make(project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *arguments],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def documented_targets(makefile: str) -> dict[str, str]:
    return dict(re.findall(r"^([a-z]+):.*?## (.+)$", makefile, re.MULTILINE))


@pytest.mark.parametrize("docker", ["yes", "no"])
def test_make_alone_lists_every_target_with_its_help(cookies: Cookies, docker: str) -> None:
    project = bake(cookies, docker=docker)

    shown = make(project)

    assert shown.returncode == 0, shown.stderr
    targets = documented_targets((project / "Makefile").read_text(encoding="utf-8"))
    assert {"help", "install", "check", "coverage", "test", "lint", "migrate"} <= set(targets)
    for target, help_text in targets.items():
        assert re.search(rf"^\s+{target}\s+{re.escape(help_text)}$", shown.stdout, re.M), (
            f"`make` does not show {target}: {help_text}\n{shown.stdout}"
        )
    docker_targets = {"up", "down", "logs"}
    if docker == "yes":
        assert docker_targets <= set(targets)
    else:
        assert not docker_targets & set(targets)


@pytest.mark.parametrize("target", TOOL_TARGETS)
def test_a_target_run_before_make_install_says_to_run_it(cookies: Cookies, target: str) -> None:
    project = bake(cookies)

    ran = make(project, target)

    assert ran.returncode != 0
    assert INSTALL_FIRST in ran.stderr, ran.stdout + ran.stderr
    assert "Failed to spawn" not in ran.stdout + ran.stderr


def test_make_check_includes_the_coverage_floor(cookies: Cookies) -> None:
    project = bake(cookies)
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))

    dry_run = make(project, "--dry-run", "--always-make", "check")

    assert re.search(r"^check: .*\bcoverage\b", makefile, re.M)
    assert "coverage run -m pytest" in dry_run.stdout
    assert "coverage report" in dry_run.stdout
    assert pyproject["tool"]["coverage"]["report"]["fail_under"] >= 85


def test_make_revision_asks_for_a_message(cookies: Cookies) -> None:
    project = bake(cookies)
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / "bin" / "ruff").touch(mode=0o755)  # the tools look installed

    ran = make(project, "revision")

    assert ran.returncode != 0
    assert 'make revision MESSAGE="' in ran.stderr


def test_make_install_adds_hooks_only_to_the_projects_own_repository(cookies: Cookies) -> None:
    """Baked inside another repository (a clone of this template, a monorepo), ``make
    install`` must not write that repository's hooks. ``UV=echo`` shows what would run."""
    project = bake(cookies)
    subprocess.run(["git", "init", "-q"], cwd=project.parent, check=True)

    around = make(project, "install", "UV=echo")

    assert around.returncode == 0, around.stderr
    assert "pre-commit install" not in around.stdout
    assert "after 'git init'" in around.stdout
    assert not (project.parent / ".git" / "hooks" / "pre-commit").exists()

    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    own = make(project, "install", "UV=echo")

    assert "run --no-sync pre-commit install" in own.stdout


@pytest.mark.gates
def test_pre_commit_before_make_install_says_to_run_it(
    cookies: Cookies, default_project: SyncedProject
) -> None:
    """pre-commit, installed on its own (here: the synced default project's), run in a new
    project whose tools are not installed: its first hook stops the run with the advice."""
    pre_commit = default_project.path / ".venv" / "bin" / "pre-commit"
    project = bake(cookies)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)

    ran = subprocess.run(
        [str(pre_commit), "run", "--all-files"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )

    assert ran.returncode != 0
    assert INSTALL_FIRST in ran.stdout, ran.stdout
    assert "Failed to spawn" not in ran.stdout, ran.stdout


@pytest.mark.gates
def test_make_install_installs_the_git_hooks(cookies: Cookies, toolchain: Toolchain) -> None:
    project = bake(cookies)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)

    installed = subprocess.run(
        ["make", "install", f"UV={toolchain.uv}"],
        cwd=project,
        env=dict(toolchain.env),
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )

    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (project / ".git" / "hooks" / "pre-commit").is_file()
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    hooks = subprocess.run(
        [str(project / ".venv" / "bin" / "pre-commit"), "run", "tools"],
        cwd=project,
        env=dict(toolchain.env),
        capture_output=True,
        text=True,
        check=False,
    )
    assert hooks.returncode == 0, hooks.stdout
    shutil.rmtree(project / ".venv")
