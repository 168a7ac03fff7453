"""Load runs: each app in turn on a fresh copy of one seeded database, the read endpoint
and then the write endpoint under the same closed-loop load, apps in rotating order,
``rounds`` times.

The apps of one round run back to back and so share the host's load of that moment: the
report compares them round by round. The servers' CPU time per request is read from
``/proc`` around each run, a figure the load generator's speed cannot skew.

Every request carries the bearer token of the subject that owns every seeded account
(``credentials.py``), so each app verifies a token and checks ownership on each request.
Every transfer carries a new ``Idempotency-Key`` (the load generator's ``fresh_header``),
as a client sends one with each new payment: each is claimed and stored, none replayed.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baked_project import BakedProject
from commands import last_line, log
from credentials import Credentials
from databases import Databases
from servers import APPS_BY_DATABASE, Server, serving
from wrk import load_with_wrk

ENDPOINTS = ("GET /accounts/{id}", "POST /transfers")
TRANSFER_BODIES = 2000
"""Distinct transfer requests, sent at random: random pairs of the seeded accounts."""
IDEMPOTENCY_KEY = "Idempotency-Key"
"""Required on ``POST /transfers``: the load generators give it a new value per request."""


@dataclass(frozen=True)
class LoadPlan:
    """How hard and how long each app is loaded, and by which apps and tool."""

    connections: int
    warmup_seconds: float
    duration_seconds: float
    max_requests: int
    rounds: int
    apps: tuple[str, ...]
    tool: str
    """``wrk``, or ``python`` for the bundled ``loadgen.py``."""


@dataclass
class LoadResults:
    """One backend's figures: per endpoint, per app, one loadgen result per round."""

    rounds: dict[str, dict[str, list[dict[str, Any]]]]
    failed: dict[str, str] = field(default_factory=dict)
    """Apps that could not be measured (did not start, or failed mid-run), and why."""

    def drop(self, app: str, why: str) -> None:
        """Stop measuring ``app``; its rounds so far go too, so the rest stay paired."""
        self.failed[app] = why
        for by_app in self.rounds.values():
            by_app.pop(app, None)


def choose_tool(choice: str) -> str:
    """``wrk`` when asked for or installed (``auto``), else the bundled generator."""
    installed = shutil.which("wrk") is not None
    if choice == "wrk" and not installed:
        raise SystemExit("--load-tool wrk: wrk is not installed (apt-get install wrk)")
    if choice == "auto":
        return "wrk" if installed else "python"
    return choice


def transfer_bodies(accounts: list[str]) -> list[str]:
    rng = random.Random(6)
    bodies = []
    for _ in range(TRANSFER_BODIES):
        source, destination = rng.sample(accounts, 2)
        body = {
            "source_account_id": source,
            "destination_account_id": destination,
            "amount_minor_units": rng.randint(1, 100),
            "currency": "EUR",
        }
        bodies.append(json.dumps(body, separators=(",", ":")))
    return bodies


def request_specs(
    accounts: list[str], plan: LoadPlan, credentials: Credentials
) -> dict[str, dict[str, Any]]:
    """Per endpoint, what the load generator sends (the spec ``loadgen.py`` documents)."""
    common = {
        "host": "127.0.0.1",
        "headers": credentials.headers,
        "connections": plan.connections,
        "warmup_seconds": plan.warmup_seconds,
        "duration_seconds": plan.duration_seconds,
        "max_requests": plan.max_requests,
    }
    reads = [f"/accounts/{account}" for account in accounts]
    return {
        "GET /accounts/{id}": {**common, "method": "GET", "paths": reads},
        "POST /transfers": {
            **common,
            "method": "POST",
            "paths": ["/transfers"],
            "bodies": transfer_bodies(accounts),
            "fresh_header": IDEMPOTENCY_KEY,
        },
    }


def rotated(apps: list[str], shift: int) -> list[str]:
    """Round ``shift``'s order: each app takes its turn at going first."""
    shift %= len(apps)
    return apps[shift:] + apps[:shift]


def measure_load(
    project: BakedProject,
    databases: Databases,
    accounts: list[str],
    plan: LoadPlan,
    credentials: Credentials,
    folder: Path,
) -> LoadResults:
    """Every round of every app chosen for this backend; an app that fails is dropped."""
    apps = [app for app in APPS_BY_DATABASE[databases.kind] if app in plan.apps]
    results = LoadResults({endpoint: {app: [] for app in apps} for endpoint in ENDPOINTS})
    specs = request_specs(accounts, plan, credentials)
    for round_index in range(plan.rounds):
        for app in rotated(apps, round_index):
            if app in results.failed:
                continue
            try:
                runs = load_app(app, project, databases, specs, plan.tool, credentials, folder)
            except RuntimeError as error:
                log(f"{databases.kind} {app}: not measured: {error}")
                results.drop(app, last_line(error))
                continue
            for endpoint, result in runs.items():
                results.rounds[endpoint][app].append(result)
                log_run(databases.kind, endpoint, app, round_index, result)
    return results


def load_app(
    app: str,
    project: BakedProject,
    databases: Databases,
    specs: dict[str, dict[str, Any]],
    tool: str,
    credentials: Credentials,
    folder: Path,
) -> dict[str, dict[str, Any]]:
    """One round of one app: served on a fresh database copy, each endpoint loaded in turn."""
    ready_path = specs["GET /accounts/{id}"]["paths"][0]
    with (
        databases.fresh_copy() as url,
        serving(app, project, url, ready_path, credentials) as server,
    ):
        # Reads first, while the outbox has no backlog yet.
        return {
            endpoint: load_run(project, server, specs[endpoint], tool, folder)
            for endpoint in ENDPOINTS
        }


def load_run(
    project: BakedProject, server: Server, spec: dict[str, Any], tool: str, folder: Path
) -> dict[str, Any]:
    """One load run against ``server``, with the server's CPU time per request added."""
    spec = {**spec, "port": server.port}
    cpu_before = server.cpu_seconds()
    if tool == "wrk":
        result = load_with_wrk(spec, folder)
    else:
        # The project's Python has uvloop, which keeps the generator's own cost low.
        result = json.loads(project.run_script("loadgen.py", spec))
    served = result.get("all_requests") or result["requests"]
    result["server_cpu_us"] = (server.cpu_seconds() - cpu_before) / served * 1e6
    return result


def log_run(
    database: str, endpoint: str, app: str, round_index: int, result: dict[str, Any]
) -> None:
    log(
        f"{database:10} {endpoint:20} {app:13} round {round_index + 1}:"
        f" {result['rps']:8.1f} req/s  p50 {result['p50_ms']:.1f} ms"
        f"  p99 {result['p99_ms']:.1f} ms  cpu {result['server_cpu_us']:.0f} us/req"
        f"  {result['statuses']} {result['errors'] or ''}"
    )
