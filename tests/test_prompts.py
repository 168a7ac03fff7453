"""What a user reads: every question and choice in words, and a closing banner that fits.

Users asked for prompts that say what an answer means rather than show the key it is
stored under, for a Python version picked from a list rather than typed, and for next
steps that hold for the options they chose: a PostgreSQL project that is told to migrate
SQLite, or a project without Docker that is told to run ``make up``, sends its user off
on a wrong first step. The banner is checked for every combination of the options that
change it, each baked once through cookiecutter, the hook's own output captured.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.baking import bake, write_user_config
from tests.support.options import CHOICES, DEFAULTS, ROOT, offered_options, template_context

BANNER_OPTIONS = ("database", "docker", "ci", "observability")
"""The options the closing banner depends on."""
COMBINATIONS = [
    dict(zip(BANNER_OPTIONS, values, strict=True))
    for values in itertools.product(*(CHOICES[option] for option in BANNER_OPTIONS))
]
IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b")
"""A key name such as ``author_email``, which a human-readable prompt does not show."""
WORKFLOW_FILES = {"github": ".github/workflows/ci.yml", "gitlab": ".gitlab-ci.yml"}


def cookiecutter_script() -> list[str]:
    """The ``cookiecutter`` command installed beside this Python."""
    script = Path(sys.executable).with_name("cookiecutter")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cookiecutter"]


def prompts() -> dict[str, Any]:
    return dict(template_context()["__prompts__"])


def question(prompt: str | dict[str, str]) -> str:
    return prompt if isinstance(prompt, str) else prompt.get("__prompt__", "")


def labels(prompt: str | dict[str, str]) -> dict[str, str]:
    if isinstance(prompt, str):
        return {}
    return {value: label for value, label in prompt.items() if value != "__prompt__"}


def choices_offered() -> dict[str, list[str]]:
    return {key: value for key, value in offered_options().items() if isinstance(value, list)}


def test_every_question_asked_has_a_prompt_in_words() -> None:
    """Cookiecutter asks every key not starting with ``_``; without a prompt it shows the key."""
    asked = offered_options()
    given = prompts()

    assert sorted(given) == sorted(asked), "a prompt for each question, none for another"
    for key, prompt in given.items():
        text = question(prompt)
        assert text, f"{key}: no question"
        assert text != key, key
        assert text[0].isupper(), f"{key}: {text!r}"
        assert not IDENTIFIER.search(text), f"{key} shows a key name: {text!r}"


def test_every_choice_has_a_label_in_words() -> None:
    given = prompts()

    for key, values in choices_offered().items():
        assert isinstance(given[key], dict), f"{key}: choices without labels"
        shown = labels(given[key])
        assert sorted(shown) == sorted(values), f"{key}: a label for each choice, no other"
        for value, label in shown.items():
            assert label, f"{key}={value}: empty label"
            assert label != value, f"{key}={value}: the label is the value itself"


def test_python_version_is_a_choice_of_the_supported_versions() -> None:
    offered = offered_options()["python_version"]

    assert offered == list(CHOICES["python_version"])
    assert offered[0] == DEFAULTS["python_version"], "the first choice is the default"


def test_the_prompt_shows_the_questions_and_labels_and_stores_the_values(
    tmp_path: Path,
) -> None:
    """An interactive run, answers piped in: Enter for each default, but Python 3.12 and
    PostgreSQL picked by number. What is stored is the value, never the label."""
    config = write_user_config(tmp_path / "config")
    keys = list(offered_options())
    picks = {"python_version": "2", "database": "2"}
    typed = "".join(f"{picks.get(key, '')}\n" for key in keys)

    completed = subprocess.run(
        [
            *cookiecutter_script(),
            str(ROOT),
            "-o",
            str(tmp_path / "out"),
            "--config-file",
            str(config),
        ],
        input=typed,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "200"},  # no line wrapped inside a prompt
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    for key, prompt in prompts().items():
        assert question(prompt) in output, key
        for label in labels(prompt).values():
            assert label in output, f"{key}: {label!r}"
    recorded = json.loads(
        (tmp_path / "out" / "payments-service" / ".cookiecutter.json").read_text(encoding="utf-8")
    )
    assert recorded["python_version"] == "3.12"
    assert recorded["database"] == "postgresql"


# The closing banner, for every combination of the options it depends on.


@dataclass(frozen=True)
class Baked:
    project: Path
    banner: str

    def steps(self) -> list[str]:
        """The command block: the lines indented four spaces, in order."""
        return [line[4:] for line in self.banner.splitlines() if line.startswith("    ")]

    def commands(self) -> list[str]:
        """The commands of the block, without their comments."""
        return [step.split("   #", 1)[0].strip() for step in self.steps()]


@contextmanager
def printed_to_stdout() -> Iterator[Callable[[], str]]:
    """Capture what is written to file descriptor 1, by child processes too (the hook)."""
    sys.stdout.flush()
    with tempfile.TemporaryFile() as captured:
        saved = os.dup(1)
        os.dup2(captured.fileno(), 1)
        try:
            yield lambda: (captured.seek(0), captured.read().decode())[1]
        finally:
            os.dup2(saved, 1)
            os.close(saved)


@pytest.fixture(scope="module")
def baked_banner(tmp_path_factory: pytest.TempPathFactory) -> Callable[[dict[str, str]], Baked]:
    """Bake each combination once through cookiecutter's API; keep what the hook printed."""
    folder = tmp_path_factory.mktemp("banners")
    config = write_user_config(folder / "config")
    found: dict[tuple[tuple[str, str], ...], Baked] = {}

    def baked(answers: dict[str, str]) -> Baked:
        key = tuple(sorted(answers.items()))
        if key not in found:
            with printed_to_stdout() as output:
                project = bake(folder / f"out{len(found)}", config, answers)
                found[key] = Baked(project, output())
        return found[key]

    return baked


