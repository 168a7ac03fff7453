"""The ``cookiecutter`` command line, as a user types it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.baking import cookiecutter_command
from tests.support.options import CHOICES, ROOT


def bake_answering(
    tmp_path: Path, user_config: Path, *answers: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``cookiecutter --no-input TEMPLATE ANSWERS`` into an empty folder; the run and it."""
    out = tmp_path / "out"
    out.mkdir()
    completed = cookiecutter_command(
        "--no-input",
        str(ROOT),
        "-o",
        str(out),
        "--config-file",
        str(user_config),
        *answers,
        cwd=tmp_path,
    )
    return completed, out


def test_a_bad_answer_prints_a_clean_message_and_exits_1(tmp_path: Path, user_config: Path) -> None:
    completed, out = bake_answering(tmp_path, user_config, "package_name=class", "project_slug=a/b")

    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "Traceback" not in output
    assert "type 'class_service'" in output
    assert "type 'a-b'" in output
    assert list(out.iterdir()) == []


@pytest.mark.xfail(
    strict=True,
    reason="template bug: cookiecutter checks choice answers before the template's rules "
    "and reports an unknown one with a ValueError traceback",
)
def test_an_unknown_choice_prints_a_clean_message_and_exits_1(
    tmp_path: Path, user_config: Path
) -> None:
    completed, _ = bake_answering(tmp_path, user_config, "database=mysql")

    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "type one of sqlite, postgresql" in output
    assert "Traceback" not in output


def test_a_python_version_not_offered_is_refused_before_anything_is_written(
    tmp_path: Path, user_config: Path
) -> None:
    """``python_version=3.10``: refused (by cookiecutter itself, as for any answer not among
    the choices; see the xfail above for its traceback) with the versions to choose from,
    before anything is rendered."""
    completed, out = bake_answering(tmp_path, user_config, "python_version=3.10")

    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "python_version" in output
    assert all(version in output for version in CHOICES["python_version"]), output
    assert list(out.iterdir()) == []


def test_bakes_from_a_relative_template_path(tmp_path: Path, user_config: Path) -> None:
    """``cookiecutter .`` from a clone: the hooks must not depend on the working folder."""
    completed = cookiecutter_command(
        "--no-input",
        ".",
        "-o",
        str(tmp_path / "out"),
        "--config-file",
        str(user_config),
        cwd=ROOT,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (tmp_path / "out" / "payments-service" / "pyproject.toml").is_file()
