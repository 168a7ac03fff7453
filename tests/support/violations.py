"""Ways to break a generated project's architecture on purpose, and the guards that catch them.

A *violation* edits one file of a baked project; the check named with it must then fail
and say what is wrong. A *guard* is a line of the project's configuration (an import
contract, mypy's ``strict``); removing it must let its violation through, which shows the
guard is what catches it.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

Edit = Callable[[str], str]

LINT_IMPORTS = ("lint-imports", "--no-logo")
MYPY = ("mypy",)
ARCHITECTURE_TESTS = ("pytest", "-q", "-p", "no:cacheprovider", "tests/architecture")
UNIT_OF_WORK_CONTRACT = (
    "pytest",
    "-q",
    "-p",
    "no:cacheprovider",
    "tests/contract/test_unit_of_work.py",
)
QUERY_CONTRACT = ("pytest", "-q", "-p", "no:cacheprovider", "tests/contract/test_queries.py")

NEW_DEPENDENCY = ("six>=1.16", "six")
"""A small runtime dependency none of the variants installs, and the module it brings."""


def appending(line: str) -> Edit:
    return lambda text: f"{text.rstrip()}\n{line}  # injected by the template's tests\n"


def replacing(old: str, new: str) -> Edit:
    def edit(text: str) -> str:
        assert old in text, f"the template changed: {old!r} is gone"
        return text.replace(old, new, 1)

    return edit


def adding_runtime_dependency(requirement: str) -> Edit:
    def edit(text: str) -> str:
        edited = re.sub(
            r"(?ms)^(\[project\]$.*?^dependencies = \[\n)",
            lambda match: f'{match.group(1)}    "{requirement}",\n',
            text,
            count=1,
        )
        assert requirement in tomllib.loads(edited)["project"]["dependencies"]
        return edited

    return edit


@dataclass(frozen=True)
class Violation:
    description: str
    file: str
    """Relative to the package folder ``src/<package>``, or to the project for ``/``-rooted."""
    edit: Callable[[str], Edit]
    """Given the package name, the edit that breaks the rule."""
    check: tuple[str, ...]
    says: tuple[str, ...]
    """What the failing check's output must contain (``{package}`` is filled in)."""
    needs_sync: bool = False

    def path(self, project: Path, package: str) -> Path:
        if self.file.startswith("/"):
            return project / self.file.lstrip("/")
        return project / "src" / package / self.file


VIOLATIONS = {
    "domain imports sqlalchemy": Violation(
        "the domain imports SQLAlchemy",
        "domain/money.py",
        lambda package: appending("import sqlalchemy"),
        LINT_IMPORTS,
        (
            "Domain and use cases import no third-party package BROKEN",
            "{package}.domain is not allowed to import sqlalchemy",
        ),
    ),
    "domain imports an adapter": Violation(
        "the domain imports an adapter",
        "domain/money.py",
        lambda package: appending(f"from {package}.adapters.sql import tables"),
        LINT_IMPORTS,
        (
            "The Dependency Rule",
            "{package}.domain is not allowed to import {package}.adapters",
        ),
    ),
    "domain imports a use case": Violation(
        "the domain imports a use case (an outer layer)",
        "domain/money.py",
        lambda package: appending(f"from {package}.usecases import clock"),
        LINT_IMPORTS,
        (
            "The Dependency Rule",
            "{package}.domain is not allowed to import {package}.usecases",
        ),
    ),
    "use case imports fastapi": Violation(
        "a use case imports FastAPI",
        "usecases/deposit.py",
        lambda package: appending("import fastapi"),
        LINT_IMPORTS,
        (
            "Domain and use cases import no third-party package BROKEN",
            "{package}.usecases is not allowed to import fastapi",
        ),
    ),
    "http adapter imports the sql adapter": Violation(
        "the HTTP adapter imports the SQL adapter",
        "adapters/http/app.py",
        lambda package: appending(f"from {package}.adapters.sql import tables"),
        LINT_IMPORTS,
        (
            "Adapters are independent plugins: none imports another BROKEN",
            "{package}.adapters.http is not allowed to import {package}.adapters.sql",
        ),
    ),
    "domain imports asyncio": Violation(
        "the domain imports I/O from the standard library (asyncio)",
        "domain/money.py",
        lambda package: appending("import asyncio"),
        LINT_IMPORTS,
        (
            "Domain imports no I/O from the standard library BROKEN",
            "{package}.domain is not allowed to import asyncio",
        ),
    ),
    "sql repository drifts from its port": Violation(
        "SqlAccountRepository.get takes a str where the port takes an AccountId",
        "adapters/sql/repositories.py",
        lambda package: replacing(
            "async def get(self, account_id: AccountId) -> Account:",
            "async def get(self, account_id: str) -> Account:",
        ),
        MYPY,
        ("src/{package}/adapters/sql/repositories.py", '"get"', "AccountRepository"),
    ),
    "sql repository loses an annotation": Violation(
        "SqlAccountRepository.get loses its parameter's annotation",
        "adapters/sql/repositories.py",
        lambda package: replacing(
            "async def get(self, account_id: AccountId) -> Account:",
            "async def get(self, account_id) -> Account:",
        ),
        MYPY,
        ("src/{package}/adapters/sql/repositories.py", "no-untyped-def"),
    ),
    "memory rollback keeps writes": Violation(
        "the in-memory unit of work's rollback publishes its writes instead of discarding them",
        "adapters/memory/unit_of_work.py",
        lambda package: replacing(
            "    async def rollback(self) -> None:\n"
            "        self._bind(self._store.committed.copy())",
            "    async def rollback(self) -> None:\n"
            "        self._store.committed = self._working.copy()",
        ),
        UNIT_OF_WORK_CONTRACT,
        ("FAILED", "test_work_left_without_commit_is_gone[memory]"),
    ),
    "list use case loads accounts one by one": Violation(
        "listing transfers loads each counterpart account with its own call (N+1)",
        "usecases/list_transfers.py",
        lambda package: replacing(
            "counterparts = await uow.accounts.get_many(\n"
            "                {transfer.counterpart_of(request.account_id)"
            " for transfer in transfers}\n"
            "            )",
            "counterparts = {\n"
            "                other: await uow.accounts.get(other)\n"
            "                for other in {t.counterpart_of(request.account_id)"
            " for t in transfers}\n"
            "            }",
        ),
        QUERY_CONTRACT,
        (
            "FAILED",
            "test_listing_issues_a_constant_number_of_statements[sqlite]",
            "test_listing_makes_the_same_port_calls_whatever_the_page_size[memory]",
        ),
    ),
    "runtime dependency missing from the contract": Violation(
        f"a runtime dependency ({NEW_DEPENDENCY[0]}) not listed in the forbidden contract",
        "/pyproject.toml",
        lambda package: adding_runtime_dependency(NEW_DEPENDENCY[0]),
        ARCHITECTURE_TESTS,
        ("forbidden_modules", f"'{NEW_DEPENDENCY[1]}'"),
        needs_sync=True,
    ),
}


