"""The command line of ``run.py``: which parts run, how many times, for how long, on what."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

APP_LETTERS = {"ours": "ours", "a": "(a) sync", "b": "(b) async", "c": "(c) aiosqlite"}
DATABASES = ("sqlite", "postgresql")
PARTS = ("bake", "tests", "load", "sql", "auth")
DEFAULTS = {
    "bake_runs": (5, 3),
    "unit_runs": (5, 3),
    "contract_runs": (3, 1),
    "rounds": (5, 1),
    "duration": (3.0, 2.0),
    "warmup": (1.0, 0.5),
}
"""Per option, (normal, --quick). Five load rounds: a single round on a shared host moves
a ratio visibly (README, figures), and the median of five paired rounds settles it."""


def parser(description: str) -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = options.add_argument
    add("--quick", action="store_true", help="fewer runs, shorter load runs (about a third)")
    add("--bake-runs", type=int, help="first bakes timed (default 5; quick 3)")
    add("--unit-runs", type=int, help="unit-tier runs (default 5; quick 3)")
    add("--contract-runs", type=int, help="contract-tier runs (default 3; quick 1)")
    add("--rounds", type=int, help="load rounds per app (default 5; quick 1)")
    add("--duration", type=float, help="seconds measured per load run (default 3; quick 2)")
    add("--warmup", type=float, help="warm-up seconds before each load run (default 1; quick 0.5)")
    add("--max-requests", type=int, default=50_000, help="requests per load run at most")
    add("--connections", type=int, default=32, help="keep-alive connections (default 32)")
    add("--databases", default=",".join(DATABASES), help="comma-separated: sqlite, postgresql")
    add("--skip", default="", help=f"comma-separated parts to skip: {', '.join(PARTS)}")
    add(
        "--load-tool",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="wrk when installed (auto), else the bundled loadgen.py",
    )
    add(
        "--apps",
        default=",".join(APP_LETTERS),
        help="comma-separated apps to load: ours, a (flat sync), b (flat async, PostgreSQL), "
        "c (flat async on aiosqlite, SQLite)",
    )
    add(
        "--project",
        type=Path,
        help="measure this baked and synced project instead of baking one "
        "(to try a change to the generated code)",
    )
    add("--json", type=Path, help="also write every raw figure to this file")
    add("--keep", action="store_true", help="keep the temporary folder")
    return options


def parse_args(argv: Sequence[str] | None, description: str) -> argparse.Namespace:
    options = parser(description)
    args = options.parse_args(argv)
    for name, (normal, quick) in DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else normal)
    args.databases = comma_separated(options, args.databases, DATABASES, "database")
    args.skip = set(comma_separated(options, args.skip, PARTS, "part"))
    letters = comma_separated(options, args.apps, tuple(APP_LETTERS), "app")
    args.apps = tuple(APP_LETTERS[letter] for letter in letters)
    return args


def comma_separated(
    options: argparse.ArgumentParser, value: str, allowed: Sequence[str], kind: str
) -> list[str]:
    """The items of ``value``; an unknown one stops with argparse's usage message."""
    items = [item for item in value.split(",") if item]
    unknown = sorted(set(items) - set(allowed))
    if unknown:
        options.error(f"unknown {kind} {', '.join(unknown)} (choose from {', '.join(allowed)})")
    return items
