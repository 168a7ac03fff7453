"""Request and response bodies of /{{ cookiecutter.url }}: part of the public contract of the API,
kept apart from the domain class so each can change without the other."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from {{ cookiecutter.package_name }}.adapters.http.cursor import CURSOR_PATTERN, encode_position
from {{ cookiecutter.package_name }}.adapters.http.schemas import Body
from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }} import MAX_REFERENCE_LENGTH, {{ cookiecutter.class_name }}
from {{ cookiecutter.package_name }}.usecases.list_{{ cookiecutter.plural }} import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, {{ cookiecutter.class_name }}Page

PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
"""No control characters: PostgreSQL refuses to store NUL, and no reference needs one."""
Reference = Annotated[str, Field(min_length=1, max_length=MAX_REFERENCE_LENGTH, pattern=PRINTABLE)]


class Create{{ cookiecutter.class_name }}Body(Body):
    reference: Reference


class {{ cookiecutter.class_name }}Out(Body):
    id: uuid.UUID
    reference: str
    created_at: datetime

    @classmethod
    def of(cls, {{ cookiecutter.name }}: {{ cookiecutter.class_name }}) -> {{ cookiecutter.class_name }}Out:
        return cls(id={{ cookiecutter.name }}.id, reference={{ cookiecutter.name }}.reference, created_at={{ cookiecutter.name }}.created_at)


class {{ cookiecutter.class_name }}PageQuery(Body):
    """The query of the listing; a parameter it does not name is refused (422)."""

    limit: int = Field(
        default=DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description="the most items to return; fewer only on the last page",
    )
    cursor: str | None = Field(
        default=None,
        pattern=CURSOR_PATTERN,
        description="the next_cursor of the page before, as it came; none for the first page",
    )


class {{ cookiecutter.class_name }}PageOut(Body):
    items: list[{{ cookiecutter.class_name }}Out]
    next_cursor: str | None = Field(
        description="send it back as cursor for the next page; null: this page is the last"
    )

    @classmethod
    def of(cls, page: {{ cookiecutter.class_name }}Page) -> {{ cookiecutter.class_name }}PageOut:
        items = [{{ cookiecutter.class_name }}Out.of({{ cookiecutter.name }}) for {{ cookiecutter.name }} in page.{{ cookiecutter.plural }}]
        after = page.continues_after
        cursor = None if after is None else encode_position(after.created_at, after.id)
        return cls(items=items, next_cursor=cursor)
