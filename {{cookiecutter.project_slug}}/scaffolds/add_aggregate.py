"""Add an aggregate to this service: ``make aggregate NAME=invoice``.

Same as ``uv run --no-sync python scaffolds/add_aggregate.py invoice``. It renders
``scaffolds/aggregate/`` with cookiecutter (the entity, its repository port, memory and
SQL repositories, use cases, routes and tests), adds the lines of ``wiring.toml`` to the
few shared files that list every aggregate, each above its ``add_aggregate:`` marker, then
generates the Alembic revision that creates the table. A name it cannot use is refused
before anything is written, with the value to type instead.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import keyword
import re
import subprocess
import sys
import tempfile
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cookiecutter.generate import generate_context, generate_files

PROJECT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).resolve().parent / "aggregate"
MARKER = "add_aggregate: "
NAME = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
REVISION = re.compile(r"v(\d{4})_\w+\.py")
EXAMPLE = "invoice"
REFUSED = 1


class Refused(Exception):
    """The name cannot be used, or the project lacks a marker; nothing was written."""


@dataclass(frozen=True, slots=True)
class Insertion:
    file: str
    marker: str
    lines: list[str]
    imports: list[str]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help=f"a singular snake_case noun, e.g. {EXAMPLE}")
    name = parser.parse_args(argv).name
    try:
        created, changed = add_aggregate(PROJECT, name)
    except Refused as refusal:
        print(f"make aggregate: {refusal}", file=sys.stderr)
        return REFUSED
    print(f"Added the aggregate {name}. Created:")
    print("\n".join(f"  {path}" for path in created))
    print("Changed (each above its 'add_aggregate:' marker):")
    print("\n".join(f"  {path}" for path in changed))
    print("Next: give it its fields and rules (README: How to add an aggregate); make check.")
    return 0


def add_aggregate(project: Path, name: str) -> tuple[list[str], list[str]]:
    """Render, check, then write: return the files created and the files changed."""
    package = package_name(project)
    check_name(name, project, package)
    context = (
        forms_of(name)
        | scopes_of(project, package)
        | {"package_name": package, "migration": f"{next_revision(project, package):04d}"}
    )
    with tempfile.TemporaryDirectory() as scratch:
        rendered = render(context, Path(scratch))
        insertions = read_insertions(rendered / "wiring.toml", project)
        new_files = {
            path.relative_to(rendered).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(rendered.rglob("*"))
            if path.is_file() and path.name != "wiring.toml"
        }
    taken = [path for path in new_files if (project / path).exists()]
    if taken:
        raise Refused(f"{taken[0]} exists already: choose another name than {name!r}")
    edited = edit_shared_files(project, insertions)
    for path, text in {**new_files, **edited}.items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text, encoding="utf-8")
    python_files = [path for path in [*new_files, *edited] if path.endswith(".py")]
    tidy(project, python_files)
    revision = generate_revision(
        project, package, context["migration"], f"create {context['plural']}"
    )
    return [*new_files, revision], sorted(edited)


def package_name(project: Path) -> str:
    packages = [init.parent.name for init in (project / "src").glob("*/__init__.py")]
    if len(packages) != 1:
        raise Refused(f"expected one package under src/, found {packages}")
    return packages[0]


def check_name(name: str, project: Path, package: str) -> None:
    """Refuse a name the project cannot take, saying what to type instead."""
    if not NAME.fullmatch(name):
        suggestion = snake_case(name)
        if NAME.fullmatch(suggestion) and suggestion != name:
            raise Refused(f"{name!r} is not snake_case: type {suggestion}")
        raise Refused(f"{name!r} is not a singular snake_case noun: type one, e.g. {EXAMPLE}")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or hasattr(builtins, name):
        raise Refused(f"{name!r} is a Python keyword or builtin: type a noun, e.g. {name}_item")
    if name in sys.stdlib_module_names:
        raise Refused(f"{name!r} is a standard library module: type a noun, e.g. {name}_item")
    plural = plural_of(name)
    if {name, plural} & stored_collections(project, package):
        raise Refused(f"{name!r} is an aggregate of this project already: choose another name")
    modules = module_names(project / "src" / package)
    for clash in (name, plural):
        if clash in modules:
            raise Refused(
                f"{name!r} would clash with the module {modules[clash]}: type a more "
                f"specific noun, e.g. {name}_item"
            )
    singular = singular_of(name)
    if singular != name:
        raise Refused(f"{name!r} looks plural: type the singular, {singular}")


def snake_case(text: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    return re.sub(r"[^0-9a-zA-Z]+", "_", words).strip("_").lower()


def plural_of(name: str) -> str:
    if re.search(r"[^aeiou]y$", name):
        return name[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", name):
        return name + "es"
    return name + "s"


def singular_of(name: str) -> str:
    """The name without a plural ending it plainly has (``invoices``); else the name."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("sses", "xes", "zes", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith(("ss", "us", "is")):
        return name[:-1]
    return name


