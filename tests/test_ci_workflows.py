"""ci=github|gitlab: the pipeline is valid, hardened, and runs `make check` on the lock.

No CI service runs here, so these check the files: each against its service's published
schema (vendored by check-jsonschema, no network), and the promises a user relies on:
`make check` with a PostgreSQL service that `TEST_DATABASE_URL` points at, PostgreSQL
tests that fail rather than skip, the dependency audit beside it, every supported Python.

Supply chain (issue 17): zizmor, offline, finds nothing in the GitHub workflow or its
Dependabot config (it found 4 errors and 5 warnings before: actions pinned by tag, no
`permissions:`, credentials kept after checkout); dependencies install with
`uv sync --locked`, so a missing or stale uv.lock fails the pipeline instead of being
re-resolved; Dependabot (GitHub) or Renovate (GitLab) keeps the dependencies, actions and
images current; projects created with cruft hear when the template moved on, without
that ever blocking a merge.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Bake
from tests.support.options import CHOICES

WORKFLOW = {"github": ".github/workflows/ci.yml", "gitlab": ".gitlab-ci.yml"}
SCHEMA = {"github": "vendor.github-workflows", "gitlab": "vendor.gitlab-ci"}
DEPENDABOT = ".github/dependabot.yml"
RENOVATE = "renovate.json"
SUPPORTED_PYTHONS = CHOICES["python_version"]
OLDEST, NEWEST = SUPPORTED_PYTHONS[0], SUPPORTED_PYTHONS[-1]

PINNED_ACTION = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")
"""``owner/repo@<full commit SHA> # vX.Y.Z``: the SHA runs, the comment says which release."""

GITLAB_KEYWORDS = {"stages", "variables", "default", "workflow", "include", "image", "services"}
"""Top-level keys of .gitlab-ci.yml that are settings, not jobs."""


def bake(baked: Bake, ci: str, **answers: str) -> Path:
    result = baked({"ci": ci, **answers})
    assert result.exit_code == 0, result.exception
    return result.project_path


