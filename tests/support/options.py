"""The template's options and the rules that tie answers to files, restated for the tests.

Restated on purpose rather than imported from ``hooks/``: a test that read its expectations
from the code under test would agree with every mistake in it.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
"""The template repository (the folder holding ``cookiecutter.json``)."""

TEMPLATE_FOLDER = ROOT / "{{cookiecutter.project_slug}}"

Answers = Mapping[str, str]

DEFAULTS: dict[str, str] = {
    "project_name": "Payments Service",
    "description": (
        "A payments ledger service whose Clean Architecture is enforced by its own checks."
    ),
    "author_name": "Your Name",
    "author_email": "you@example.com",
    "example": "ledger",
    "python_version": "3.11",
    "database": "sqlite",
    "observability": "none",
    "ci": "github",
    "docker": "yes",
    "license": "MIT",
}
"""Every answer's default, except the two that derive from the project name."""

CHOICES: dict[str, tuple[str, ...]] = {
    "example": ("ledger", "none"),
    "python_version": ("3.11", "3.12", "3.13"),
    "database": ("sqlite", "postgresql"),
    "observability": ("none", "opentelemetry"),
    "ci": ("github", "gitlab", "none"),
    "docker": ("yes", "no"),
    "license": ("MIT", "Apache-2.0", "BSD-3-Clause", "Proprietary"),
}
"""Every accepted value of every option with a closed set of answers; first is the default."""

MOST_FEATURES: dict[str, str] = {
    "project_name": "Payments Ledger Service For Team",  # package name: 32 characters, the maximum
    "database": "postgresql",
    "observability": "opentelemetry",
    "ci": "github",
    "docker": "yes",
    "license": "Apache-2.0",
    # The newest Python: its ruff and mypy targets are the strictest for the most code.
    "python_version": CHOICES["python_version"][-1],
}
DEFAULT_VARIANT = f"defaults (python {DEFAULTS['python_version']})"
"""The gate variant baked with every default; the bite tests break a copy of it."""

LEAST_FEATURES: dict[str, str] = {
    "example": "none",  # the mechanisms alone: no ledger model
    "database": "sqlite",
    "observability": "none",
    "ci": "none",
    "docker": "no",
    "license": "Proprietary",
}

SPDX_LICENSE = {
    "MIT": "MIT",
    "Apache-2.0": "Apache-2.0",
    "BSD-3-Clause": "BSD-3-Clause",
    "Proprietary": "LicenseRef-Proprietary",
}
LICENSE_TEXT = {
    "MIT": "Permission is hereby granted, free of charge",
    "Apache-2.0": "Apache License",
    "BSD-3-Clause": "Redistribution and use in source and binary forms",
    "Proprietary": "All rights reserved",
}
"""A sentence the LICENSE file of each license contains."""


def slug_of(project_name: str) -> str:
    return project_name.lower().strip().replace(" ", "-").replace("_", "-")


def package_of(slug: str) -> str:
    return slug.replace("-", "_")


DESCRIPTION_WITHOUT_EXAMPLE = "A service whose Clean Architecture is enforced by its own checks."
"""The default ``description`` when ``example=none`` (it derives from that answer)."""


def full_answers(given: Answers) -> dict[str, str]:
    """The answers a bake with ``given`` as extra context ends up with, derived ones included."""
    answers = {**DEFAULTS, **given}
    if answers["example"] == "none" and "description" not in given:
        answers["description"] = DESCRIPTION_WITHOUT_EXAMPLE
    answers.setdefault("project_slug", slug_of(answers["project_name"]))
    answers.setdefault("package_name", package_of(answers["project_slug"]))
    return answers


LEDGER_MODULES = (
    "domain/account.py",
    "domain/money.py",
    "domain/transfer.py",
    "domain/transfer_position.py",
    "usecases/deposit.py",
    "usecases/get_account.py",
    "usecases/list_transfers.py",
    "usecases/open_account.py",
    "usecases/receipts.py",
    "usecases/transfer_funds.py",
    "adapters/http/routes/accounts.py",
    "adapters/http/routes/transfers.py",
    "adapters/sql/migrations/versions/v0001_create_ledger_tables.py",
    "adapters/sql/migrations/versions/v0003_add_owners.py",
    "adapters/sql/migrations/versions/v0005_index_transfers_by_position.py",
)
"""The example's own modules under ``src/<package>/``: a project without it has none."""