def forms_of(name: str) -> dict[str, str]:
    plural = plural_of(name)
    return {
        "name": name,
        "class_name": name.title().replace("_", ""),
        "class_plural": plural.title().replace("_", ""),
        "plural": plural,
        "title": name.replace("_", " "),
        # "an invoice", "a receipt book": the article by the first letter, enough for docstrings.
        "a_title": ("an " if name[0] in "aeiou" else "a ") + name.replace("_", " "),
        "url": plural.replace("_", "-"),
    }


def scopes_of(project: Path, package: str) -> dict[str, str]:
    """The values of ``Scope.READ`` and ``Scope.WRITE`` in ``domain/principal.py``, which
    the new routes' docstrings name."""
    principal = project / "src" / package / "domain" / "principal.py"
    tree = ast.parse(principal.read_text(encoding="utf-8"))
    values = {
        target.id: field.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name == "Scope"
        for field in node.body
        if isinstance(field, ast.Assign) and isinstance(field.value, ast.Constant)
        for target in field.targets
        if isinstance(target, ast.Name)
    }
    read, write = values.get("READ"), values.get("WRITE")
    if not (isinstance(read, str) and isinstance(write, str)):
        raise Refused(f"src/{package}/domain/principal.py: Scope has no READ and WRITE values")
    return {"read_scope": read, "write_scope": write}


def stored_collections(project: Path, package: str) -> set[str]:
    """The fields of ``MemoryState``: one collection per thing the service stores."""
    store = project / "src" / package / "adapters" / "memory" / "store.py"
    tree = ast.parse(store.read_text(encoding="utf-8"))
    return {
        field.target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name == "MemoryState"
        for field in node.body
        if isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
    }


def module_names(source: Path) -> dict[str, str]:
    """Every module and package of the project, by its last name."""
    return {
        path.stem if path.is_file() else path.name: path.relative_to(source.parent).as_posix()
        for path in sorted(source.rglob("*"), reverse=True)
        if (path.suffix == ".py" or (path / "__init__.py").exists()) and path.stem != "__init__"
    }


def next_revision(project: Path, package: str) -> int:
    versions = project / "src" / package / "adapters" / "sql" / "migrations" / "versions"
    numbers = [int(m[1]) for path in versions.glob("v*.py") if (m := REVISION.fullmatch(path.name))]
    return max(numbers, default=0) + 1


def render(context: dict[str, str], scratch: Path) -> Path:
    """``scaffolds/aggregate`` rendered with ``context`` by cookiecutter, under ``scratch``.

    Its generation API, not ``cookiecutter()``: that one would also save the answers in
    the user's home folder, to replay them, and a scaffold has nothing to replay.
    """
    answers = generate_context(str(TEMPLATE / "cookiecutter.json"), extra_context=context)
    return Path(generate_files(TEMPLATE, answers, output_dir=scratch, accept_hooks=False))


