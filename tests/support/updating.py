"""Updating a generated project to a newer template with cruft, as a team would.

cruft clones the template as a git repository, so the template under test is made a commit:
a throwaway clone of this repository with the working tree copied over it (uncommitted
changes included). cruft runs as its own command, as a user runs it, never in this process:
it imports the template's Jinja extension (``hooks.answers``) from its clone and changes
``sys.path`` while it works.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support.toolchain import Outcome, Toolchain

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "template-tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "template-tests@example.com",
}
DROPPED_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "MAKEFLAGS", "MFLAGS")
"""Set when the tests run from a git hook or under make; they would redirect git and make."""

CONFLICT_MARKER = re.compile(rb"^<{7}(?: |$)", re.MULTILINE)
CONFLICT_FILES = (".rej", ".orig")
NOT_THE_PROJECTS = {".git", ".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
"""Folders a conflict scan passes over: git's own, and what the tools write."""


def environment(toolchain: Toolchain, cookiecutter_config: Path) -> dict[str, str]:
    """The toolchain's environment with a git identity and a private cookiecutter config
    (``cruft update`` reads the user's config from ``COOKIECUTTER_CONFIG`` or ``~``)."""
    env = {key: value for key, value in toolchain.env.items() if key not in DROPPED_VARIABLES}
    return {**env, **GIT_IDENTITY, "COOKIECUTTER_CONFIG": str(cookiecutter_config)}


def git(*args: str, cwd: Path, env: Mapping[str, str]) -> str:
    """Run git; its output, or an AssertionError with what it said."""
    completed = subprocess.run(
        ["git", *args], cwd=cwd, env=dict(env), capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, f"$ git {' '.join(args)}\n{completed.stderr}"
    return completed.stdout


def commit_all(repository: Path, message: str, env: Mapping[str, str]) -> str:
    """Commit every file git does not ignore (signing and hooks off); the new commit."""
    git("add", "--all", cwd=repository, env=env)
    options = ("--quiet", "--no-verify", "--allow-empty", "--message", message)
    git("-c", "commit.gpgsign=false", "commit", *options, cwd=repository, env=env)
    return git("rev-parse", "HEAD", cwd=repository, env=env).strip()


def missing_commit(repository: Path, commit: str) -> str | None:
    """Why ``commit`` cannot be checked out from ``repository``, or None if it can."""
    if not (repository / ".git").exists():
        return f"{repository} is not a git repository (no .git), so it has no commit {commit}"
    found = subprocess.run(
        ["git", "cat-file", "-e", f"{commit}^{{commit}}"],
        cwd=repository,
        capture_output=True,
        check=False,
    )
    if found.returncode != 0:
        return (
            f"commit {commit} is not in the history of {repository} (a shallow clone?): "
            "fetch the full history (git fetch --unshallow) to test the update from it"
        )
    return None


def own_files(repository: Path, env: Mapping[str, str]) -> list[str]:
    """Tracked and untracked files that git does not ignore, as they are on disk now."""
    options = ("-z", "--cached", "--others", "--exclude-standard")
    listed = git("ls-files", *options, cwd=repository, env=env)
    names = sorted({name for name in listed.split("\0") if name})
    return [name for name in names if (repository / name).is_file()]


def template_repository(root: Path, folder: Path, env: Mapping[str, str]) -> tuple[Path, str]:
    """A clone of the template repository ``root`` whose newest commit is ``root``'s working
    tree, uncommitted and untracked (not ignored) files included; its path and that commit."""
    clone = folder / "template"
    git("clone", "--quiet", str(root), str(clone), cwd=folder, env=env)
    for path in clone.iterdir():
        if path.name == ".git":
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    for name in own_files(root, env):
        target = clone / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target, follow_symlinks=False)
    return clone, commit_all(clone, "The template's working tree", env)


def cruft(*args: str, cwd: Path, env: Mapping[str, str], timeout: float = 300) -> Outcome:
    """Run the ``cruft`` command installed beside this Python."""
    script = Path(sys.executable).with_name("cruft")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cruft"]
    completed = subprocess.run(
        [*command, *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Outcome(
        " ".join(["cruft", *args]), completed.returncode, completed.stdout + completed.stderr
    )


def make(target: str, project: Path, toolchain: Toolchain, env: Mapping[str, str]) -> Outcome:
    """``make TARGET`` in the project, with the toolchain's uv as ``UV``."""
    running = Toolchain(toolchain.uv, env).start(
        ["make", target, f"UV={toolchain.uv}"], cwd=project, timeout=1800
    )
    return running.wait()


def skip_list(project: Path) -> list[str]:
    """The ``[tool.cruft] skip`` entries of the project's ``pyproject.toml``."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    entries: list[str] = pyproject.get("tool", {}).get("cruft", {}).get("skip", [])
    return entries


def skipped_files(project: Path, entries: Sequence[str]) -> dict[str, bytes]:
    """Every file the entries name, as cruft reads them: a pattern with ``*`` is a glob, any
    other entry a file or a whole folder."""
    paths: list[Path] = []
    for entry in entries:
        paths += sorted(project.glob(entry)) if "*" in entry else [project / entry]
    found: dict[str, bytes] = {}
    for path in paths:
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                found[file.relative_to(project).as_posix()] = file.read_bytes()
    return found


def conflicts(project: Path, passed_over: Sequence[str] = ()) -> list[str]:
    """Files a failed merge leaves (``*.rej``, ``*.orig``) and lines opening a conflict
    (``<<<<<<<``), in every file of the project but ``passed_over``."""
    found = []
    for folder, subfolders, names in os.walk(project):
        subfolders[:] = sorted(name for name in subfolders if name not in NOT_THE_PROJECTS)
        for name in sorted(names):
            path = Path(folder) / name
            relative = path.relative_to(project).as_posix()
            if name.endswith(CONFLICT_FILES):
                found.append(f"{relative}: left by a patch that did not apply")
            elif relative not in passed_over and path.is_file():
                found += [
                    f"{relative}: conflict marker at byte {marker.start()}"
                    for marker in CONFLICT_MARKER.finditer(path.read_bytes())
                ]
    return found
