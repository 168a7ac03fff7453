"""The template's Jinja extension: checks the answers before any file or folder exists.

Cookiecutter creates the output folder *before* it runs ``pre_gen_project.py``, and a slug
such as ``a/b`` would leave ``a/`` behind even after the hook fails. So the last (private)
variable of ``cookiecutter.json`` applies the ``validate_answers`` filter while the answers
are collected, before any path exists. The rules themselves are in ``rules.py``, which the
pre-generation hook runs again for ``--replay`` (replayed answers skip the prompts).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

from hooks.rules import find_problems, report


def validate_answers(answers: Mapping[str, Any]) -> str:
    """Jinja filter: raise (cookiecutter prints the message, exits 1) on any bad answer."""
    if "project_name" not in answers:
        # A replay file without the public answers: the pre-generation hook checks them.
        return "deferred"
    problems = find_problems(answers)
    if problems:
        raise FailedHookException(report(problems))
    return "checked"


class ValidateAnswers(Extension):
    """Registers ``validate_answers`` so ``cookiecutter.json`` can check answers early, and
    ``hooks_dir`` so ``pre_gen_project.py`` (run from a temp file) can import ``rules.py``."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters["validate_answers"] = validate_answers
        environment.globals["hooks_dir"] = str(Path(__file__).resolve().parent)
