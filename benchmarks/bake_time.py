"""How long a user waits for ``cookiecutter --no-input``: whole process, start to exit.

    uv run python benchmarks/bake_time.py [--runs 7] [--first] [key=value ...]

Each run bakes the template into a fresh temporary folder with a throwaway cookiecutter
config (nothing written to ``~``). Prints every run's time, the median and how many files
one bake writes. Answers given as ``key=value`` are passed to cookiecutter as they are.

The template keeps its compiled Jinja files in Jinja's per-user cache folder, under the
temporary folder (``hooks/compiled_templates.py``), so the first bake on a machine
compiles and later ones load. Each run gets its own ``TMPDIR``: by default one shared
by all runs and filled by an untimed bake first (a bake again); with ``--first``, a new
empty one per run (the first bake on a machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cookiecutter_command() -> list[str]:
    found = shutil.which("cookiecutter")
    return [found] if found else [sys.executable, "-m", "cookiecutter"]


def bake_once(answers: list[str], temporary: Path) -> tuple[float, int]:
    """Seconds one ``cookiecutter --no-input`` process took, and the files it wrote."""
    with tempfile.TemporaryDirectory(prefix="bake-time-") as folder:
        work = Path(folder)
        config = work / "config.yaml"
        config.write_text(
            f'cookiecutters_dir: "{work / "cookiecutters"}"\nreplay_dir: "{work / "replay"}"\n',
            encoding="utf-8",
        )
        command = [
            *cookiecutter_command(),
            "--no-input",
            str(ROOT),
            "-o",
            str(work / "out"),
            "--config-file",
            str(config),
            *answers,
        ]
        started = time.perf_counter()
        env = {**os.environ, "TMPDIR": str(temporary)}
        completed = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
        seconds = time.perf_counter() - started
        if completed.returncode != 0:
            sys.exit(f"cookiecutter failed:\n{completed.stdout}{completed.stderr}")
        files = sum(1 for path in (work / "out").rglob("*") if path.is_file())
        return seconds, files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="bakes to time (default 7)")
    parser.add_argument(
        "--first", action="store_true", help="time first bakes: an empty Jinja cache each run"
    )
    parser.add_argument("answers", nargs="*", help="key=value answers, as on cookiecutter's CLI")
    arguments = parser.parse_args()

    times, counts = [], set()
    with tempfile.TemporaryDirectory(prefix="bake-time-tmp-") as folder:
        shared = Path(folder) / "shared"
        shared.mkdir()
        if not arguments.first:
            bake_once(arguments.answers, shared)  # untimed: fills the cache
        for run in range(1, arguments.runs + 1):
            temporary = shared
            if arguments.first:
                temporary = Path(folder) / f"run-{run}"
                temporary.mkdir()
            seconds, files = bake_once(arguments.answers, temporary)
            times.append(seconds)
            counts.add(files)
            print(f"run {run}: {seconds:.3f} s")
    print(f"median: {statistics.median(times):.3f} s over {len(times)} runs")
    print(f"files baked: {', '.join(str(count) for count in sorted(counts))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
