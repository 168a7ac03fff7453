"""Each bake gets its own development signing key, in a git-ignored ``.env``.

So ``make run`` and the ``token`` command work at once, no two projects share a key, and
the key never reaches the repository: ``.env`` is ignored by git, and no tracked file
carries the key. The generated service refuses the key in production (its own tests).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pytest_cookies.plugin import Cookies

from tests.support.files import files

KEY_LINE = re.compile(r"^AUTH_DEV_SIGNING_KEY=([0-9a-f]{64})$", re.MULTILINE)


def dev_key(project: Path) -> str:
    found = KEY_LINE.findall((project / ".env").read_text(encoding="utf-8"))
    assert len(found) == 1, "one AUTH_DEV_SIGNING_KEY line of 64 hex digits (256 bits)"
    return str(found[0])


@pytest.fixture(scope="module")
def two_bakes(cookies_session: Cookies) -> tuple[Path, Path]:
    first = cookies_session.bake()
    second = cookies_session.bake()
    assert first.exception is None, repr(first.exception)
    assert second.exception is None, repr(second.exception)
    return first.project_path, second.project_path


def test_writes_a_random_key_into_dot_env(two_bakes: tuple[Path, Path]) -> None:
    first, second = two_bakes

    assert dev_key(first) != dev_key(second)


def test_no_other_file_carries_the_key(two_bakes: tuple[Path, Path]) -> None:
    project = two_bakes[0]
    key = dev_key(project).encode()

    carriers = [
        path.name for path in files(project) if path.name != ".env" and key in path.read_bytes()
    ]

    assert carriers == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_ignores_dot_env(two_bakes: tuple[Path, Path], tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(two_bakes[0], project)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)

    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=project, check=False)

    assert ignored.returncode == 0, ".env must be listed in the project's .gitignore"


def test_dot_env_example_documents_the_key_without_a_value(two_bakes: tuple[Path, Path]) -> None:
    lines = (two_bakes[0] / ".env.example").read_text(encoding="utf-8").splitlines()

    assert "AUTH_DEV_SIGNING_KEY=" in lines