def combinations(**fixed: str) -> pytest.MarkDecorator:
    """Run the test once for each combination with these answers (every one, by default)."""
    chosen = [answers for answers in COMBINATIONS if fixed.items() <= answers.items()]
    return pytest.mark.parametrize(
        "combination", chosen, ids=["-".join(answers.values()) for answers in chosen]
    )


@pytest.fixture
def baked(baked_banner: Callable[[dict[str, str]], Baked], combination: dict[str, str]) -> Baked:
    return baked_banner(combination)


@combinations()
def test_the_banner_gives_the_steps_every_project_takes_in_order(baked: Baked) -> None:
    commands = baked.commands()

    assert commands[0] == "cd payments-service"
    # make install runs pre-commit install, which needs a git repository
    assert commands.index("git init") < commands.index("make install")
    assert commands.index("make install") < commands.index("make check")
    assert commands[-1].startswith("uv run payments-service token --subject alice")
    assert "`make` lists every target" in baked.banner


@combinations(database="sqlite")
def test_a_sqlite_project_is_served_by_make_run_and_asks_for_no_postgresql(baked: Baked) -> None:
    assert any(step.startswith("make run ") and "SQLite" in step for step in baked.steps()), (
        baked.banner
    )
    for postgresql_only in ("PostgreSQL", "DATABASE_URL", "POSTGRES_PASSWORD"):
        assert postgresql_only not in baked.banner


@combinations(database="postgresql")
def test_a_postgresql_project_never_mentions_sqlite(baked: Baked) -> None:
    assert "sqlite" not in baked.banner.lower()


@combinations(database="postgresql")
def test_a_postgresql_project_says_what_to_set_before_it_runs(
    baked: Baked, combination: dict[str, str]
) -> None:
    """Compose's database needs its passwords; without Docker, the service needs the URL of
    a PostgreSQL of the user's own."""
    steps = baked.steps()
    commands = baked.commands()

    if combination["docker"] == "yes":
        run = commands.index("make up")
        needed = ("POSTGRES_PASSWORD", "SERVICE_DB_PASSWORD")
        assert "DATABASE_URL" in baked.banner, "the way without Docker is named too"
    else:
        run = commands.index("make run")
        needed = ("DATABASE_URL",)
    first = [step for step in steps[:run] if step.startswith("#")]
    for variable in needed:
        assert any(variable in step and ".env" in step for step in first), baked.banner


@combinations()
def test_docker_is_only_mentioned_to_projects_that_have_it(
    baked: Baked, combination: dict[str, str]
) -> None:
    mentions = "make up" in baked.banner or "docker" in baked.banner.lower()

    assert mentions == (combination["docker"] == "yes"), baked.banner


@combinations()
def test_the_ci_service_chosen_is_named_and_no_other(
    baked: Baked, combination: dict[str, str]
) -> None:
    named = {ci for ci, path in WORKFLOW_FILES.items() if path in baked.banner}

    assert named == ({combination["ci"]} - {"none"})


@combinations()
def test_metrics_and_traces_are_mentioned_with_observability_only(
    baked: Baked, combination: dict[str, str]
) -> None:
    mentioned = "/metrics" in baked.banner or "OTEL_" in baked.banner

    assert mentioned == (combination["observability"] == "opentelemetry")


@combinations()
def test_the_comments_of_the_steps_start_in_one_column(baked: Baked) -> None:
    columns = {step.index("   # ") for step in baked.steps() if "   # " in step}

    assert len(columns) == 1, baked.banner


@combinations()
def test_every_file_the_banner_names_is_in_the_project(baked: Baked) -> None:
    named = set(re.findall(r"(?<![\w/])\.?[\w-]+(?:/[\w.-]+)*\.(?:example|md|yml)\b", baked.banner))

    assert named, baked.banner
    assert [name for name in sorted(named) if not (baked.project / name).is_file()] == []


@combinations()
def test_every_variable_the_banner_names_is_one_the_project_reads(baked: Baked) -> None:
    readers = [".env.example", "compose.yaml", "README.md"]
    text = "\n".join(
        (baked.project / name).read_text(encoding="utf-8")
        for name in readers
        if (baked.project / name).is_file()
    )

    for variable in re.findall(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b", baked.banner):
        assert variable in text, variable


@combinations()
def test_every_make_target_the_banner_names_is_in_the_makefile(baked: Baked) -> None:
    makefile = (baked.project / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w-]+):", makefile, flags=re.MULTILINE))

    named = set(re.findall(r"\bmake ([a-z][\w-]*)", baked.banner))

    assert named - targets == set()
