"""ci=github|gitlab: the workflow is valid and runs `make check` against a real PostgreSQL.

No CI service runs here, so these check the files: each against its service's published
schema (vendored by check-jsonschema, no network), and the promises a user relies on:
`make check` with a PostgreSQL service that `TEST_DATABASE_URL` points at, PostgreSQL
tests that fail rather than skip, the dependency audit beside it, every supported Python.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_cookies.plugin import Cookies

from tests.support.options import CHOICES

WORKFLOW = {"github": ".github/workflows/ci.yml", "gitlab": ".gitlab-ci.yml"}
SCHEMA = {"github": "vendor.github-workflows", "gitlab": "vendor.gitlab-ci"}
SUPPORTED_PYTHONS = CHOICES["python_version"]


def bake(cookies: Cookies, ci: str, python_version: str = "3.11") -> Path:
    result = cookies.bake(extra_context={"ci": ci, "python_version": python_version})
    assert result.exit_code == 0, result.exception
    return result.project_path


def jobs(project: Path, ci: str) -> dict[str, Any]:
    document = yaml.safe_load((project / WORKFLOW[ci]).read_text(encoding="utf-8"))
    return document["jobs"] if ci == "github" else document


def commands(job: dict[str, Any], ci: str) -> list[str]:
    if ci == "github":
        return [step["run"] for step in job["steps"] if "run" in step]
    return list(job["script"])


def environment(job: dict[str, Any], ci: str) -> dict[str, str]:
    return job["env"] if ci == "github" else job["variables"]


@pytest.fixture(params=list(WORKFLOW))
def ci(request: pytest.FixtureRequest) -> str:
    return request.param


def test_the_workflow_is_valid_for_its_ci_service(cookies: Cookies, ci: str) -> None:
    project = bake(cookies, ci)
    result = subprocess.run(
        ["check-jsonschema", "--builtin-schema", SCHEMA[ci], str(project / WORKFLOW[ci])],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_make_check_runs_against_the_postgresql_service(cookies: Cookies, ci: str) -> None:
    project = bake(cookies, ci)
    check = jobs(project, ci)["check"]
    variables = environment(check, ci)

    assert "make check" in commands(check, ci)
    if ci == "github":
        service = check["services"]["postgres"]
        user, password, database = (
            service["env"][f"POSTGRES_{key}"] for key in ("USER", "PASSWORD", "DB")
        )
        host = "127.0.0.1"
    else:
        [service] = check["services"]
        assert service["name"].startswith("postgres:")
        user, password, database = (
            variables[f"POSTGRES_{key}"] for key in ("USER", "PASSWORD", "DB")
        )
        host = service["alias"]
    expected = f"postgresql+asyncpg://{user}:{password}@{host}:5432/{database}"
    assert variables["TEST_DATABASE_URL"] == expected
    assert variables["TEST_REQUIRE_POSTGRESQL"] == "1"


def test_the_dependency_audit_runs_beside_the_checks(cookies: Cookies, ci: str) -> None:
    project = bake(cookies, ci)

    assert "make audit" in commands(jobs(project, ci)["audit"], ci)


@pytest.mark.parametrize("minimum", SUPPORTED_PYTHONS)
def test_github_tests_every_supported_python_from_the_minimum_up(
    cookies: Cookies, minimum: str
) -> None:
    project = bake(cookies, "github", minimum)
    matrix = jobs(project, "github")["check"]["strategy"]["matrix"]["python-version"]

    assert matrix == [version for version in SUPPORTED_PYTHONS if version >= minimum]


def test_gitlab_runs_on_the_minimum_python(cookies: Cookies) -> None:
    project = bake(cookies, "gitlab", "3.12")

    assert jobs(project, "gitlab")["check"]["image"] == "python:3.12-slim"
