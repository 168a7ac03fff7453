"""Ways to break a generated project's architecture on purpose, and the guards that catch them.

A *violation* edits one file of a baked project (some add a runtime dependency first); the
check named with it must then fail and say what is wrong. A *guard* is a line of the
project's configuration (an import contract, mypy's ``strict``); removing it must let its
violations through, which shows the guard is what catches them.
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
ROUTE_PROTECTION = (
    "pytest",
    "-q",
    "-p",
    "no:cacheprovider",
    "tests/api/test_route_protection.py",
)

DOMAIN_RULE = "Domain imports only itself and the standard library, minus its I/O modules"
USE_CASES_RULE = "Use cases import only themselves, the domain and the standard library"
"""The names of the allowed_imports contracts."""

NEW_DEPENDENCY = ("six>=1.16", "six")
"""A small runtime dependency none of the variants installs, and the module it brings."""

TRANSITIVE_ONLY = ("annotated_types", "idna")
"""Modules every variant installs only as dependencies of its dependencies (pydantic's and
anyio's); no contract and no requirement of the project names them."""


def appending(line: str) -> Edit:
    return lambda text: f"{text.rstrip()}\n{line}  # injected by the template's tests\n"


def replacing(old: str, new: str) -> Edit:
    def edit(text: str) -> str:
        assert old in text, f"the template changed: {old!r} is gone"
        return text.replace(old, new, 1)

    return edit


def both(first: Edit, second: Edit) -> Edit:
    return lambda text: second(first(text))


def adding_runtime_dependency(requirement: str) -> Edit:
    """Add ``requirement`` to ``[project] dependencies`` in ``pyproject.toml``."""

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
    new_dependency: bool = False
    """Whether ``NEW_DEPENDENCY`` is added to the project (and installed) first."""

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
        (f"{DOMAIN_RULE} BROKEN", "{package}.domain.money -> sqlalchemy (l."),
    ),
    "domain imports a package only a dependency brings": Violation(
        f"the domain imports {TRANSITIVE_ONLY[0]}, installed only as a dependency of pydantic",
        "domain/money.py",
        lambda package: appending(f"import {TRANSITIVE_ONLY[0]}"),
        LINT_IMPORTS,
        (
            f"{DOMAIN_RULE} BROKEN",
            f"{{package}}.domain.money -> {TRANSITIVE_ONLY[0]} (l.",
            "not in the standard library",
        ),
    ),
    "domain imports a dependency added after the contracts": Violation(
        f"a new runtime dependency ({NEW_DEPENDENCY[0]}) that no contract names, imported by "
        "the domain",
        "domain/money.py",
        lambda package: appending(f"import {NEW_DEPENDENCY[1]}"),
        LINT_IMPORTS,
        (f"{DOMAIN_RULE} BROKEN", f"{{package}}.domain.money -> {NEW_DEPENDENCY[1]} (l."),
        new_dependency=True,
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
        lambda package: appending(f"from {package}.usecases import retry"),
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
        (f"{USE_CASES_RULE} BROKEN", "{package}.usecases.deposit -> fastapi (l."),
    ),
    "use case imports a package only a dependency brings": Violation(
        f"a use case imports {TRANSITIVE_ONLY[1]}, installed only as a dependency of anyio",
        "usecases/deposit.py",
        lambda package: appending(f"import {TRANSITIVE_ONLY[1]}"),
        LINT_IMPORTS,
        (f"{USE_CASES_RULE} BROKEN", f"{{package}}.usecases.deposit -> {TRANSITIVE_ONLY[1]} (l."),
    ),
    "settings import the composition root": Violation(
        "settings import the composition root (an outer layer)",
        "settings.py",
        lambda package: appending(f"from {package} import bootstrap"),
        LINT_IMPORTS,
        (
            "The Dependency Rule",
            "{package}.settings is not allowed to import {package}.bootstrap",
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
            f"{DOMAIN_RULE} BROKEN",
            "{package}.domain.money -> asyncio (l.",
            "a standard library module forbidden here",
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
        "the in-memory unit of work publishes its writes on exit instead of discarding them",
        "adapters/memory/unit_of_work.py",
        lambda package: replacing(
            "        self._bind(self._store.committed.copy())  # what was not committed is dropped",
            "        self._store.committed = self._working.copy()",
        ),
        UNIT_OF_WORK_CONTRACT,
        ("FAILED", "test_work_left_without_commit_is_gone[memory]"),
    ),
    "sql outbox marks notices one by one": Violation(
        "the SQL outbox marks delivered notices with one statement each (N+1)",
        "adapters/sql/repositories.py",
        lambda package: replacing(
            "            result = await self._connection.execute(\n"
            '                statements.MARK_DELIVERED, {"notice_ids": list(wanted), "at": at}\n'
            "            )\n"
            "            found = set(result.scalars())\n",
            "            found = set()\n"
            "            for notice_id in wanted:\n"
            "                result = await self._connection.execute(\n"
            '                    statements.MARK_DELIVERED, {"notice_ids": [notice_id], "at": at}\n'
            "                )\n"
            "                found |= set(result.scalars())\n",
        ),
        QUERY_CONTRACT,
        ("FAILED", "test_marking_notices_delivered_issues_one_statement_per_batch[sqlite]"),
    ),
    "a route drops its authentication": Violation(
        "GET /accounts/{account_id} no longer takes the caller from the bearer token",
        "adapters/http/routes/accounts.py",
        lambda package: both(
            replacing(
                "async def get_account(caller: Caller, account_id: uuid.UUID) -> AccountOut:\n",
                "async def get_account(account_id: uuid.UUID) -> AccountOut:\n"
                '        caller = Principal.of("anyone", "ledger:read")\n',
            ),
            appending(f"from {package}.domain.principal import Principal"),
        ),
        ROUTE_PROTECTION,
        ("FAILED", "/accounts/{{account_id}}"),
    ),
    "a contract allows a third-party package": Violation(
        "the domain's contract allows pydantic by name",
        "/pyproject.toml",
        lambda package: replacing(
            f'source_modules = ["{package}.domain"]\n',
            f'source_modules = ["{package}.domain"]\nallowed_modules = ["pydantic"]\n',
        ),
        ARCHITECTURE_TESTS,
        ("FAILED", "test_the_contracts_name_no_third_party_package", "'pydantic'"),
    ),
    "the README's diagram loses an arrow": Violation(
        "the layers diagram in the README no longer shows that use cases may import the domain",
        "/README.md",
        lambda package: replacing("    usecases --> domain\n", ""),
        ARCHITECTURE_TESTS,
        ("FAILED", "test_the_readme_diagram_draws_the_import_contracts", "('usecases', 'domain')"),
    ),
}


