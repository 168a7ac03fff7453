"""Remove the files of options that were not chosen, write a development signing key
into ``.env``, then print the next steps.

Every conditional file of the template is listed once, here, with the answer that keeps
it; a template test checks that each option set gets exactly its files.

Cookiecutter runs this script from a rendered copy in the temporary folder, in a fresh
interpreter, and never deletes the copy: the script deletes it. It imports ``os`` and
``sys`` only (``shutil`` and ``pathlib`` would add about 10 ms to every bake).
"""

import os
import sys

PACKAGE = os.path.join("src", "{{ cookiecutter.package_name }}")
HOOKS_DIR = {{ hooks_dir | tojson }}

CI = "{{ cookiecutter.ci }}"
DOCKER = "{{ cookiecutter.docker }}" == "yes"
OBSERVABILITY = "{{ cookiecutter.observability }}" != "none"
POSTGRESQL = "{{ cookiecutter.database }}" == "postgresql"
LEDGER = "{{ cookiecutter.example }}" == "ledger"

LEDGER_FILES = [
    os.path.join(PACKAGE, *parts)
    for parts in [
        ("domain", "account.py"),
        ("domain", "money.py"),
        ("domain", "transfer.py"),
        ("domain", "transfer_position.py"),
        ("usecases", "deposit.py"),
        ("usecases", "get_account.py"),
        ("usecases", "list_transfers.py"),
        ("usecases", "open_account.py"),
        ("usecases", "receipts.py"),
        ("usecases", "transfer_funds.py"),
        ("adapters", "http", "routes", "accounts.py"),
        ("adapters", "http", "routes", "transfers.py"),
        ("adapters", "sql", "migrations", "versions", "v0001_create_ledger_tables.py"),
        ("adapters", "sql", "migrations", "versions", "v0003_add_owners.py"),
        ("adapters", "sql", "migrations", "versions", "v0005_index_transfers_by_position.py"),
    ]
] + [
    os.path.join("tests", *parts)
    for parts in [
        ("ledger_operations.py",),
        ("api", "test_authentication.py"),
        ("api", "test_database_outage.py"),
        ("api", "test_ledger_api.py"),
        ("api", "test_notices_api.py"),
        ("api", "test_readiness.py"),
        ("api", "test_request_limits.py"),
        ("api", "test_transfer_pages.py"),
        ("api", "test_unmigrated_service.py"),
        ("contract", "ledger.py"),
        ("contract", "retry_worker.py"),
        ("contract", "transfer_worker.py"),
        ("contract", "test_concurrency.py"),
        ("contract", "test_listing_plans.py"),
        ("contract", "test_migrations.py"),
        ("contract", "test_ownership.py"),
        ("contract", "test_queries.py"),
        ("contract", "test_repositories.py"),
        ("contract", "test_retry_races.py"),
        ("contract", "test_rollback.py"),
        ("contract", "test_service_role.py"),
        ("contract", "test_transfer_pages.py"),
        ("contract", "test_unit_of_work.py"),
        ("fuzz", "test_properties.py"),
        ("fuzz", "test_storage_equivalence.py"),
        ("unit", "test_access.py"),
        ("unit", "test_account.py"),
        ("unit", "test_idempotency.py"),
        ("unit", "test_memory_unit_of_work.py"),
        ("unit", "test_money.py"),
        ("unit", "test_notices.py"),
        ("unit", "test_requeue_notices.py"),
        ("unit", "test_transfer.py"),
        ("unit", "test_usecases.py"),
    ]
]
NONE_FILES = [
    os.path.join("tests", *parts)
    for parts in [
        ("api", "notes.py"),
        ("api", "test_health.py"),
        ("api", "test_limits.py"),
        ("api", "test_protection.py"),
        ("contract", "material.py"),
        ("contract", "test_outbox_statements.py"),
        ("contract", "test_schema.py"),
        ("contract", "test_transactions.py"),
        ("unit", "test_cursor.py"),
        ("unit", "test_requeue_parked_notices.py"),
    ]
]

KEEP_WHEN = {
    ".github": CI == "github",
    ".gitlab-ci.yml": CI == "gitlab",
    "renovate.json": CI == "gitlab",
    "Dockerfile": DOCKER,
    ".dockerignore": DOCKER,
    "compose.yaml": DOCKER,
    os.path.join(PACKAGE, "adapters", "observability"): OBSERVABILITY,
    os.path.join("tests", "api", "test_observability.py"): OBSERVABILITY,
    os.path.join(PACKAGE, "usecases", "measure_backlog.py"): OBSERVABILITY,  # outbox gauges
    os.path.join("tests", "api", "test_outbox_gauges.py"): OBSERVABILITY,
    os.path.join("deploy", "prometheus"): OBSERVABILITY,
    # compose's database runs it once, to create the service's login (README: roles)
    os.path.join("deploy", "postgres"): DOCKER and POSTGRESQL,
    os.path.join("tests", "contract", "test_compose_roles.py"): DOCKER and POSTGRESQL,
    # several replicas share one database: PostgreSQL (README: Running on Kubernetes)
    os.path.join("deploy", "kubernetes"): DOCKER and POSTGRESQL,
    # example=ledger: the payments ledger, through every layer (example=none keeps only
    # the mechanisms; the ledger's revisions 0001, 0003 and 0005 go with it)
    **dict.fromkeys(LEDGER_FILES, LEDGER),
    # example=none: the mechanisms' own tests, which the ledger's tests cover there
    **dict.fromkeys(NONE_FILES, not LEDGER),
}

