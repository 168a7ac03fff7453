"""A client team's first day with a fresh bake: generate a client from its schema, use it.

The default project is served as ``make run`` serves it; its ``/openapi.json`` goes through
openapi-python-client, as a team calling the API would get its client, and
``tests/support/client_flow.py``, written against the generated package, opens two
accounts, deposits with an admin token, transfers, retries the transfer with the same
``Idempotency-Key`` and lists, through the generated functions and models only. The
schema's operation ids are the use cases' names, so the client's functions are too.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support.options import DEFAULT_VARIANT
from tests.support.serving import dev_tokens
from tests.support.toolchain import Toolchain
from tests.support.variants import SyncedProject

pytestmark = [
    pytest.mark.gates,
    pytest.mark.variant(DEFAULT_VARIANT),
    pytest.mark.xdist_group(DEFAULT_VARIANT),
]

USE_CASES = {
    "open_account",
    "deposit",
    "transfer_funds",
    "get_account",
    "list_transfers",
    "check_liveness",
    "check_readiness",
}
"""The operation ids the schema gives, so the names of the generated client's functions."""

GENERATOR = "openapi-python-client==0.29.*"
"""Pinned as a client team would pin it: its minor versions change the generated code."""

GENERATOR_CONFIG = {
    # The package's name, whatever the project's title (the generator's default source).
    "project_name_override": "ledger-client",
    "package_name_override": "ledger_client",
    # The generated code is run, not read: no formatting pass (it wants ruff on PATH).
    "post_hooks": [],
}
CLIENT_FLOW = Path(__file__).parent / "support" / "client_flow.py"

SCOPES = {
    "alice": "ledger:read ledger:write",
    "bob": "ledger:read ledger:write",
    "back-office": "ledger:admin",
}


def operation_ids(schema: dict[str, Any]) -> set[str]:
    return {
        operation["operationId"] for path in schema["paths"].values() for operation in path.values()
    }


def generate_client(schema: dict[str, Any], folder: Path, toolchain: Toolchain) -> Path:
    """The client package's project folder, generated with its own metadata (``--meta uv``)
    so that it installs with the dependencies the generator chose; any warning fails."""
    (folder / "openapi.json").write_text(json.dumps(schema), encoding="utf-8")
    (folder / "generator.json").write_text(json.dumps(GENERATOR_CONFIG), encoding="utf-8")
    generated = toolchain.run(
        [
            toolchain.uv,
            "tool",
            "run",
            "--from",
            GENERATOR,
            "openapi-python-client",
            "generate",
            "--path",
            "openapi.json",
            "--config",
            "generator.json",
            "--meta",
            "uv",
            "--fail-on-warning",
        ],
        cwd=folder,
        timeout=300,
    )
    assert generated.ok, generated.report()
    return folder / "ledger-client"


def test_a_client_generated_from_the_schema_opens_deposits_transfers_once_and_lists(
    default_project: SyncedProject, toolchain: Toolchain, served_default: str, tmp_path: Path
) -> None:
    with urllib.request.urlopen(f"{served_default}/openapi.json", timeout=10) as response:
        schema = json.load(response)
    assert operation_ids(schema) == USE_CASES, "every operation is named after its use case"

    client = generate_client(schema, tmp_path, toolchain)
    functions = {
        module.stem
        for module in (client / "ledger_client" / "api").glob("*/*.py")
        if module.stem != "__init__"
    }
    assert functions == USE_CASES, "the client has a function module per use case"

    tokens = dev_tokens(default_project.path, toolchain, SCOPES)
    # An environment of the client's own: the generated package and its dependencies.
    with_the_client = ["--no-project", "--python", default_project.python, "--with", str(client)]
    ran = subprocess.run(
        [toolchain.uv, "run", *with_the_client, "python", str(CLIENT_FLOW)],
        cwd=tmp_path,
        env={
            **toolchain.env,
            "API": served_default,
            "ALICE": tokens["alice"],
            "BOB": tokens["bob"],
            "ADMIN": tokens["back-office"],
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert ran.returncode == 0, f"{ran.stdout}\n{ran.stderr}"
    seen = json.loads(ran.stdout.splitlines()[-1])
    assert seen["statuses"] == {
        "open_account": 201,
        "deposit": 200,
        "transfer_funds": 201,
        "list_transfers": 200,
        "get_account": 200,
    }
    assert seen["balance_after_deposit"] == 1000, "the admin's deposit"
    transfer = seen["transfer"]
    assert transfer["amount_minor_units"] == 250
    assert seen["transfer_replayed"] is None, "the first request is no replay"
    assert seen["replay"] == transfer, "the retry returns the first transfer"
    assert seen["replay_replayed"] == "true", "and says it is a replay"
    [line] = seen["listing"]
    assert line["transfer"] == transfer
    assert line["direction"] == "out"
    assert line["counterpart_account_id"] == seen["accounts"]["bob"]
    assert seen["next_cursor"] is None, "one transfer, one page: the last"
    assert seen["balances"] == {"alice": 750, "bob": 250}, "no money moved twice"
