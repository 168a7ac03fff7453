"""The printed table: every figure of one run, each beside its target (product brief §4).

Figures are printed, never asserted: a missed target says MISSED and the run still
exits 0. Ratios compare apps measured in the same run, the only comparison a shared or
busy host supports; the rounds' range says how far one run on this host moves them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from commands import Timing, median
from load import LoadPlan, LoadResults

RATIO_TARGETS = {
    ("postgresql", "(a) sync"): 2.0,
    ("postgresql", "(b) async"): 0.9,
    ("sqlite", "(c) aiosqlite"): 0.9,
}
"""ours/reference req/s at least this (brief §4); ours/(a) on SQLite is shown without one."""


@dataclass
class Figures:
    """Everything one run measured: what ``report`` prints and ``--json`` writes."""

    host: dict[str, Any]
    timings: list[Timing] = field(default_factory=list)
    load: dict[str, LoadResults] = field(default_factory=dict)
    load_plan: LoadPlan | None = None
    statements: dict[str, Any] = field(default_factory=dict)
    authentication: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    """Parts that could not be measured, and why (for example a service that does not start)."""


def report(figures: Figures) -> str:
    lines = header_lines(figures.host)
    lines += timing_lines(figures.timings)
    if figures.load and figures.load_plan is not None:
        lines += load_lines(figures.load, figures.load_plan)
        lines += ratio_lines(figures.load)
    lines += statement_lines(figures.statements)
    lines += authentication_lines(figures.authentication)
    if figures.problems:
        lines += ["", "Not measured:", *(f"  {problem}" for problem in figures.problems)]
    return "\n".join(lines)


def header_lines(host: dict[str, Any]) -> list[str]:
    return [
        "",
        f"cookiecutter-clean-service benchmarks  ({host['when']})",
        f"host: {host['cpus']} CPUs, {host['python']}, load average before/after: "
        f"{host['load_before']} / {host.get('load_after', '?')}",
        "timed commands run with bytecode caches (PYTHONDONTWRITEBYTECODE is not passed on)",
    ]


def seconds(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.3f} s"


def verdict(met: bool) -> str:
    return "ok" if met else "MISSED"


def timing_lines(timings: Sequence[Timing]) -> list[str]:
    if not timings:
        return []
    lines = ["", f"{'Whole process':46} {'median':>9} {'min':>9} {'max':>9} {'runs':>5}  target"]
    for timing in timings:
        runs = timing.runs or [math.nan]
        target = ""
        if timing.target is not None and timing.runs:
            target = f"<= {timing.target:.2f} s {verdict(timing.median <= timing.target)}"
        note = f"  [{timing.note}]" if timing.note else ""
        lines.append(
            f"{timing.label:46} {seconds(timing.median):>9} {seconds(min(runs)):>9} "
            f"{seconds(max(runs)):>9} {len(timing.runs):>5}  {target}{note}"
        )
    return lines


def failed_requests(rounds: Sequence[dict[str, Any]]) -> int:
    """Responses other than 2xx, and connection errors, over all rounds."""
    statuses: int = sum(
        count
        for result in rounds
        for status, count in result["statuses"].items()
        if not status.startswith("2")
    )
    errors: int = sum(sum(result["errors"].values()) for result in rounds)
    return statuses + errors


def load_lines(load: dict[str, LoadResults], plan: LoadPlan) -> list[str]:
    tool = "wrk" if plan.tool == "wrk" else "loadgen.py (asyncio)"
    lines = [
        "",
        f"Load: {plan.connections} connections, keep-alive, {plan.duration_seconds:g} s "
        f"(max {plan.max_requests} requests) after {plan.warmup_seconds:g} s warm-up, "
        f"median of {plan.rounds} round(s); {tool}; uvicorn, 1 worker, no access log",
        f"{'database':11}{'endpoint':21}{'app':15}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'requests':>10}{'server CPU/req':>16}  errors",
    ]
    for database, results in load.items():
        for endpoint, by_app in results.rounds.items():
            for app, rounds in by_app.items():
                if not rounds:
                    continue
                lines.append(
                    f"{database:11}{endpoint:21}{app:15}"
                    f"{median([r['rps'] for r in rounds]):8.0f}"
                    f"{median([r['p50_ms'] for r in rounds]):9.1f}"
                    f"{median([r['p99_ms'] for r in rounds]):9.1f}"
                    f"{sum(r['requests'] for r in rounds):10d}"
                    f"{median([r['server_cpu_us'] for r in rounds]):13.0f} us"
                    f"  {failed_requests(rounds) or ''}"
                )
        for app, why in results.failed.items():
            lines.append(f"{database:11}{'(not measured)':21}{app:15}{why}")
    return lines


def paired_ratios(
    ours: Sequence[dict[str, Any]], reference: Sequence[dict[str, Any]], key: str = "rps"
) -> tuple[float, float, float]:
    """Median, lowest and highest of ours/reference over the rounds, round by round.

    The apps of one round run back to back, so a round's ratio compares them under the
    same load on the host; the median of those ratios is steadier on a shared machine
    than the ratio of two medians taken from different moments.
    """
    ratios = [mine[key] / theirs[key] for mine, theirs in zip(ours, reference, strict=True)]
    return median(ratios), min(ratios), max(ratios)


def ratio_lines(load: dict[str, LoadResults]) -> list[str]:
    lines = [
        ratio_line(database, endpoint, reference, by_app["ours"], theirs)
        for database, results in load.items()
        for endpoint, by_app in results.rounds.items()
        if by_app.get("ours")
        for reference, theirs in by_app.items()
        if reference != "ours" and theirs
    ]
    if not lines:
        return []
    return [
        "",
        "Ratios ours/reference: req/s (median over the rounds of each round's ratio, then the"
        " rounds' lowest-highest) and server CPU per request",
        f"{'database':11}{'endpoint':21}{'ratio':10}{'req/s':>7}  {'range':11}{'target':15}"
        f"{'CPU/req':>8}",
        *lines,
    ]


def ratio_line(
    database: str,
    endpoint: str,
    reference: str,
    ours: Sequence[dict[str, Any]],
    theirs: Sequence[dict[str, Any]],
) -> str:
    """ours/reference: req/s with the rounds' range and the target, then CPU per request."""
    ratio, low, high = paired_ratios(ours, theirs)
    cpu, _, _ = paired_ratios(ours, theirs, key="server_cpu_us")
    target = RATIO_TARGETS.get((database, reference))
    wanted = f">= {target:.1f} {verdict(ratio >= target)}" if target else "(none)"
    name = f"ours/{reference.split()[0]}"
    return (
        f"{database:11}{endpoint:21}{name:10}{ratio:7.2f}  "
        f"{f'{low:.2f}-{high:.2f}':11}{wanted:15}{cpu:8.2f}"
    )


