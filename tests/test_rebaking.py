"""A project's recorded answers bake the same project again (CI re-bakes, cruft updates)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_cookies.plugin import Cookies

from tests.support.baking import bake, recorded_answers, replay, write_user_config
from tests.support.files import snapshot
from tests.support.options import LEAST_FEATURES, MOST_FEATURES

CASES = {"defaults": {}, "most-features": MOST_FEATURES, "least-features": LEAST_FEATURES}


@dataclass(frozen=True)
class Original:
    project: Path
    user_config: Path
    """The cookiecutter config whose replay folder holds this bake's replay file."""

    @property
    def replay_file(self) -> Path:
        [replay_file] = (self.user_config.parent / "replay").glob("*.json")
        return replay_file


@pytest.fixture(scope="module", params=list(CASES.values()), ids=list(CASES))
def original(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Original:
    """One bake per answer set, shared by the three ways of baking it again."""
    folder = tmp_path_factory.mktemp("original")
    config = write_user_config(folder / "user")
    return Original(bake(folder / "out", config, request.param), config)


PER_BAKE = {".env"}
"""Different in every bake by design: the random development signing key (git-ignored)."""


def differences(first: Path, second: Path) -> list[str]:
    """Files missing from, added to or changed in the second bake."""
    before, after = snapshot(first), snapshot(second)
    found = [f"{name}: missing" for name in sorted(PER_BAKE - after.keys())]
    for name in PER_BAKE:
        before.pop(name, None)
        after.pop(name, None)
    for name in sorted(before.keys() | after.keys()):
        if name not in after:
            found.append(f"{name}: missing")
        elif name not in before:
            found.append(f"{name}: added")
        elif before[name] != after[name]:
            found.append(f"{name}: changed")
    return found


def test_rebaking_with_the_recorded_answers_reproduces_the_same_files(
    cookies: Cookies, original: Original
) -> None:
    again = cookies.bake(extra_context=recorded_answers(original.project))

    assert again.exception is None, repr(again.exception)
    assert differences(original.project, again.project_path) == []


def test_replaying_a_bake_reproduces_the_same_files(tmp_path: Path, original: Original) -> None:
    again = replay(tmp_path / "again", original.user_config)

    assert differences(original.project, again) == []


def test_replaying_from_a_replay_file_reproduces_the_same_files(
    tmp_path: Path, user_config: Path, original: Original
) -> None:
    answers = tmp_path / "answers.json"
    answers.write_bytes(original.replay_file.read_bytes())

    again = replay(tmp_path / "again", user_config, replay_file=answers)

    assert differences(original.project, again) == []
