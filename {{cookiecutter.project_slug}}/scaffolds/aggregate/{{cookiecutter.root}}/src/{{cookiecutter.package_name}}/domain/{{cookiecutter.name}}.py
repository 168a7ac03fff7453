"""{{ cookiecutter.class_name }}: one aggregate, owned by the subject that created it.

Scaffolded by ``make aggregate``: give it its own fields (``reference`` is an example)
and its business rules, as methods that raise a ``DomainError`` when a rule is broken.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import NewType

from {{ cookiecutter.package_name }}.domain.errors import DomainError

{{ cookiecutter.class_name }}Id = NewType("{{ cookiecutter.class_name }}Id", uuid.UUID)
MAX_REFERENCE_LENGTH = 200


def new_{{ cookiecutter.name }}_id() -> {{ cookiecutter.class_name }}Id:
    return {{ cookiecutter.class_name }}Id(uuid.uuid4())


class {{ cookiecutter.class_name }}NotFound(DomainError):
    """No such {{ cookiecutter.title }}, or not the principal's: both read the same, so an id
    learnt by chance discloses nothing."""

    code = "{{ cookiecutter.name }}_not_found"


@dataclass(frozen=True, slots=True)
class {{ cookiecutter.class_name }}:
    id: {{ cookiecutter.class_name }}Id
    owner: str
    """The subject of the principal that created it (see ``domain/principal.py``)."""
    reference: str
    """The example field: replace it with the {{ cookiecutter.title }}'s own."""
    created_at: datetime

    @classmethod
    def create(cls, owner: str, reference: str, *, at: datetime) -> {{ cookiecutter.class_name }}:
        return cls(new_{{ cookiecutter.name }}_id(), owner, reference, at)
