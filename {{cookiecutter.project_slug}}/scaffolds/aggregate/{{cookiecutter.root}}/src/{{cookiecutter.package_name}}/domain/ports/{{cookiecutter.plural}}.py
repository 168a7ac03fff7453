"""Port: where {{ cookiecutter.plural }} are kept.

Implemented by ``adapters/memory/{{ cookiecutter.plural }}.py`` and ``adapters/sql/{{ cookiecutter.plural }}.py``,
whose classes inherit from it (``mypy --strict`` fails the build when one drifts), and held
to one contract by ``tests/contract/test_{{ cookiecutter.name }}_repository.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }} import {{ cookiecutter.class_name }}, {{ cookiecutter.class_name }}Id
from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }}_position import {{ cookiecutter.class_name }}Position


class {{ cookiecutter.class_name }}Repository(Protocol):
    async def add(self, {{ cookiecutter.name }}: {{ cookiecutter.class_name }}) -> None:
        """Store a new {{ cookiecutter.title }}; it is kept only if the unit of work commits."""

    async def get(self, {{ cookiecutter.name }}_id: {{ cookiecutter.class_name }}Id) -> {{ cookiecutter.class_name }}:
        """Return the {{ cookiecutter.title }}; raise ``{{ cookiecutter.class_name }}NotFound`` if there is none."""

    async def list_for_owner(
        self, owner: str, *, limit: int, after: {{ cookiecutter.class_name }}Position | None = None
    ) -> Sequence[{{ cookiecutter.class_name }}]:
        """Up to ``limit`` of the owner's {{ cookiecutter.plural }}, newest first (ties broken by id,
        the higher first), from the first one past ``after`` (from the newest when None).

        What a call costs grows with ``limit``, never with the owner's history: storage
        seeks the position in an index and reads from there.
        """
