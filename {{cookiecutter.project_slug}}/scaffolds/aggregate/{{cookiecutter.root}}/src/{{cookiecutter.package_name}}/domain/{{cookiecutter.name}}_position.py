"""Where a listing of {{ cookiecutter.plural }} stands: a place in their newest-first order.

``(created_at, id)`` orders them all, the newer first and, at the same instant, the higher
id first; a page starts right after the last {{ cookiecutter.title }} of the page before, so
{{ cookiecutter.plural }} created meanwhile never shift a later page (as ``transfer_position.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }} import {{ cookiecutter.class_name }}, {{ cookiecutter.class_name }}Id


@dataclass(frozen=True, slots=True, order=True)
class {{ cookiecutter.class_name }}Position:
    """Compares as the order does: a newer {{ cookiecutter.title }}'s position is the greater."""

    created_at: datetime
    id: {{ cookiecutter.class_name }}Id

    @classmethod
    def of(cls, {{ cookiecutter.name }}: {{ cookiecutter.class_name }}) -> {{ cookiecutter.class_name }}Position:
        return cls({{ cookiecutter.name }}.created_at, {{ cookiecutter.name }}.id)
