"""A bake keeps the template's compiled files and names for the next one, never renders a
stale one, and leaves nothing else behind in the temporary folder.

Each bake here is a ``cookiecutter`` process with its own ``TMPDIR``, so the cache it
fills, and whatever it leaves, are its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment
from jinja2.bccache import Bucket, bc_magic
from jinja2.ext import Extension

from hooks.compiled_templates import CompiledTemplateCache, KeepCompiledTemplates
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


@pytest.fixture
def own_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Jinja's per-user cache folder, under ``tmp_path`` for this test (in process)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return cache_folder(tmp_path)


def test_a_string_is_compiled_once_and_loaded_by_the_next_bake(
    own_cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``from_string`` (every file and folder name, every answer) goes through the cache."""
    source = "src/{{ package }}/domain/account.py"
    assert Environment(extensions=[KeepCompiledTemplates]).from_string(source).render(
        package="payments"
    ) == ("src/payments/domain/account.py")
    kept = snapshot(own_cache_folder)
    next_bake = Environment(extensions=[KeepCompiledTemplates])
    monkeypatch.setattr(Environment, "_parse", refuse_to_compile)

    rendered = next_bake.from_string(source).render(package="ledger")

    assert rendered == "src/ledger/domain/account.py"
    assert snapshot(own_cache_folder) == kept


def test_an_absolute_path_is_compiled_and_not_kept(own_cache_folder: Path) -> None:
    """It names this bake's output folder, which no later bake asks for."""
    environment = Environment(extensions=[KeepCompiledTemplates])
    environment.from_string("kept/{{ name }}")
    kept = snapshot(own_cache_folder)

    rendered = environment.from_string("/tmp/out/{{ name }}").render(name="project")

    assert rendered == "/tmp/out/project"
    assert snapshot(own_cache_folder) == kept


def test_an_overlay_with_other_syntax_compiles_strings_with_its_own_syntax(
    own_cache_folder: Path,
) -> None:
    environment = Environment(extensions=[KeepCompiledTemplates])
    overlay = environment.overlay(variable_start_string="<<", variable_end_string=">>")

    assert overlay.from_string("<< name >> {{ name }}").render(name="x") == "x {{ name }}"
    assert environment.from_string("<< name >> {{ name }}").render(name="x") == "<< name >> x"


class Shout(Extension):
    """Rewrites every template before Jinja compiles it, as ``answers.py`` does one."""

    suffix = "!"

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return source + self.suffix


def test_a_changed_preprocess_compiles_afresh(
    own_cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same source, same extensions by name: what Jinja compiles differs, so must the hash."""
    sources = DictLoader({"file.txt": "hello"})
    extensions = [Shout, KeepCompiledTemplates]
    before = Environment(loader=sources, extensions=extensions)
    assert before.from_string("hello").render() == "hello!"
    assert before.get_template("file.txt").render() == "hello!"
    monkeypatch.setattr(Shout, "suffix", "?")

    after = Environment(loader=sources, extensions=extensions)

    assert after.from_string("hello").render() == "hello?"
    assert after.get_template("file.txt").render() == "hello?"


def test_a_kept_template_loads_as_jinja_stored_it(tmp_path: Path) -> None:
    """Kept by Jinja's own writer, read by the cache's faster reader."""
    cache = CompiledTemplateCache(directory=str(tmp_path))
    stored = kept_bucket(cache)

    loaded = Bucket(Environment(), "key", "checksum")
    cache.load_bytecode(loaded)

    assert loaded.code == stored.code


@pytest.mark.parametrize(
    ("damage", "checksum"),
    [
        ("none", "another checksum"),
        ("truncated", "checksum"),
        ("other magic", "checksum"),
        ("garbage", "checksum"),
        ("garbage after the magic", "checksum"),
    ],
)
def test_a_kept_template_that_is_damaged_or_for_other_source_is_compiled_again(
    tmp_path: Path, damage: str, checksum: str
) -> None:
    cache = CompiledTemplateCache(directory=str(tmp_path))
    kept_bucket(cache)
    [kept] = tmp_path.iterdir()
    data = kept.read_bytes()
    damaged = {
        "none": data,
        "truncated": data[: len(data) // 2],
        "other magic": b"j2" + bytes(len(data)),
        "garbage": bytes(range(256)),
        "garbage after the magic": bc_magic + bytes(range(256)),
    }[damage]
    kept.write_bytes(damaged)

    loaded = Bucket(Environment(), "key", checksum)
    cache.load_bytecode(loaded)

    assert loaded.code is None


def kept_bucket(cache: CompiledTemplateCache) -> Bucket:
    bucket = Bucket(Environment(), "key", "checksum")
    bucket.code = compile("rendered = 'text'", "<template>", "exec")
    cache.dump_bytecode(bucket)  # Jinja's own writer
    return bucket


def refuse_to_compile(*arguments: object) -> None:
    raise AssertionError("compiled again instead of loaded")


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