WITHOUT_EXAMPLE_VIOLATIONS = {
    "domain imports sqlalchemy": Violation(
        "the domain imports SQLAlchemy",
        "domain/notice.py",
        lambda package: appending("import sqlalchemy"),
        LINT_IMPORTS,
        (f"{DOMAIN_RULE} BROKEN", "{package}.domain.notice -> sqlalchemy (l."),
    ),
    "use case imports fastapi": Violation(
        "a use case imports FastAPI",
        "usecases/deliver_notices.py",
        lambda package: appending("import fastapi"),
        LINT_IMPORTS,
        (f"{USE_CASES_RULE} BROKEN", "{package}.usecases.deliver_notices -> fastapi (l."),
    ),
    "http adapter imports the sql adapter": VIOLATIONS["http adapter imports the sql adapter"],
    "sql outbox drifts from its port": Violation(
        "SqlOutbox.put takes a str where the port takes a Notice",
        "adapters/sql/repositories.py",
        lambda package: replacing(
            "async def put(self, notice: Notice) -> None:",
            "async def put(self, notice: str) -> None:",
        ),
        MYPY,
        ("src/{package}/adapters/sql/repositories.py", '"put"', "Outbox"),
    ),
    "sql outbox marks notices one by one": Violation(
        "the SQL outbox marks delivered notices with one statement each (N+1)",
        "adapters/sql/repositories.py",
        VIOLATIONS["sql outbox marks notices one by one"].edit,
        ("pytest", "-q", "-p", "no:cacheprovider", "tests/contract/test_outbox_statements.py"),
        ("FAILED", "test_marking_notices_delivered_issues_one_statement_per_batch[sqlite]"),
    ),
    "memory rollback keeps writes": Violation(
        "the in-memory unit of work publishes its writes on exit instead of discarding them",
        "adapters/memory/unit_of_work.py",
        VIOLATIONS["memory rollback keeps writes"].edit,
        ("pytest", "-q", "-p", "no:cacheprovider", "tests/contract/test_transactions.py"),
        ("FAILED", "test_work_left_without_commit_is_gone_from_every_store[memory]"),
    ),
}
"""Violations of a project baked with ``example=none``: the same rules, on the modules of
the mechanisms (the ledger's modules are not there)."""


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
    """A line of configuration that must be what catches each of ``violations``."""

    name: str
    remove: Edit
    violations: tuple[str, ...]


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
    "The Dependency Rule": ("settings import the composition root",),
    "Adapters are independent plugins": ("http adapter imports the sql adapter",),
    DOMAIN_RULE: (
        "domain imports sqlalchemy",
        "domain imports a package only a dependency brings",
        "domain imports asyncio",
    ),
    USE_CASES_RULE: (
        "use case imports fastapi",
        "use case imports a package only a dependency brings",
    ),
}
"""Each import contract, by the start of its name, and violations only it catches."""

GUARDS = {
    **{
        f"contract: {prefix}": Guard(prefix, without_contract(prefix), violations)
        for prefix, violations in CONTRACT_GUARDS.items()
    },
    "mypy: strict = true": Guard(
        "strict", without_mypy_strict, ("sql repository loses an annotation",)
    ),
}