SLUG = "{{ cookiecutter.project_slug }}"
DOCS = "http://127.0.0.1:8000/docs"
SET_COMPOSE_PASSWORDS = "# first, in .env: POSTGRES_PASSWORD=... and SERVICE_DB_PASSWORD=..."
SET_DATABASE_URL = "# first, in .env: DATABASE_URL=... of your PostgreSQL (see .env.example)"
CI_NOTE = {
    "github": "CI: .github/workflows/ci.yml runs make check on pull requests and main.",
    "gitlab": "CI: .gitlab-ci.yml runs make check on every push.",
}


def next_steps() -> list[tuple[str, str]]:
    """The commands to type next, each with what it does, for exactly the options chosen."""
    steps = [
        (f"cd {SLUG}", ""),
        ("git init", "so that make install can add the pre-commit hooks"),
        ("make install", "uv sync (.venv, every dependency), then pre-commit install"),
        ("make check", "ruff, mypy --strict, import contracts, tests with coverage"),
    ]
    if POSTGRESQL and DOCKER:
        steps.append((SET_COMPOSE_PASSWORDS, ""))
        steps.append(("make up", f"docker compose up: PostgreSQL, migrations, {DOCS}"))
    elif POSTGRESQL:
        steps.append((SET_DATABASE_URL, ""))
        steps.append(("make run", f"migrate PostgreSQL and serve {DOCS}"))
    else:
        steps.append(("make run", f"migrate the SQLite file and serve {DOCS}"))
        if DOCKER:
            steps.append(("make up", "or run it in containers: docker compose up, same address"))
    scopes = "ledger:read ledger:write" if LEDGER else "service:read service:write"
    steps.append((f'uv run {SLUG} token --subject alice --scope "{scopes}"', ""))
    return steps


def notes() -> list[str]:
    """What else the chosen options give, a sentence each."""
    lines = []
    if POSTGRESQL and DOCKER:
        lines.append("Without Docker: set DATABASE_URL in .env to a PostgreSQL, then make run.")
    if CI in CI_NOTE:
        lines.append(CI_NOTE[CI])
    if OBSERVABILITY:
        lines.append("Metrics: /metrics. Traces: export OTEL_EXPORTER_OTLP_ENDPOINT (README).")
    lines.append("`make` lists every target; README.md has the rest.")
    return lines


def banner() -> str:
    """The steps as a shell session, their comments in one column, then the notes."""
    steps = next_steps()
    width = max(len(command) for command, comment in steps if comment)
    commands = [
        f"    {command.ljust(width)}   # {comment}" if comment else f"    {command}"
        for command, comment in steps
    ]
    return "\n".join(["", f"Created {SLUG}/. Next:", "", *commands, "", *notes(), ""])


DEV_KEY_FILE = ".env"
DEV_KEY_NOTE = """\
# Written by the template when the project was generated; git-ignored. Development only:
# this key signs and verifies the tokens of `{{ cookiecutter.project_slug }} token`, and
# ENVIRONMENT=production refuses to start while it is set. Other settings: .env.example.
"""


def remove(path: str) -> None:
    """Delete a file, or a folder and everything in it (children first)."""
    if not os.path.isdir(path):
        if os.path.lexists(path):
            os.remove(path)
        return
    for folder, subfolders, files in os.walk(path, topdown=False):
        for name in files:
            os.remove(os.path.join(folder, name))
        for name in subfolders:
            os.rmdir(os.path.join(folder, name))
    os.rmdir(path)


def forget_own_copy() -> None:
    """Delete the rendered copy cookiecutter ran, never the template's own hook."""
    own_copy = os.path.abspath(__file__)
    if os.path.dirname(own_copy) != os.path.abspath(HOOKS_DIR):
        os.remove(own_copy)


def write_dev_signing_key() -> None:
    """A random key per project, so ``make run`` and the token command work at once and
    no two projects (and no repository) share one. An existing ``.env`` is left alone."""
    if os.path.exists(DEV_KEY_FILE):
        return
    with open(DEV_KEY_FILE, "x", encoding="utf-8") as env:
        env.write(f"{DEV_KEY_NOTE}AUTH_DEV_SIGNING_KEY={os.urandom(32).hex()}\n")


def main() -> int:
    forget_own_copy()
    for name, keep in KEEP_WHEN.items():
        if not keep:
            remove(name)
    if os.path.isdir("deploy") and not os.listdir("deploy"):
        os.rmdir("deploy")
    write_dev_signing_key()
    print(banner())
    return 0


if __name__ == "__main__":
    sys.exit(main())
