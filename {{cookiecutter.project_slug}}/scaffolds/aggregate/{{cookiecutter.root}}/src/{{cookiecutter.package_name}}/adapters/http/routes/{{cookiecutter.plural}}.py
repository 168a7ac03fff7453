"""/{{ cookiecutter.url }}: create, read and list the caller's {{ cookiecutter.plural }}.

Each operation's id is the name of its use case; each declares the statuses it may answer.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from {{ cookiecutter.package_name }}.adapters.http.auth import Caller
from {{ cookiecutter.package_name }}.adapters.http.cursor import decode_position
from {{ cookiecutter.package_name }}.adapters.http.idempotency import OptionalIdempotencyKey, mark_replayed
from {{ cookiecutter.package_name }}.adapters.http.{{ cookiecutter.name }}_schemas import (
    Create{{ cookiecutter.class_name }}Body,
    {{ cookiecutter.class_name }}Out,
    {{ cookiecutter.class_name }}PageOut,
    {{ cookiecutter.class_name }}PageQuery,
)
from {{ cookiecutter.package_name }}.adapters.http.responses import (
    AUTHENTICATED,
    IDEMPOTENT,
    REFUSED,
    STORAGE,
    VALIDATED,
    WITH_A_BODY,
    Responses,
    declared,
    replayable,
)
from {{ cookiecutter.package_name }}.adapters.http.schemas import ErrorOut
from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }} import {{ cookiecutter.class_name }}Id
from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }}_position import {{ cookiecutter.class_name }}Position
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.create_{{ cookiecutter.name }} import Create{{ cookiecutter.class_name }}Request
from {{ cookiecutter.package_name }}.usecases.list_{{ cookiecutter.plural }} import List{{ cookiecutter.class_plural }}Request

{{ cookiecutter.name | upper }}_LOOKUP: Responses = {
    404: {
        "model": ErrorOut,
        "description": "No such {{ cookiecutter.title }}, or not the caller's: both read the same "
        "({{ cookiecutter.name }}_not_found)",
    },
}


def {{ cookiecutter.plural }}_router(use_cases: UseCases) -> APIRouter:
    router = APIRouter(prefix="/{{ cookiecutter.url }}", tags=["{{ cookiecutter.url }}"])

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        operation_id="create_{{ cookiecutter.name }}",
        responses=declared(
            AUTHENTICATED,
            WITH_A_BODY,
            VALIDATED,
            REFUSED,
            STORAGE,
            IDEMPOTENT,
            replayable(status.HTTP_201_CREATED),
        ),
    )
    async def create_{{ cookiecutter.name }}(
        caller: Caller,
        body: Create{{ cookiecutter.class_name }}Body,
        response: Response,
        idempotency_key: OptionalIdempotencyKey = None,
    ) -> {{ cookiecutter.class_name }}Out:
        """Create {{ cookiecutter.a_title }} owned by the caller. Scope: ``{{ cookiecutter.write_scope }}``."""
        request = Create{{ cookiecutter.class_name }}Request(body.reference, idempotency_key)
        outcome = await use_cases.create_{{ cookiecutter.name }}(caller, request)
        mark_replayed(response, outcome)
        return {{ cookiecutter.class_name }}Out.of(outcome.result)

    @router.get(
        "/{% raw %}{{% endraw %}{{ cookiecutter.name }}_id{% raw %}}{% endraw %}",
        operation_id="get_{{ cookiecutter.name }}",
        responses=declared(AUTHENTICATED, VALIDATED, {{ cookiecutter.name | upper }}_LOOKUP, STORAGE),
    )
    async def get_{{ cookiecutter.name }}(caller: Caller, {{ cookiecutter.name }}_id: uuid.UUID) -> {{ cookiecutter.class_name }}Out:
        """One of the caller's {{ cookiecutter.plural }}; anyone else's is a 404. Scope: ``{{ cookiecutter.read_scope }}``."""
        {{ cookiecutter.name }} = await use_cases.get_{{ cookiecutter.name }}(caller, {{ cookiecutter.class_name }}Id({{ cookiecutter.name }}_id))
        return {{ cookiecutter.class_name }}Out.of({{ cookiecutter.name }})

    @router.get(
        "",
        operation_id="list_{{ cookiecutter.plural }}",
        responses=declared(AUTHENTICATED, VALIDATED, STORAGE),
    )
    async def list_{{ cookiecutter.plural }}(
        caller: Caller, page: Annotated[{{ cookiecutter.class_name }}PageQuery, Query()]
    ) -> {{ cookiecutter.class_name }}PageOut:
        """The caller's {{ cookiecutter.plural }}, newest first, a page at a time: send a page's
        ``next_cursor`` back as ``cursor`` for the next one. Scope: ``{{ cookiecutter.read_scope }}``."""
        after = None
        if page.cursor is not None:
            created_at, id_ = decode_position(page.cursor)
            after = {{ cookiecutter.class_name }}Position(created_at, {{ cookiecutter.class_name }}Id(id_))
        request = List{{ cookiecutter.class_plural }}Request(limit=page.limit, after=after)
        return {{ cookiecutter.class_name }}PageOut.of(await use_cases.list_{{ cookiecutter.plural }}(caller, request))

    return router