def read_insertions(wiring: Path, project: Path) -> list[Insertion]:
    entries = tomllib.loads(wiring.read_text(encoding="utf-8"))["insert"]
    return [
        Insertion(
            entry["file"],
            entry["marker"],
            textwrap.dedent(entry["lines"]).removeprefix("\n").removesuffix("\n").split("\n"),
            entry.get("imports", []),
        )
        for entry in entries
        if not (entry.get("optional") and not (project / entry["file"]).exists())
    ]


def edit_shared_files(project: Path, insertions: list[Insertion]) -> dict[str, str]:
    """The new text of each shared file: ``lines`` above each marker, then the imports."""
    texts: dict[str, str] = {}
    imports: dict[str, list[str]] = {}
    for insertion in insertions:
        path = project / insertion.file
        if insertion.file not in texts:
            if not path.exists():
                raise Refused(f"{insertion.file} is missing: the scaffold adds lines to it")
            texts[insertion.file] = path.read_text(encoding="utf-8")
        texts[insertion.file] = insert_above(texts[insertion.file], insertion)
        imports.setdefault(insertion.file, []).extend(insertion.imports)
    return {file: add_imports(text, imports[file]) for file, text in texts.items()}


def insert_above(text: str, insertion: Insertion) -> str:
    lines = text.splitlines(keepends=True)
    wanted = (f"# {MARKER}{insertion.marker}", f"<!-- {MARKER}{insertion.marker} -->")
    found = [number for number, line in enumerate(lines) if line.strip() in wanted]
    if len(found) != 1:
        raise Refused(
            f"{insertion.file} has {len(found)} lines '{wanted[0]}', not one: put the "
            "marker back where the aggregates are listed"
        )
    at = found[0]
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    added = [f"{indent}{line}\n" if line else "\n" for line in insertion.lines]
    return "".join([*lines[:at], *added, *lines[at:]])


def add_imports(text: str, imports: list[str]) -> str:
    """``imports`` after the module's last top-level import; ``tidy`` sorts them."""
    if not imports:
        return text
    last = max(
        node.end_lineno or node.lineno
        for node in ast.parse(text).body
        if isinstance(node, ast.Import | ast.ImportFrom)
    )
    lines = text.splitlines(keepends=True)
    return "".join([*lines[:last], *(f"{line}\n" for line in imports), *lines[last:]])


def tidy(project: Path, files: list[str]) -> None:
    """Sort the imports and format the files written, as ``make format`` would."""
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run([*ruff, "check", "--fix", "--silent", *files], cwd=project, check=False)
    subprocess.run([*ruff, "format", "--quiet", *files], cwd=project, check=True)
    subprocess.run([*ruff, "check", "--quiet", *files], cwd=project, check=False)


GENERATE = """
import importlib, sys, tempfile
from alembic import command
package, rev_id, message = sys.argv[1:]
migrator = importlib.import_module(package + ".adapters.sql.migrator")
with tempfile.TemporaryDirectory() as scratch:
    url = f"sqlite+aiosqlite:///{scratch}/scratch.db"
    migrator.upgrade(url)
    config = migrator.alembic_config(url)
    script = command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
    print(script.path)
"""
"""Run in a fresh interpreter, which imports ``tables.py`` with the new table in it."""


def generate_revision(project: Path, package: str, rev_id: str, message: str) -> str:
    """Autogenerate the revision of the new table, against a scratch SQLite database
    upgraded to the current head; return its path."""
    done = subprocess.run(
        [sys.executable, "-c", GENERATE, package, rev_id, message],
        cwd=project,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"alembic could not generate the revision:\n{done.stderr}")
    path = Path(done.stdout.strip().splitlines()[-1]).relative_to(project).as_posix()
    tidy(project, [path])
    return path


if __name__ == "__main__":
    sys.exit(main())
