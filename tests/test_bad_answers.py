"""Bad answers are refused before anything is written, each saying what to type instead."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from cookiecutter.exceptions import CookiecutterException

from tests.support.baking import bake, replay
from tests.support.options import full_answers, template_context


@dataclass(frozen=True)
class Bad:
    answers: dict[str, str]
    problem: str
    """How the message names the bad answer."""
    instead: str
    """What the message tells the user to type."""
    cookiecutter_says: str | None = None
    """When cookiecutter refuses the answer itself, before the template's checks run."""


BAD_ANSWERS = {
    "package is a keyword": Bad({"package_name": "class"}, "'class'", "type 'class_service'"),
    "package shadows the stdlib": Bad({"package_name": "json"}, "'json'", "type 'json_service'"),
    "package starts with a digit": Bad({"package_name": "1ledger"}, "'1ledger'", "type 'ledger'"),
    "package has a hyphen": Bad(
        {"package_name": "ledger-core"}, "'ledger-core'", "type 'ledger_core'"
    ),
    "package longer than 32": Bad(
        {"package_name": "a" * 33}, "longer than 32", f"such as '{'a' * 32}'"
    ),
    "slug with a slash": Bad({"project_slug": "a/b"}, "project_slug 'a/b'", "type 'a-b'"),
    "slug climbing out with ..": Bad({"project_slug": "../escape"}, "'../escape'", "type 'escape'"),
    "slug is ..": Bad({"project_slug": ".."}, "project_slug '..'", "type 'payments-service'"),
    "empty project name": Bad({"project_name": ""}, "project_name is empty", "type a name"),
    "blank project name": Bad({"project_name": "   "}, "project_name is empty", "type a name"),
    "unsupported python": Bad({"python_version": "3.9"}, "'3.9'", "type one of 3.11, 3.12, 3.13"),
    "malformed email": Bad({"author_email": "you-at-x"}, "'you-at-x'", "type one like"),
    "unknown database": Bad(
        {"database": "mysql"},
        "database 'mysql'",
        "type one of sqlite, postgresql",
        cookiecutter_says="the choices are ['sqlite', 'postgresql']",
    ),
    "unknown license": Bad(
        {"license": "GPL-3.0"},
        "license 'GPL-3.0'",
        "type one of MIT, Apache-2.0, BSD-3-Clause, Proprietary",
        cookiecutter_says="the choices are ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'Proprietary']",
    ),
}

REFUSED = (CookiecutterException, ValueError)
"""How cookiecutter's API refuses: a failed hook, an existing folder, a choice not offered."""

pytestmark = pytest.mark.parametrize("bad", list(BAD_ANSWERS.values()), ids=list(BAD_ANSWERS))


def left_behind(work: Path) -> list[str]:
    """Whatever a failed bake wrote into ``work/out``, or beside it (``../escape``)."""
    return sorted(
        path.relative_to(work).as_posix() for path in work.rglob("*") if path.name != "out"
    )


def test_is_refused_with_what_to_type_instead(tmp_path: Path, user_config: Path, bad: Bad) -> None:
    with pytest.raises(REFUSED) as refused:
        bake(tmp_path / "work" / "out", user_config, bad.answers)

    message = str(refused.value)
    if bad.cookiecutter_says:
        assert bad.cookiecutter_says in message
    else:
        assert bad.problem in message
        assert bad.instead in message
        assert "Nothing was written" in message


def test_leaves_nothing_in_the_output_folder(tmp_path: Path, user_config: Path, bad: Bad) -> None:
    with pytest.raises(REFUSED):
        bake(tmp_path / "work" / "out", user_config, bad.answers)

    assert left_behind(tmp_path / "work") == []


def write_replay_file(folder: Path, bad: Bad) -> Path:
    """A replay file as cookiecutter writes one, holding the bad answers."""
    context = {
        **full_answers(bad.answers),
        "_extensions": template_context()["_extensions"],
        "__answers": "checked",
    }
    replay_file = folder / "bad-answers.json"
    replay_file.write_text(json.dumps({"cookiecutter": context}), encoding="utf-8")
    return replay_file


def test_is_refused_with_what_to_type_instead_when_replayed(
    tmp_path: Path, user_config: Path, bad: Bad
) -> None:
    """``--replay`` skips the checks made while prompting; they run again before the
    project folder is created."""
    replay_file = write_replay_file(tmp_path, bad)

    with pytest.raises(REFUSED) as refused:
        replay(tmp_path / "work" / "out", user_config, replay_file=replay_file)

    message = str(refused.value)
    assert bad.problem in message
    assert bad.instead in message
    assert "Nothing was written" in message


def test_leaves_nothing_in_the_output_folder_when_replayed(
    tmp_path: Path, user_config: Path, bad: Bad
) -> None:
    replay_file = write_replay_file(tmp_path, bad)

    with pytest.raises(REFUSED):
        replay(tmp_path / "work" / "out", user_config, replay_file=replay_file)

    assert left_behind(tmp_path / "work") == []
