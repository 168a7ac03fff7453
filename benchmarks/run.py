"""Figures for the template (product brief §4), printed as one table. No assertions.

    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/run.py            # about 7 minutes
    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/run.py --quick    # about 2 minutes

1. the first bake on a clean machine, whole process (bake_time.py);
2. bakes the default project into a temporary folder and installs it (baked_project.py);
3. its unit and contract tiers, whole process (tier_times.py);
4. load: the generated service beside flat reference apps, on SQLite and on a throwaway
   PostgreSQL started by the project's own tests/postgres_server.py (load.py,
   servers.py, databases.py);
5. SQL statements per request (statement_counts.py);
6. what verifying the bearer token costs a request, in process (auth_cost.py);

Every request carries a bearer token for the one subject that owns every seeded account,
signed by the project's own ``token`` command with a key the benchmark passes to every app
(credentials.py). Then it prints the table (report.py). A part that fails is listed under
"Not measured" and the others still run. benchmarks/README.md says what each row measures.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from auth_cost import authentication_cost
from bake_time import first_bake_times
from baked_project import BakedProject, bake_and_install
from commands import Timing, last_line, log
from credentials import SUBJECT, Credentials, credentials_for
from databases import (
    Databases,
    PostgresCluster,
    PostgresDatabases,
    SqliteDatabases,
    account_ids,
    seed,
    throwaway_postgres,
)
from load import LoadPlan, choose_tool, measure_load
from options import parse_args
from report import Figures, report
from statement_counts import count_statements
from tier_times import tier_times


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv, __doc__ or "")
    plan = load_plan(args)  # before anything runs: --load-tool wrk needs wrk installed
    started = time.perf_counter()
    figures = Figures(host=host_facts())
    work = Path(tempfile.mkdtemp(prefix="clean-service-bench-"))
    try:
        measure(args, plan, figures, work)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    figures.host["load_after"] = load_average()
    print(report(figures))
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(dataclasses.asdict(figures), indent=2, default=str))
    return 0


def measure(args: argparse.Namespace, plan: LoadPlan, figures: Figures, work: Path) -> None:
    """Every part not skipped, in order; each one's failure is noted and the rest go on."""
    if "bake" not in args.skip:
        log(f"first bake: {args.bake_runs} runs")
        attempt(figures, "bake", lambda: figures.timings.append(first_bake_times(args.bake_runs)))
    project = project_under_test(args, figures, work)
    if "tests" not in args.skip:
        log(f"test tiers: unit x{args.unit_runs}, contract x{args.contract_runs}")
        attempt(figures, "test tiers", lambda: figures.timings.extend(tier_timings(project, args)))
    if {"load", "sql", "auth"} <= args.skip:
        return
    minted: list[Credentials] = []
    log(f"a development token for {SUBJECT} from the project's token command")
    attempt(figures, "bearer token", lambda: minted.append(credentials_for(project)))
    if not minted:
        return  # every request would be refused
    credentials = minted[0]
    if not {"load", "sql"} <= args.skip:
        measure_on_databases(args, plan, figures, work, project, credentials)
    if "auth" not in args.skip:
        log("timing authentication in process")
        cost = partial(authentication_cost, project, work, credentials)
        attempt(figures, "authentication cost", lambda: figures.authentication.update(cost()))


def measure_on_databases(
    args: argparse.Namespace,
    plan: LoadPlan,
    figures: Figures,
    work: Path,
    project: BakedProject,
    credentials: Credentials,
) -> None:
    """The load runs and the statement counts, on each backend asked for."""
    with postgres_if_wanted(args, figures, project) as postgres:
        if "load" not in args.skip:
            figures.load_plan = plan
            for kind in args.databases:
                databases = databases_for(kind, postgres, work)
                if databases is not None:  # else PostgreSQL did not start, as noted
                    load = partial(load_on, databases, project, plan, credentials, figures, work)
                    attempt(figures, f"load on {kind}", load)
        if "sql" not in args.skip:
            log("counting SQL statements per request")
            count = partial(count_statements, project, args.databases, work, postgres, credentials)
            attempt(figures, "SQL statements", lambda: figures.statements.update(count()))


def attempt(figures: Figures, part: str, action: Callable[[], object]) -> None:
    """Run one part; if it fails, say why in the report instead of losing the others.

    The generated project may be mid-change (a service that does not start must not cost
    the bake and tier figures); the whole traceback goes to the log.
    """
    try:
        action()
    except Exception as error:
        log(f"{part} failed:\n{traceback.format_exc()}")
        figures.problems.append(f"{part}: {last_line(error)}")


def project_under_test(args: argparse.Namespace, figures: Figures, work: Path) -> BakedProject:
    """The project given with ``--project``, or the default one, baked and installed now."""
    if args.project:
        return BakedProject(args.project.resolve())
    log("baking and installing the default project")
    project, sync_time = bake_and_install(work / "project")
    figures.timings.append(sync_time)
    return project


def tier_timings(project: BakedProject, args: argparse.Namespace) -> list[Timing]:
    return [
        tier_times(project, "unit", args.unit_runs, warm_up=True),
        tier_times(project, "contract", args.contract_runs, warm_up=False),
    ]


@contextlib.contextmanager
def postgres_if_wanted(
    args: argparse.Namespace, figures: Figures, project: BakedProject
) -> Iterator[PostgresCluster | None]:
    """The throwaway PostgreSQL when PostgreSQL rows are asked for, and it starts."""
    if "postgresql" not in args.databases:
        yield None
        return
    attempt(figures, "reference (a)'s PostgreSQL driver", project.install_reference_drivers)
    log("starting a throwaway PostgreSQL with the project's tests/postgres_server.py")
    with contextlib.ExitStack() as stack:
        started: list[PostgresCluster] = []
        attempt(
            figures,
            "PostgreSQL",
            lambda: started.append(stack.enter_context(throwaway_postgres(project))),
        )
        yield started[0] if started else None


def load_plan(args: argparse.Namespace) -> LoadPlan:
    return LoadPlan(
        connections=args.connections,
        warmup_seconds=args.warmup,
        duration_seconds=args.duration,
        max_requests=args.max_requests,
        rounds=args.rounds,
        apps=args.apps,
        tool=choose_tool(args.load_tool),
    )


def databases_for(kind: str, postgres: PostgresCluster | None, work: Path) -> Databases | None:
    if kind == "sqlite":
        return SqliteDatabases(work / "sqlite")
    return PostgresDatabases(postgres) if postgres is not None else None


def load_on(
    databases: Databases,
    project: BakedProject,
    plan: LoadPlan,
    credentials: Credentials,
    figures: Figures,
    work: Path,
) -> None:
    """Seed one backend's database, then load every app on copies of it."""
    accounts = account_ids()
    log(f"load on {databases.kind}: seeding {len(accounts)} accounts of {credentials.subject}")
    seed(databases, project, accounts, credentials.subject)
    figures.load[databases.kind] = measure_load(
        project, databases, accounts, plan, credentials, work
    )


def host_facts() -> dict[str, Any]:
    return {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "cpus": os.cpu_count(),
        "python": f"Python {platform.python_version()}",
        "load_before": load_average(),
    }


def load_average() -> str:
    with contextlib.suppress(OSError):
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    return "?"


if __name__ == "__main__":
    sys.exit(main())
