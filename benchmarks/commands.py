"""How the benchmark runs what it times: the environment passed on, the clock, progress.

Every figure is a whole process (interpreter start to exit) timed from outside, because
that is what a user waits for: import time and start-up count as much as the work.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

CLEARED_VARIABLES = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
"""Not passed on: this repository's virtualenv, and a setting that would make every
process compile every module from source (no ``__pycache__``), which users do not see."""


def log(message: str) -> None:
    """Progress goes to stderr, so stdout holds the table alone."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def last_line(error: BaseException) -> str:
    """What the report says of a failure: its message's last line (the rest is logged)."""
    lines = str(error).strip().splitlines() or [type(error).__name__]
    return lines[-1][:200]


def child_env(**extra: str) -> dict[str, str]:
    """The environment for the commands we time and the servers we start."""
    env = {name: value for name, value in os.environ.items() if name not in CLEARED_VARIABLES}
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env.update(extra)
    return env


class CommandError(RuntimeError):
    """A command the benchmark needs (not one it times for failures) exited non-zero."""


def run_timed(
    command: Sequence[str | Path],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    check: bool = True,
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``command`` to its end; its wall-clock seconds and its result.

    ``stdin`` is how the helper scripts get their specs: no spec files to clean up, and
    no limit on the length of a command line.
    """
    started = time.perf_counter()
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env if env is not None else child_env(),
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if check and result.returncode != 0:
        raise CommandError(
            f"{' '.join(map(str, command))} exited {result.returncode}\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return elapsed, result


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Timing:
    """One row of the report: whole-process seconds of one command over several runs."""

    label: str
    runs: list[float] = field(default_factory=list)
    target: float | None = None
    failures: int = 0
    note: str = ""

    @property
    def median(self) -> float:
        return median(self.runs)
