"""How long a user waits for their first ``cookiecutter --no-input`` on a clean machine.

    uv run python benchmarks/bake_time.py [--runs 7] [key=value ...]

Each run is one whole ``cookiecutter`` process, timed from outside, that starts from
nothing an earlier bake left behind: a fresh copy of the template, as a clone has it
(no ``__pycache__`` beside the hooks), and its own empty ``HOME``, ``XDG_CACHE_HOME``,
``TMPDIR`` and cookiecutter folders, so no Jinja, cookiecutter or replay cache is shared
between runs. What stays warm is what installing the tools leaves behind: cookiecutter's
and Jinja's bytecode (the template's ``uv sync`` compiles it) and the OS's file cache.
Answers given as ``key=value`` are passed to cookiecutter as they are.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from commands import Timing, child_env, run_timed

TEMPLATE = Path(__file__).resolve().parents[1]
FIRST_BAKE_TARGET_SECONDS = 0.7
"""Product brief §4: a first bake of the default under 0.7 s, whole process."""
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", ".*_cache", "uv-cache", "payments-service"
)
"""What a working copy holds and a fresh clone does not: caches and local output (the
names ``.gitignore`` lists, and git's own folder)."""


def cookiecutter_command() -> list[str]:
    """The cookiecutter of the environment running us (the template's dev group)."""
    beside_python = Path(sys.executable).with_name("cookiecutter")
    if beside_python.exists():
        return [str(beside_python)]
    on_path = shutil.which("cookiecutter")
    return [on_path] if on_path else [sys.executable, "-m", "cookiecutter"]


def copy_of_template(into: Path) -> Path:
    """The template as a clone has it, so the working copy's caches do not count."""
    copy = into / "template"
    shutil.copytree(TEMPLATE, copy, ignore=NOT_IN_A_CLONE)
    return copy


def bake(
    template: Path, into: Path, answers: Sequence[str] = (), env: dict[str, str] | None = None
) -> tuple[float, Path]:
    """``cookiecutter --no-input`` of ``template`` into ``into``/out; seconds and the project.

    A throwaway cookiecutter config keeps the replay file and cloned templates in ``into``.
    """
    config = into / "cookiecutter-config.yaml"
    config.write_text(
        f'cookiecutters_dir: "{into / "cookiecutters"}"\nreplay_dir: "{into / "replay"}"\n',
        encoding="utf-8",
    )
    output = into / "out"
    command: list[str | Path] = [*cookiecutter_command(), "--no-input", template, "-o", output]
    command += ["--config-file", config, *answers]
    seconds, _ = run_timed(command, env=env)
    (project,) = output.iterdir()
    return seconds, project


def clean_machine(folder: Path) -> dict[str, str]:
    """An environment whose home, caches and temporary folder are new and empty."""
    home, temporary = folder / "home", folder / "tmp"
    for path in (home, temporary):
        path.mkdir()
    return child_env(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        TMPDIR=str(temporary),
    )


def first_bake_seconds(answers: Sequence[str] = ()) -> float:
    """One first bake on a clean machine, whole process; setting up and cleaning are untimed."""
    with tempfile.TemporaryDirectory(prefix="first-bake-") as folder:
        machine = Path(folder)
        template = copy_of_template(machine)
        seconds, _ = bake(template, machine, answers, env=clean_machine(machine))
        return seconds


def first_bake_times(runs: int, answers: Sequence[str] = ()) -> Timing:
    timing = Timing(
        "cookiecutter --no-input (default), first bake", target=FIRST_BAKE_TARGET_SECONDS
    )
    timing.runs = [first_bake_seconds(answers) for _ in range(runs)]
    return timing


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="bakes to time (default 7)")
    parser.add_argument("answers", nargs="*", help="key=value answers, as on cookiecutter's CLI")
    arguments = parser.parse_args(argv)
    timing = Timing("first bake", target=FIRST_BAKE_TARGET_SECONDS)
    for run in range(1, arguments.runs + 1):
        timing.runs.append(first_bake_seconds(arguments.answers))
        print(f"run {run}: {timing.runs[-1]:.3f} s")
    print(
        f"median: {timing.median:.3f} s over {len(timing.runs)} runs (target <= {timing.target} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