def document(project: Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((project / name).read_text(encoding="utf-8"))
    return loaded


def jobs(project: Path, ci: str) -> dict[str, Any]:
    workflow = document(project, WORKFLOW[ci])
    if ci == "github":
        return dict(workflow["jobs"])
    return {name: job for name, job in workflow.items() if name not in GITLAB_KEYWORDS}


def commands(job: dict[str, Any], ci: str) -> list[str]:
    if ci == "github":
        return [step["run"] for step in job["steps"] if "run" in step]
    return list(job["script"])


def environment(job: dict[str, Any], ci: str) -> dict[str, str]:
    return job["env"] if ci == "github" else job["variables"]


def pipeline_environment(project: Path, ci: str) -> dict[str, str]:
    """The variables every job of the pipeline gets."""
    workflow = document(project, WORKFLOW[ci])
    return dict(workflow["env"] if ci == "github" else workflow["variables"])


def github_steps(project: Path) -> list[dict[str, Any]]:
    return [step for job in jobs(project, "github").values() for step in job["steps"]]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def valid(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return run("check-jsonschema", "--builtin-schema", schema, str(path))


@pytest.fixture(params=list(WORKFLOW))
def ci(request: pytest.FixtureRequest) -> str:
    return request.param


def test_the_workflow_is_valid_for_its_ci_service(baked: Bake, ci: str) -> None:
    project = bake(baked, ci)
    result = valid(SCHEMA[ci], project / WORKFLOW[ci])

    assert result.returncode == 0, result.stdout + result.stderr


def test_make_check_runs_against_the_postgresql_service(baked: Bake, ci: str) -> None:
    project = bake(baked, ci)
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


def test_make_check_runs_on_exactly_the_locked_dependencies(baked: Bake, ci: str) -> None:
    """`uv sync --locked` fails on a missing or stale uv.lock; plain `uv sync` (what
    `make install` runs) would re-resolve and test versions nobody committed."""
    project = bake(baked, ci)
    steps = commands(jobs(project, ci)["check"], ci)

    assert "uv sync --locked" in steps
    assert steps.index("uv sync --locked") < steps.index("make check")
    assert "make install" not in steps
    # The uv commands make runs (uv export for the audit, too) assert the lock as well.
    assert pipeline_environment(project, ci)["UV_LOCKED"] == "1"


def test_the_dependency_audit_runs_beside_the_checks(baked: Bake, ci: str) -> None:
    project = bake(baked, ci)

    assert "make audit" in commands(jobs(project, ci)["audit"], ci)


@pytest.mark.parametrize("minimum", SUPPORTED_PYTHONS)
def test_github_tests_every_supported_python_from_the_minimum_up(baked: Bake, minimum: str) -> None:
    project = bake(baked, "github", python_version=minimum)
    matrix = jobs(project, "github")["check"]["strategy"]["matrix"]["python-version"]

    assert matrix == [version for version in SUPPORTED_PYTHONS if version >= minimum]


def test_gitlab_runs_on_the_minimum_python(baked: Bake) -> None:
    project = bake(baked, "gitlab", python_version="3.12")
    image = document(project, WORKFLOW["gitlab"])["default"]["image"]

    assert image.startswith("ghcr.io/astral-sh/uv:")
    assert image.endswith("-python3.12-trixie-slim")
    assert document(project, WORKFLOW["gitlab"])["variables"]["UV_PYTHON_DOWNLOADS"] == "never"


@pytest.mark.parametrize("python_version", [OLDEST, NEWEST])
@pytest.mark.parametrize("docker", CHOICES["docker"])
def test_zizmor_finds_nothing_in_the_workflow_or_dependabot_config(
    baked: Bake, docker: str, python_version: str
) -> None:
    """Offline (no GitHub API), with no configuration and no ignore comment honoured."""
    zizmor = shutil.which("zizmor")
    assert zizmor, "zizmor is a dev dependency of the template: run `uv sync`"
    project = bake(baked, "github", docker=docker, python_version=python_version)

    result = run(
        zizmor,
        "--offline",
        "--no-config",
        "--no-ignores",
        "--color=never",
        str(project / WORKFLOW["github"]),
        str(project / DEPENDABOT),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout, result.stdout


def test_every_action_is_pinned_by_commit_sha_with_its_version_in_a_comment(
    baked: Bake,
) -> None:
    """A tag can be moved to other code; a SHA cannot. Dependabot bumps both together."""
    project = bake(baked, "github")
    text = (project / WORKFLOW["github"]).read_text(encoding="utf-8")
    uses = [line.split("uses:", 1)[1].strip() for line in text.splitlines() if "uses:" in line]

    assert len(uses) == sum("uses" in step for step in github_steps(project))
    assert uses
    for reference in uses:
        assert PINNED_ACTION.match(reference), reference


def test_the_workflow_token_can_only_read_the_repository(baked: Bake) -> None:
    project = bake(baked, "github")

    assert document(project, WORKFLOW["github"])["permissions"] == {}
    for name, job in jobs(project, "github").items():
        assert job["permissions"] == {"contents": "read"}, name


def test_checkout_leaves_no_credentials_for_later_steps(baked: Bake) -> None:
    project = bake(baked, "github")
    checkouts = [
        step
        for step in github_steps(project)
        if step.get("uses", "").startswith("actions/checkout@")
    ]

    assert checkouts
    for checkout in checkouts:
        assert checkout["with"]["persist-credentials"] is False


def test_images_are_pinned_to_a_release_not_latest(baked: Bake, ci: str) -> None:
    """A tag names a release, `latest` changes under the project. On GitLab, Renovate adds
    the digests and moves the tags (renovate.json)."""
    project = bake(baked, ci)
    if ci == "github":
        images = [
            job["services"]["postgres"]["image"]
            for job in jobs(project, ci).values()
            if "services" in job
        ]
    else:
        workflow = document(project, WORKFLOW[ci])
        images = [workflow["default"]["image"]]
        for job in jobs(project, ci).values():
            images += [job["image"]] if "image" in job else []
            images += [service["name"] for service in job.get("services", [])]

    assert images
    for image in images:
        name, _, tag = image.rpartition(":")
        assert name, image
        assert tag not in {"", "latest"}, image


@pytest.mark.parametrize(
    ("answers", "ecosystems"),
    [
        ({"docker": "no"}, {"uv", "github-actions"}),
        ({"docker": "yes", "database": "sqlite"}, {"uv", "github-actions", "docker"}),
        (
            {"docker": "yes", "database": "postgresql"},
            {"uv", "github-actions", "docker", "docker-compose"},
        ),
    ],
    ids=["docker=no", "docker=yes", "docker=yes+postgresql"],
)
def test_dependabot_keeps_packages_actions_and_images_current(
    baked: Bake, answers: dict[str, str], ecosystems: set[str]
) -> None:
    project = bake(baked, "github", **answers)
    result = valid("vendor.dependabot", project / DEPENDABOT)
    updates = document(project, DEPENDABOT)["updates"]

    assert result.returncode == 0, result.stdout + result.stderr
    assert {update["package-ecosystem"] for update in updates} == ecosystems
    for update in updates:
        ecosystem = update["package-ecosystem"]
        assert update["directory"] == "/", ecosystem
        assert update["schedule"]["interval"] == "weekly", ecosystem
        assert update["groups"], f"{ecosystem}: one pull request per group, not per package"
        assert update["cooldown"]["default-days"] >= 1, ecosystem


def test_dependabot_keeps_the_python_image_on_the_minimum_python(baked: Bake) -> None:
    project = bake(baked, "github", docker="yes")
    [docker] = [
        u for u in document(project, DEPENDABOT)["updates"] if u["package-ecosystem"] == "docker"
    ]

    [python] = [rule for rule in docker["ignore"] if rule["dependency-name"] == "python"]
    assert "version-update:semver-minor" in python["update-types"]


def test_gitlab_projects_get_a_valid_renovate_config(baked: Bake) -> None:
    project = bake(baked, "gitlab")
    result = valid("vendor.renovate", project / RENOVATE)
    config = json.loads((project / RENOVATE).read_text(encoding="utf-8"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "config:recommended" in config["extends"]
    assert config["lockFileMaintenance"]["enabled"] is True  # uv.lock's indirect dependencies
    held_back = {
        name: rule["matchUpdateTypes"]
        for rule in config["packageRules"]
        if rule.get("enabled") is False
        for name in rule.get("matchPackageNames", [])
    }
    assert "minor" in held_back["python"], "the python image stays on the minimum Python"


def test_github_projects_get_dependabot_and_gitlab_projects_renovate(baked: Bake) -> None:
    github, gitlab = bake(baked, "github"), bake(baked, "gitlab")

    assert (github / DEPENDABOT).is_file()
    assert not (github / RENOVATE).exists()
    assert (gitlab / RENOVATE).is_file()
    assert not (gitlab / ".github").exists()


def test_a_cruft_project_hears_when_the_template_moved_on_without_blocking_merges(
    baked: Bake, ci: str
) -> None:
    """Plain cookiecutter projects have no .cruft.json: there the job does nothing."""
    project = bake(baked, ci)
    template = jobs(project, ci)["template"]

    assert "uvx cruft check" in commands(template, ci)
    if ci == "github":
        assert template["continue-on-error"] is True
        for step in template["steps"]:
            if "run" in step or "astral-sh/setup-uv@" in step.get("uses", ""):
                assert step["if"] == "hashFiles('.cruft.json') != ''", step
        needed = {need for job in jobs(project, ci).values() for need in job.get("needs", [])}
        assert "template" not in needed
    else:
        assert template["allow_failure"] is True
        assert template["rules"] == [{"exists": [".cruft.json"]}]
