"""The template's own Python (hooks, tests, scripts, benchmarks) passes ruff.

Hook scripts are Jinja templates: where a ``{{ ... }}`` expression stands for Python code
(not inside a string), it is replaced by a string literal before ruff reads the file.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.options import ROOT

FOLDERS = ("hooks", "tests", "scripts", "benchmarks")
HOOK_NAMES = {"pre_prompt", "pre_gen_project", "post_gen_project"}
JINJA_EXPRESSION = re.compile(r"(?<![\"'])\{\{.*?\}\}(?![\"'])")


def python_files() -> list[Path]:
    return sorted(
        path
        for folder in FOLDERS
        if (ROOT / folder).is_dir()
        for path in (ROOT / folder).rglob("*.py")
    )


def as_python(path: Path) -> str:
    """The file's text; in a hook script, each bare Jinja expression becomes a string."""
    text = path.read_text(encoding="utf-8")
    return JINJA_EXPRESSION.sub('"jinja"', text) if path in rendered_hooks() else text


def rendered_hooks() -> list[Path]:
    """The hook scripts cookiecutter renders with Jinja before running them."""
    return [path for path in (ROOT / "hooks").glob("*.py") if path.stem in HOOK_NAMES]


def ruff(*args: str, source: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "-"],
        input=source,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(params=python_files(), ids=lambda path: path.relative_to(ROOT).as_posix())
def python_file(request: pytest.FixtureRequest) -> Path:
    return request.param


def test_passes_ruff_check(python_file: Path) -> None:
    name = python_file.relative_to(ROOT).as_posix()
    result = ruff("check", "--no-fix", "--stdin-filename", name, source=as_python(python_file))
    assert result.returncode == 0, result.stdout + result.stderr


def test_is_ruff_formatted(python_file: Path) -> None:
    name = python_file.relative_to(ROOT).as_posix()
    result = ruff("format", "--diff", "--stdin-filename", name, source=as_python(python_file))
    assert result.returncode == 0, f"run `ruff format {name}`\n{result.stdout}{result.stderr}"


def test_hooks_use_no_jinja_tags_the_lint_could_not_stand_in_for() -> None:
    """``{% ... %}`` or ``{# ... #}`` in a hook would make the lint above read it wrongly."""
    tagged = [
        path.name
        for path in sorted(rendered_hooks())
        if re.search(r"\{%|\{#", path.read_text(encoding="utf-8"))
    ]
    assert tagged == []
