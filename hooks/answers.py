"""The template's Jinja extension that checks the answers before any file or folder exists.

Checked twice, in process, with the rules of ``rules.py``:

1. While the answers are collected: the last (private) variable of ``cookiecutter.json``
   applies the ``validate_answers`` filter to them, before cookiecutter saves its replay
   file or creates anything.
2. When the project is generated, ``--replay`` included (replayed answers skip step 1):
   the first thing cookiecutter renders then is the template folder's own name, and only
   afterwards does it create that folder. ``preprocess`` puts the same check in front of
   that name, so a bad replayed slug such as ``a/b`` is refused before ``a/`` exists.

No pre-generation hook: a hook runs in a fresh interpreter (about 30 ms of every bake)
and only after cookiecutter has created the output folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

from hooks.rules import find_problems, report

TEMPLATE_FOLDER = "{{cookiecutter.project_slug}}"
"""The name of the folder holding the generated project, as cookiecutter renders it."""
CHECK = "{% set _ = cookiecutter | validate_answers %}"
"""The check, as a Jinja statement that writes nothing."""


def validate_answers(answers: Mapping[str, Any]) -> str:
    """Jinja filter: raise (cookiecutter prints the message, exits 1) on any bad answer."""
    if "project_name" not in answers:
        # Prompting for what a replay file left out: the whole set is checked at step 2.
        return "deferred"
    problems = find_problems(answers)
    if problems:
        raise FailedHookException(report(problems))
    return "checked"


class ValidateAnswers(Extension):
    """Registers ``validate_answers`` for ``cookiecutter.json``, puts it in front of the
    template folder's name, and gives ``post_gen_project.py`` the ``hooks_dir``."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters["validate_answers"] = validate_answers
        environment.globals["hooks_dir"] = str(Path(__file__).resolve().parent)

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name is None and source == TEMPLATE_FOLDER:
            return CHECK + source
        return source
