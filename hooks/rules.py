"""What counts as a good answer to the template's questions: standard library only.

Applied by the ``validate_answers`` Jinja filter of ``answers.py``, twice: while the
answers are collected, and again (``--replay`` included) before cookiecutter creates the
project folder. Every problem is reported at once, each with the value to type instead.
"""

from __future__ import annotations

import keyword
import re
import sys
from collections.abc import Mapping
from typing import Any

SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")
CHOICES = {
    "example": ("ledger", "none"),
    "database": ("sqlite", "postgresql"),
    "observability": ("none", "opentelemetry"),
    "ci": ("github", "gitlab", "none"),
    "docker": ("yes", "no"),
    "license": ("MIT", "Apache-2.0", "BSD-3-Clause", "Proprietary"),
}
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PACKAGE_PATTERN = re.compile(r"^[a-z_][a-z0-9_]*$")
MAX_PACKAGE_LENGTH = 32
"""Longer names would push generated import lines past the 100-column limit."""
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
DUNDER_PATTERN = re.compile(r"^__.+__$")
"""Names such as ``__main__`` and ``__init__``, which Python reserves for its own use."""
TEST_PACKAGE = "tests"
"""The generated project's own test package, beside ``src/``."""
# Top-level modules the generated project's environment installs: its runtime and dev
# dependencies for every option, and theirs as resolved when this list was written. The
# editable install puts ``src/`` after site-packages on sys.path, so a package of the same
# name is never imported (named ``rich``, a dependency of a dev tool, the project's own
# tests fail with "No module named 'rich.adapters'"). A fixed list, because these rules run
# in the bake, standard library only, before any environment exists to ask. The template's
# gate tests fail when a direct dependency installs a module missing here; modules of
# indirect ones come and go with upstream releases, so they are kept here as found.
DEPENDENCY_MODULES = frozenset(
    {
        "_cffi_backend",
        "_hypothesis_ftz_detector",
        "_hypothesis_globals",
        "_hypothesis_pytestplugin",
        "_pytest",
        "_yaml",
        "aiosqlite",
        "alembic",
        "annotated_doc",
        "annotated_types",
        "anyio",
        "arrow",
        "asgiref",
        "ast_serialize",
        "asyncpg",
        "binaryornot",
        "certifi",
        "cffi",
        "cfgv",
        "charset_normalizer",
        "click",
        "cookiecutter",
        "coverage",
        "cryptography",
        "dateutil",
        "distlib",
        "dotenv",
        "fastapi",
        "filelock",
        "google",
        "graphql",
        "greenlet",
        "grimp",
        "h11",
        "harfile",
        "httpcore",
        "httptools",
        "httpx",
        "hypothesis",
        "hypothesis_graphql",
        "identify",
        "idna",
        "importlinter",
        "iniconfig",
        "jinja2",
        "jsonschema_rs",
        "jwt",
        "librt",
        "mako",
        "markdown_it",
        "markupsafe",
        "mdurl",
        "mypy",
        "mypy_extensions",
        "mypyc",
        "nodeenv",
        "opentelemetry",
        "packaging",
        "pathspec",
        "platformdirs",
        "pluggy",
        "pre_commit",
        "pre_commit_hooks",
        "prometheus_client",
        "py",
        "pycparser",
        "pydantic",
        "pydantic_core",
        "pydantic_settings",
        "pygments",
        "pyrate_limiter",
        "pytest",
        "pytest_asyncio",
        "python_discovery",
        "pythonjsonlogger",
        "requests",
        "rich",
        "ruamel",
        "ruff",
        "schemathesis",
        "slugify",
        "sortedcontainers",
        "sqlalchemy",
        "standardwebhooks",
        "starlette",
        "text_unidecode",
        "typing_extensions",
        "typing_inspection",
        "tzdata",
        "urllib3",
        "uvicorn",
        "uvloop",
        "virtualenv",
        "watchfiles",
        "websockets",
        "werkzeug",
        "wrapt",
        "yaml",
    }
)


def suggest_slug(text: str) -> str:
    """Turn any text into the nearest valid kebab-case slug, for the error message."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = "-".join(words).lstrip("0123456789-")
    return slug or "payments-service"


def project_name_problems(name: str) -> list[str]:
    if not name.strip():
        return ["project_name is empty: type a name such as 'Payments Service'."]
    return []


def slug_problems(slug: str) -> list[str]:
    if SLUG_PATTERN.match(slug):
        return []
    return [
        f"project_slug {slug!r} is not a safe folder name (lowercase letters, digits and single "
        f"hyphens, starting with a letter; no '/', '..' or spaces): "
        f"type {suggest_slug(slug)!r} instead."
    ]


def package_problems(package: str) -> list[str]:
    suggestion = suggest_slug(package).replace("-", "_")
    if not PACKAGE_PATTERN.match(package):
        return [
            f"package_name {package!r} is not a Python identifier (lowercase letters, digits and "
            f"underscores, not starting with a digit): type {suggestion!r} instead."
        ]
    if len(package) > MAX_PACKAGE_LENGTH:
        return [
            f"package_name {package!r} is longer than {MAX_PACKAGE_LENGTH} characters: "
            f"type a shorter one such as {package[:MAX_PACKAGE_LENGTH].rstrip('_')!r}."
        ]
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        return [f"package_name {package!r} is a Python keyword: type {package + '_service'!r}."]
    if package in sys.stdlib_module_names:
        return [
            f"package_name {package!r} shadows the standard library module of that name: "
            f"type {package + '_service'!r} instead."
        ]
    if package in DEPENDENCY_MODULES:
        return [
            f"package_name {package!r} shadows the package of that name that the generated "
            f"project installs as a dependency: type {package + '_service'!r} instead."
        ]
    if package == TEST_PACKAGE:
        return [
            f"package_name {package!r} is the name of the generated project's test package: "
            f"type {package + '_service'!r} instead."
        ]
    if DUNDER_PATTERN.match(package):
        words = "_".join(re.findall(r"[a-z0-9]+", package)).lstrip("0123456789_") or "payments"
        return [
            f"package_name {package!r} is a dunder name, which Python reserves for its own "
            f"use: type {words + '_service'!r} instead."
        ]
    return []


def email_problems(email: str) -> list[str]:
    if EMAIL_PATTERN.match(email):
        return []
    return [f"author_email {email!r} is not an email address: type one like 'you@example.com'."]


def choice_problems(answers: Mapping[str, Any]) -> list[str]:
    problems = []
    if answers["python_version"] not in SUPPORTED_PYTHONS:
        problems.append(
            f"python_version {answers['python_version']!r} is not supported: "
            f"type one of {', '.join(SUPPORTED_PYTHONS)}."
        )
    for option, allowed in CHOICES.items():
        if answers[option] not in allowed:
            problems.append(
                f"{option} {answers[option]!r} is not an option: type one of {', '.join(allowed)}."
            )
    return problems


def find_problems(answers: Mapping[str, Any]) -> list[str]:
    """Every problem with the answers, as sentences that say what to type instead."""
    return [
        *project_name_problems(answers["project_name"]),
        *slug_problems(answers["project_slug"]),
        *package_problems(answers["package_name"]),
        *email_problems(answers["author_email"]),
        *choice_problems(answers),
    ]


def report(problems: list[str]) -> str:
    lines = [f"ERROR: {problem}" for problem in problems]
    lines.append("Nothing was written. Run cookiecutter again with corrected answers.")
    return "\n".join(lines)