@contextlib.contextmanager
def edited(path: Path, edit: Edit) -> Iterator[None]:
    """Apply ``edit`` to the file, and put its exact bytes back afterwards."""
    original = path.read_bytes()
    changed = edit(original.decode("utf-8"))
    # Caches (mypy's, grimp's) notice a change by size or time: keep the size different.
    assert len(changed.encode()) != len(original), "an edit must change the file's size"
    path.write_text(changed, encoding="utf-8")
    try:
        yield
    finally:
        path.write_bytes(original)


@dataclass(frozen=True)
class Guard:
    """A line of configuration that must be what catches ``violation``."""

    name: str
    remove: Edit
    violation: str


def without_contract(name_prefix: str) -> Edit:
    """Delete the ``[[tool.importlinter.contracts]]`` table whose name starts with this."""

    def edit(text: str) -> str:
        tables = re.split(r"(?m)^(?=\[)", text)
        kept = [
            table
            for table in tables
            if not (
                table.startswith("[[tool.importlinter.contracts]]")
                and re.search(rf'(?m)^name = "{re.escape(name_prefix)}', table)
            )
        ]
        assert len(kept) == len(tables) - 1, f"no single contract named {name_prefix!r}"
        edited = "".join(kept)
        names = [c["name"] for c in tomllib.loads(edited)["tool"]["importlinter"]["contracts"]]
        assert not [name for name in names if name.startswith(name_prefix)]
        return edited

    return edit


def without_mypy_strict(text: str) -> str:
    edited = re.sub(r"(?ms)^(\[tool\.mypy\]$.*?)^strict = true\n", r"\1", text, count=1)
    assert "strict" not in tomllib.loads(edited)["tool"]["mypy"], "strict = true not found"
    return edited


CONTRACT_GUARDS = {
    "The Dependency Rule": "domain imports a use case",
    "Adapters are independent plugins": "http adapter imports the sql adapter",
    "Domain and use cases import no third-party package": "domain imports sqlalchemy",
    "Domain imports no I/O from the standard library": "domain imports asyncio",
}
"""Each import contract, by the start of its name, and a violation only it catches."""

GUARDS = {
    **{
        f"contract: {prefix}": Guard(prefix, without_contract(prefix), violation)
        for prefix, violation in CONTRACT_GUARDS.items()
    },
    "mypy: strict = true": Guard(
        "strict", without_mypy_strict, "sql repository loses an annotation"
    ),
}
