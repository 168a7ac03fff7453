"""In-memory implementation of the port in ``domain/ports/{{ cookiecutter.plural }}.py``.

It reads and writes the working copy of its unit of work (``store.py``): nothing reaches
the shared store until that unit of work commits. {{ cookiecutter.class_plural }} are frozen,
so they are stored and handed out as they are.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from {{ cookiecutter.package_name }}.adapters.memory.store import MemoryState
from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }} import {{ cookiecutter.class_name }}, {{ cookiecutter.class_name }}Id, {{ cookiecutter.class_name }}NotFound
from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }}_position import {{ cookiecutter.class_name }}Position
from {{ cookiecutter.package_name }}.domain.ports.{{ cookiecutter.plural }} import {{ cookiecutter.class_name }}Repository


class Memory{{ cookiecutter.class_name }}Repository({{ cookiecutter.class_name }}Repository):
    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def add(self, {{ cookiecutter.name }}: {{ cookiecutter.class_name }}) -> None:
        self._state.{{ cookiecutter.plural }}[{{ cookiecutter.name }}.id] = {{ cookiecutter.name }}

    async def get(self, {{ cookiecutter.name }}_id: {{ cookiecutter.class_name }}Id) -> {{ cookiecutter.class_name }}:
        try:
            return self._state.{{ cookiecutter.plural }}[{{ cookiecutter.name }}_id]
        except KeyError:
            raise {{ cookiecutter.class_name }}NotFound(f"no {{ cookiecutter.title }} {% raw %}{{% endraw %}{{ cookiecutter.name }}_id{% raw %}}{% endraw %}") from None

    async def list_for_owner(
        self, owner: str, *, limit: int, after: {{ cookiecutter.class_name }}Position | None = None
    ) -> Sequence[{{ cookiecutter.class_name }}]:
        owned = (
            {{ cookiecutter.name }}
            for {{ cookiecutter.name }} in self._state.{{ cookiecutter.plural }}.values()
            if {{ cookiecutter.name }}.owner == owner
            and (after is None or {{ cookiecutter.class_name }}Position.of({{ cookiecutter.name }}) < after)
        )
        return heapq.nlargest(limit, owned, key={{ cookiecutter.class_name }}Position.of)
