"""A bake keeps the template's compiled files for the next one, never renders a stale one,
and leaves nothing else behind in the temporary folder.

Each bake here is a ``cookiecutter`` process with its own ``TMPDIR``, so the cache it
fills, and whatever it leaves, are its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment

from hooks.compiled_templates import CompiledTemplateCache
from tests.support.baking import cookiecutter_command, write_user_config
from tests.support.options import ROOT

pytestmark = pytest.mark.skipif(
    not hasattr(os, "getuid"), reason="the cache folder is per user id (POSIX only)"
)


def cache_folder(temporary: Path) -> Path:
    return temporary / f"_jinja2-cache-{os.getuid()}"


def bake(template: Path, work: Path, temporary: Path) -> Path:
    """Bake the default project with ``cookiecutter --no-input``; the project folder."""
    temporary.mkdir(parents=True, exist_ok=True)
    out = work / "out"
    completed = cookiecutter_command(
        "--no-input",
        str(template),
        "-o",
        str(out),
        "--config-file",
        str(write_user_config(work)),
        cwd=work,
        env={"TMPDIR": str(temporary)},
    )
    assert completed.returncode == 0, completed.stderr
    [project] = out.iterdir()
    return project


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: both change when a file is written anew."""
    return {path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in folder.iterdir()}


def test_a_bake_leaves_nothing_in_the_temporary_folder_but_its_compiled_files(
    tmp_path: Path,
) -> None:
    temporary = tmp_path / "tmp"

    bake(ROOT, tmp_path / "work", temporary)

    assert sorted(path.name for path in temporary.iterdir()) == [cache_folder(temporary).name]
    assert any(cache_folder(temporary).iterdir()), "the compiled files were kept"


def test_the_next_bake_loads_every_file_instead_of_compiling_it(tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    first = bake(ROOT, tmp_path / "first", temporary)
    kept = snapshot(cache_folder(temporary))

    second = bake(ROOT, tmp_path / "second", temporary)

    assert snapshot(cache_folder(temporary)) == kept, "nothing was compiled and stored again"
    assert files_of(second) == files_of(first)


def test_an_edited_template_file_is_compiled_afresh(tmp_path: Path) -> None:
    template = copy_of_template(tmp_path / "template")
    temporary = tmp_path / "tmp"
    bake(template, tmp_path / "before", temporary)
    readme = template / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8") + "\nEdited {{ cookiecutter.project_slug }}.\n"
    )

    project = bake(template, tmp_path / "after", temporary)

    assert (
        (project / "README.md").read_text(encoding="utf-8").endswith("\nEdited payments-service.\n")
    )


def test_a_bake_without_a_safe_cache_folder_compiles_as_if_there_were_no_cache(
    tmp_path: Path,
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    cache_folder(temporary).write_text("not a folder", encoding="utf-8")  # Jinja refuses it
    expected = bake(ROOT, tmp_path / "cached", tmp_path / "other-tmp")

    project = bake(ROOT, tmp_path / "uncached", temporary)

    assert files_of(project) == files_of(expected)


def test_environments_with_other_syntax_settings_do_not_share_compiled_files(
    tmp_path: Path,
) -> None:
    """``keep_trailing_newline`` changes the compiled code of the same source."""
    cache = CompiledTemplateCache(directory=str(tmp_path))
    sources = DictLoader({"file.txt": "line\n"})
    keeping = Environment(loader=sources, bytecode_cache=cache, keep_trailing_newline=True)
    dropping = Environment(loader=sources, bytecode_cache=cache, keep_trailing_newline=False)

    assert keeping.get_template("file.txt").render() == "line\n"
    assert dropping.get_template("file.txt").render() == "line"


def files_of(project: Path) -> dict[str, bytes]:
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


def copy_of_template(destination: Path) -> Path:
    """The template's tracked files (what a clone holds), copied to ``destination``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    return destination
