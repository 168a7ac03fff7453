"""Looking at a baked project's files: listing, snapshots, leftover template syntax."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

TEMPLATE_SYNTAX = re.compile(rb"\{\{|\{%|\{#")
"""What Jinja leaves behind when a variable or tag was not rendered."""

COPIED_WITHOUT_RENDER = tuple(
    json.loads((Path(__file__).parents[2] / "cookiecutter.json").read_text(encoding="utf-8"))[
        "_copy_without_render"
    ]
)
"""Folders the bake copies as they are: templates of the project's own (``make aggregate``)."""

GITHUB_EXPRESSION = re.compile(rb"\$\{\{[^{}\n]*\}\}")
"""``${{ matrix.python-version }}``: GitHub Actions' own expression syntax, meant to stay."""


def files(project: Path) -> Iterator[Path]:
    """Every file of the project, in a stable order."""
    return (path for path in sorted(project.rglob("*")) if path.is_file())


def relative_names(project: Path) -> set[str]:
    return {path.relative_to(project).as_posix() for path in files(project)}


def snapshot(project: Path) -> dict[str, bytes]:
    """Every file's relative name and bytes: two equal snapshots are the same project."""
    return {path.relative_to(project).as_posix(): path.read_bytes() for path in files(project)}


def template_syntax_left(project: Path) -> list[str]:
    """Paths and file lines (binary-safe) still holding ``{{``, ``{%`` or ``{#``."""
    found = []
    for path in sorted(project.rglob("*")):
        name = path.relative_to(project).as_posix()
        if under_any(name, set(COPIED_WITHOUT_RENDER)):
            continue
        if TEMPLATE_SYNTAX.search(name.encode()):
            found.append(f"{name} (in the path)")
        if not path.is_file():
            continue
        content = path.read_bytes()
        if name.startswith(".github/"):
            content = GITHUB_EXPRESSION.sub(b"", content)
        for number, line in enumerate(content.splitlines(), start=1):
            if TEMPLATE_SYNTAX.search(line):
                found.append(f"{name}:{number}: {line.decode(errors='replace').strip()}")
    return found


def with_suffix(project: Path, *suffixes: str) -> list[Path]:
    return [path for path in files(project) if path.suffix in suffixes]


def under_any(name: str, prefixes: set[str]) -> bool:
    """Whether ``name`` is one of ``prefixes`` or lies inside one of them."""
    return any(name == prefix or name.startswith(f"{prefix}/") for prefix in prefixes)