LEDGER_TESTS = (
    "ledger_operations.py",
    "api/test_authentication.py",
    "api/test_database_outage.py",
    "api/test_ledger_api.py",
    "api/test_notices_api.py",
    "api/test_readiness.py",
    "api/test_request_limits.py",
    "api/test_transfer_pages.py",
    "api/test_unmigrated_service.py",
    "contract/ledger.py",
    "contract/retry_worker.py",
    "contract/transfer_worker.py",
    "contract/test_concurrency.py",
    "contract/test_listing_plans.py",
    "contract/test_migrations.py",
    "contract/test_ownership.py",
    "contract/test_queries.py",
    "contract/test_repositories.py",
    "contract/test_retry_races.py",
    "contract/test_rollback.py",
    "contract/test_service_role.py",
    "contract/test_transfer_pages.py",
    "contract/test_unit_of_work.py",
    "fuzz/test_properties.py",
    "fuzz/test_storage_equivalence.py",
    "unit/test_access.py",
    "unit/test_account.py",
    "unit/test_idempotency.py",
    "unit/test_memory_unit_of_work.py",
    "unit/test_money.py",
    "unit/test_notices.py",
    "unit/test_requeue_notices.py",
    "unit/test_transfer.py",
    "unit/test_usecases.py",
)
"""Test files under ``tests/`` that only the ledger has (its operations, its routes)."""

WITHOUT_EXAMPLE_TESTS = (
    "api/notes.py",
    "api/test_protection.py",
    "contract/material.py",
    "contract/test_schema.py",
    "contract/test_transactions.py",
    "unit/test_cursor.py",
    "api/test_health.py",
    "api/test_limits.py",
    "contract/test_outbox_statements.py",
    "unit/test_requeue_parked_notices.py",
)
"""Test files under ``tests/`` that only a project without the example has: they drive the
mechanisms directly, where the ledger's tests drive them through its operations."""


def conditional_paths(answers: Answers) -> dict[str, bool]:
    """Every path that only some answers get, and whether these answers get it."""
    package = f"src/{answers['package_name']}"
    docker = answers["docker"] == "yes"
    observability = answers["observability"] == "opentelemetry"
    postgresql = answers["database"] == "postgresql"
    ledger = answers["example"] == "ledger"
    return {
        **{f"{package}/{module}": ledger for module in LEDGER_MODULES},
        **{f"tests/{test}": ledger for test in LEDGER_TESTS},
        **{f"tests/{test}": not ledger for test in WITHOUT_EXAMPLE_TESTS},
        ".github": answers["ci"] == "github",
        ".gitlab-ci.yml": answers["ci"] == "gitlab",
        "renovate.json": answers["ci"] == "gitlab",
        "Dockerfile": docker,
        ".dockerignore": docker,
        "compose.yaml": docker,
        f"{package}/adapters/observability": observability,
        "tests/api/test_observability.py": observability,
        f"{package}/usecases/measure_backlog.py": observability,  # read by the outbox gauges
        "tests/api/test_outbox_gauges.py": observability,
        "deploy/prometheus": observability,  # alert rules
        "deploy/postgres": docker and postgresql,  # compose's database creates the login
        "tests/contract/test_compose_roles.py": docker and postgresql,
        "deploy/kubernetes": docker and postgresql,  # several replicas share one database
        "deploy": observability or (docker and postgresql),
    }


def render_cases() -> dict[str, dict[str, str]]:
    """Answer sets to bake: every value of every option, database x python, names, extremes."""
    cases: dict[str, dict[str, str]] = {"defaults": {}}
    for option, values in CHOICES.items():
        for value in values:
            cases[f"{option}={value}"] = {option: value}
    for database, python in itertools.product(CHOICES["database"], CHOICES["python_version"]):
        cases[f"{database}+python{python}"] = {"database": database, "python_version": python}
    cases["names-derived-from-project-name"] = {"project_name": "Ledger_of ACME Corp"}
    cases["names-given-explicitly"] = {
        "project_name": "Payments API",
        "project_slug": "ledger-api",
        "package_name": "ledger_core",
    }
    cases["most-features"] = MOST_FEATURES
    cases["least-features"] = LEAST_FEATURES
    return cases


def template_context() -> dict[str, Any]:
    """``cookiecutter.json`` as it is: questions, defaults and private settings."""
    context: dict[str, Any] = json.loads((ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    return context


def offered_options() -> dict[str, object]:
    """The public questions of ``cookiecutter.json``, with their default or list of choices."""
    return {key: value for key, value in template_context().items() if not key.startswith("_")}


GATE_VARIANTS: dict[str, dict[str, str]] = {
    # First, so its mypy cache (under another package name) can seed the projects after it.
    "most-features": MOST_FEATURES,
    DEFAULT_VARIANT: {},
    f"python {CHOICES['python_version'][-1]}": {"python_version": CHOICES["python_version"][-1]},
    "least-features": LEAST_FEATURES,
}
"""The projects the gate tests install and check, one at a time on two cores: one per
answer set whose code differs. The most-featured project brings PostgreSQL with Docker,
OpenTelemetry, the longest package name and the newest Python; the defaults bring SQLite,
no telemetry and the oldest Python; ``python 3.13`` those defaults under the newest
Python's ruff and mypy; the least-featured project starts without the example. Every
project runs its PostgreSQL tests whatever its ``database``, and a Python version between
the oldest and the newest adds no code of its own."""

MEASURED_VARIANTS = ("most-features", DEFAULT_VARIANT, "least-features")
"""The gate variants whose tests run under coverage, as ``make coverage`` runs them, and
must reach the floor: the ones whose code differs (``python 3.13`` changes only the
Python version; coverage costs a run a quarter more time)."""
