"""How long the generated project's test tiers take, whole process, as a developer runs
them (``uv run pytest tests/<tier>``): start-up and collection count, not only the tests.
"""

from __future__ import annotations

from baked_project import BakedProject
from commands import Timing, run_timed

TIER_TARGETS_SECONDS = {"unit": 0.5}
"""Product brief §4: the unit tier under half a second. The contract tier, which starts
PostgreSQL, has no number, only "a few seconds"."""


def tier_times(project: BakedProject, tier: str, runs: int, *, warm_up: bool) -> Timing:
    """``runs`` timed runs of one tier; a failing run is counted and its last line kept.

    ``warm_up`` runs the tier once untimed first, so pytest's rewritten test modules and
    the project's bytecode are cached, as they are on a developer's second run.
    """
    timing = Timing(f"pytest tests/{tier}", target=TIER_TARGETS_SECONDS.get(tier))
    command = ["uv", "run", "--no-sync", "pytest", "-q", f"tests/{tier}"]
    if warm_up:
        run_timed(command, cwd=project.folder, check=False)
    for _ in range(runs):
        seconds, result = run_timed(command, cwd=project.folder, check=False)
        timing.runs.append(seconds)
        if result.returncode != 0:
            timing.failures += 1
            last_line = (result.stdout.strip().splitlines() or ["?"])[-1]
            timing.note = f"exit {result.returncode}: {last_line[:60]}"
    return timing
