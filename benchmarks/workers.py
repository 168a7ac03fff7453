"""``serve`` with 1 and with 2 worker processes on PostgreSQL, ``POST /transfers``, side
by side: req/s of each and their ratio. No assertions.

    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/workers.py             # about 2 minutes
    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/workers.py --project /tmp/x/payments-service

Bakes the default project (or takes ``--project``), starts a throwaway PostgreSQL with
the project's own ``tests/postgres_server.py`` and seeds it as ``run.py`` does
(``databases.py``); then, ``--rounds`` times, serves ours with 1 and with 2 workers (in
rotating order, each on a fresh copy of the seeded database) and loads ``POST
/transfers`` exactly as ``run.py``'s load part does (``load.py``: 32 keep-alive
connections, every request with the bearer token and a new ``Idempotency-Key``). The
server's CPU time per request counts every worker process.

The load generator, PostgreSQL and the workers share the host's CPUs: on a 2-CPU host a
second worker has no core of its own, so the ratio says what a second worker gains there,
not what it gains on a bigger one. The header prints the CPU count and load average.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baked_project import BakedProject, bake_and_install
from commands import log, median
from credentials import credentials_for
from databases import PostgresDatabases, account_ids, seed, throwaway_postgres
from load import LoadPlan, choose_tool, load_run, request_specs, rotated
from servers import serving

ENDPOINT = "POST /transfers"
WORKER_COUNTS = (1, 2)
SETTLE_SECONDS = 2.0
"""After the first answer, before the warm-up: the other worker may still be starting
(every count waits the same, to keep the runs alike)."""
Runs = dict[int, list[dict[str, Any]]]
"""Per worker count, one load result per round."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = options.add_argument
    add("--project", type=Path, help="measure this baked and synced project instead")
    add("--rounds", type=int, default=5, help="rounds of 1 then 2 workers (default 5)")
    add("--duration", type=float, default=5.0, help="seconds measured per run (default 5)")
    add("--warmup", type=float, default=1.0, help="warm-up seconds per run (default 1)")
    add("--max-requests", type=int, default=50_000, help="requests per run at most")
    add("--connections", type=int, default=32, help="keep-alive connections (default 32)")
    add("--load-tool", choices=("auto", "wrk", "python"), default="auto")
    add("--keep", action="store_true", help="keep the temporary folder")
    return options.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    plan = LoadPlan(
        connections=args.connections,
        warmup_seconds=args.warmup,
        duration_seconds=args.duration,
        max_requests=args.max_requests,
        rounds=args.rounds,
        apps=("ours",),
        tool=choose_tool(args.load_tool),
    )
    before = load_average()
    work = Path(tempfile.mkdtemp(prefix="clean-service-workers-"))
    try:
        runs = measure(args, plan, work)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(report(runs, plan, before, load_average()))
    return 0


def measure(args: argparse.Namespace, plan: LoadPlan, work: Path) -> Runs:
    if args.project:
        project = BakedProject(args.project.resolve())
    else:
        log("baking and installing the default project")
        project, _ = bake_and_install(work / "project")
    credentials = credentials_for(project)
    accounts = account_ids()
    spec = request_specs(accounts, plan, credentials)[ENDPOINT]
    ready_path = f"/accounts/{accounts[0]}"
    runs: Runs = {count: [] for count in WORKER_COUNTS}
    log("starting a throwaway PostgreSQL with the project's tests/postgres_server.py")
    with throwaway_postgres(project) as cluster:
        databases = PostgresDatabases(cluster)
        log(f"seeding {len(accounts)} accounts")
        seed(databases, project, accounts, credentials.subject)
        for round_index in range(plan.rounds):
            for count in rotated(list(WORKER_COUNTS), round_index):
                with (
                    databases.fresh_copy() as url,
                    serving("ours", project, url, ready_path, credentials, count) as server,
                ):
                    time.sleep(SETTLE_SECONDS)
                    result = load_run(project, server, spec, plan.tool, work)
                runs[count].append(result)
                log(
                    f"round {round_index + 1}, {count} worker(s): {result['rps']:8.1f} req/s"
                    f"  p50 {result['p50_ms']:.1f} ms  p99 {result['p99_ms']:.1f} ms"
                    f"  cpu {result['server_cpu_us']:.0f} us/req  {result['statuses']}"
                )
    return runs


def report(runs: Runs, plan: LoadPlan, before: str, after: str) -> str:
    lines = [
        f"PostgreSQL {ENDPOINT}, ours with 1 and 2 worker processes ({plan.tool}, "
        f"{plan.connections} connections, {plan.duration_seconds:g} s x {plan.rounds} rounds)",
        f"host: {os.cpu_count()} CPUs, load average {before} before, {after} after",
        f"{'workers':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU us/req':>12}",
    ]
    for count, results in runs.items():
        lines.append(
            f"{count:>8}{median([r['rps'] for r in results]):9.0f}"
            f"{median([r['p50_ms'] for r in results]):9.1f}"
            f"{median([r['p99_ms'] for r in results]):9.1f}"
            f"{median([r['server_cpu_us'] for r in results]):12.0f}"
        )
    ratios = [two["rps"] / one["rps"] for one, two in zip(runs[1], runs[2], strict=True)]
    lines.append(
        f"2 workers / 1 worker, req/s: {median(ratios):.2f} "
        f"(rounds {min(ratios):.2f}-{max(ratios):.2f}; median of each round's ratio)"
    )
    return "\n".join(lines)


def load_average() -> str:
    with contextlib.suppress(OSError):
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    return "?"


if __name__ == "__main__":
    sys.exit(main())
