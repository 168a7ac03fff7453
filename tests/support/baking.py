"""Baking through cookiecutter's API or its command line, with a private user config (no
writes to ``~``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cookiecutter.main import cookiecutter

from tests.support.options import ROOT


def write_user_config(folder: Path) -> Path:
    """A cookiecutter user config whose replay and clone folders live in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "cookiecutter-config.yaml"
    config.write_text(
        f"cookiecutters_dir: {json.dumps(str(folder / 'cookiecutters'))}\n"
        f"replay_dir: {json.dumps(str(folder / 'replay'))}\n",
        encoding="utf-8",
    )
    return config


def bake(output_dir: Path, config: Path, answers: Mapping[str, str] | None = None) -> Path:
    """Bake the template non-interactively; raises whatever cookiecutter raises."""
    output_dir.mkdir(parents=True, exist_ok=True)
    project = cookiecutter(
        str(ROOT),
        no_input=True,
        extra_context=dict(answers or {}),
        output_dir=str(output_dir),
        config_file=str(config),
    )
    return Path(project)


def replay(output_dir: Path, config: Path, replay_file: Path | None = None) -> Path:
    """Bake again from the answers cookiecutter saved (``--replay`` / ``--replay-file``)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    replay_argument: bool | str = str(replay_file) if replay_file else True
    project = cookiecutter(
        str(ROOT), replay=replay_argument, output_dir=str(output_dir), config_file=str(config)
    )
    return Path(project)


def recorded_answers(project: Path) -> dict[str, Any]:
    """The public answers the project recorded in ``.cookiecutter.json``."""
    recorded = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    return {key: value for key, value in recorded.items() if not key.startswith("_")}


def cookiecutter_command(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the ``cookiecutter`` console script installed beside this Python; ``env`` is
    added to this process's environment."""
    script = Path(sys.executable).with_name("cookiecutter")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cookiecutter"]
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
