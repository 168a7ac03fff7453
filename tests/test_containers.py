"""docker=yes: the Dockerfile and compose.yaml are valid and match the service's settings.

No Docker engine runs here, so these check what can be checked without one: hadolint,
the Compose specification's JSON schema, and the structure a user relies on.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(params=DATABASES)
def project(cookies, request: pytest.FixtureRequest) -> Path:
    result = cookies.bake(extra_context={"docker": "yes", "database": request.param})
    assert result.exit_code == 0, result.exception
    return result.project_path


def env_example_variables(project: Path) -> set[str]:
    lines = (project / ".env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_dockerfile_passes_hadolint(project: Path) -> None:
    hadolint = shutil.which("hadolint")
    assert hadolint, "hadolint is a dev dependency of the template: run `uv sync`"

    result = run(hadolint, str(project / "Dockerfile"))

    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_multi_stage_built_with_uv_and_runs_as_non_root(project: Path) -> None:
    dockerfile = DockerfileParser(path=str(project / "Dockerfile"))
    instructions = [(i["instruction"], i["value"]) for i in dockerfile.structure]

    stages = [value for name, value in instructions if name == "FROM"]
    users = [value for name, value in instructions if name == "USER"]
    assert len(stages) >= 2
    assert any("uv" in value for name, value in instructions if name in {"COPY", "RUN"})
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert any(name == "HEALTHCHECK" and "/health/live" in value for name, value in instructions)


def test_the_image_installs_exactly_the_locked_dependencies_self_contained(project: Path) -> None:
    """uv.lock is required (copied by name, no `uv.lock*` that lets a missing lock pass) and
    every sync is --locked: a missing or stale lock fails the build instead of re-resolving.
    The venv copied to the runtime stage needs no src."""
    dockerfile = DockerfileParser(path=str(project / "Dockerfile"))
    instructions = [(i["instruction"], i["value"]) for i in dockerfile.structure]
    copied = [value.split() for name, value in instructions if name == "COPY"]
    syncs = [value for name, value in instructions if name == "RUN" and "uv sync" in value]

    assert any("uv.lock" in arguments[:-1] for arguments in copied)
    assert not any("*" in argument for arguments in copied for argument in arguments)
    assert syncs
    assert all("--locked" in value.split() for value in syncs)
    assert all("--no-dev" in value for value in syncs)
    assert "--no-editable" in syncs[-1]


def test_compose_file_is_valid_against_the_compose_specification(project: Path) -> None:
    result = run(
        "check-jsonschema", "--builtin-schema", "vendor.compose-spec", str(project / "compose.yaml")
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_services_migrate_before_the_app_starts(project: Path) -> None:
    services = yaml.safe_load((project / "compose.yaml").read_text())["services"]

    assert services["migrate"]["command"][-1] == "migrate"
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["app"]["ports"] == ["8000:8000"]


def test_compose_environment_uses_only_real_settings(project: Path) -> None:
    services = yaml.safe_load((project / "compose.yaml").read_text())["services"]

    for name in ("migrate", "app"):
        assert set(services[name]["environment"]) <= env_example_variables(project), name


def test_postgresql_projects_get_a_database_service_the_app_points_at(cookies) -> None:
    result = cookies.bake(extra_context={"docker": "yes", "database": "postgresql"})
    services = yaml.safe_load((result.project_path / "compose.yaml").read_text())["services"]

    assert "db" in services
    assert "@db:5432/" in services["app"]["environment"]["DATABASE_URL"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