def statement_lines(counts: dict[str, Any]) -> list[str]:
    if not counts:
        return []
    lines = [
        "",
        "SQL statements per request: cursor executions seen by a before_cursor_execute "
        "listener, in process",
        "  (PostgreSQL: [n] = statements the server logged, the driver's BEGIN and ROLLBACK "
        "included)",
    ]

    def shown(entry: dict[str, Any]) -> str:
        server = f" [{entry['server']}]" if "server" in entry else ""
        return f"{entry['count']}{server}"

    for database, result in counts.items():
        for size, by_app in result["list_transfers"].items():
            label = f"GET /accounts/{{id}}/transfers?limit=100, {size} transfers"
            per_app = "  ".join(
                f"{app} {shown(entry)} ({entry['lines']} lines)" for app, entry in by_app.items()
            )
            lines.append(f"  {database:11} {label:54} {per_app}")
        for key, label in (
            ("get_account", "GET /accounts/{id}"),
            ("post_transfer", "POST /transfers"),
        ):
            per_app = "  ".join(f"{app} {shown(entry)}" for app, entry in result[key].items())
            lines.append(f"  {database:11} {label:54} {per_app}")
    return lines


def authentication_lines(cost: dict[str, Any]) -> list[str]:
    if not cost:
        return []
    lines = [
        "",
        "Authentication per request, CPU time in process (auth_timing.py): the bearer scheme "
        "and the app's auth dependency",
        "  called alone; and GET /accounts/{id} on SQLite (httpx ASGI transport, one at a "
        "time), the token verified",
        "  vs the dependency overridden by a fixed caller: medians of block pairs, then their "
        "quartiles (noisy)",
        f"  {'app':15}{'dependency':>12}{'GET with':>12}{'overridden':>12}{'difference':>12}"
        f"  {'quartiles':>13}",
    ]
    for app, entry in cost["apps"].items():
        quartiles = f"{entry['cost_low_us']:.0f} to {entry['cost_high_us']:.0f}"
        lines.append(
            f"  {app:15}{entry['dependency_us']:9.0f} us{entry['with_us']:9.0f} us"
            f"{entry['without_us']:9.0f} us{entry['cost_us']:9.0f} us  {quartiles:>13}"
        )
    lines.append(
        f"  jwt.decode alone, with the checks every app makes: {cost['jwt_decode_us']:.0f} us"
    )
    return lines
