"""CI audits the locked dependencies for known vulnerabilities, and fails on any doubt.

``make audit`` exports the lock file and runs pip-audit on it with ``--strict``: a
package it cannot check fails the run instead of passing silently. The audit needs the
internet, so it is its own CI job, not part of ``make check``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[2]
GITHUB = ROOT / ".github" / "workflows" / "ci.yml"
GITLAB = ROOT / ".gitlab-ci.yml"


def makefile_target(name: str) -> list[str]:
    """The recipe lines of a Makefile target."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"{name}:", line))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


def github_commands(workflow: dict[str, Any]) -> list[str]:
    return [
        step["run"]
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if "run" in step
    ]


def gitlab_commands(pipeline: dict[str, Any]) -> list[str]:
    return [
        command
        for job in pipeline.values()
        if isinstance(job, dict) and "script" in job
        for command in job["script"]
    ]


def test_make_audit_runs_pip_audit_strictly_on_the_lock_file() -> None:
    recipe = " ".join(makefile_target("audit"))

    assert "export" in recipe
    assert "pip-audit" in recipe
    assert "--strict" in recipe


CI_COMMANDS = {GITHUB: github_commands, GITLAB: gitlab_commands}


def test_every_ci_configuration_runs_the_audit() -> None:
    for ci_file, commands in CI_COMMANDS.items():
        if ci_file.exists():
            assert "make audit" in commands(load(ci_file)), ci_file.name
