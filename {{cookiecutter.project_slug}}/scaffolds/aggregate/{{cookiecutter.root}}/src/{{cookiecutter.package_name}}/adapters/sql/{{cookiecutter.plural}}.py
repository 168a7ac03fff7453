"""SQL implementation of the port in ``domain/ports/{{ cookiecutter.plural }}.py``.

Bound to the connection (and so the transaction) of the unit of work that created it;
never commits. Its statements are built once, here, on the table in ``tables.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from {{ cookiecutter.package_name }}.adapters.sql.errors import domain_errors
from {{ cookiecutter.package_name }}.adapters.sql.tables import {{ cookiecutter.plural }}
from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }} import {{ cookiecutter.class_name }}, {{ cookiecutter.class_name }}Id, {{ cookiecutter.class_name }}NotFound
from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }}_position import {{ cookiecutter.class_name }}Position
from {{ cookiecutter.package_name }}.domain.ports.{{ cookiecutter.plural }} import {{ cookiecutter.class_name }}Repository

INSERT = insert({{ cookiecutter.plural }})
BY_ID = select({{ cookiecutter.plural }}).where({{ cookiecutter.plural }}.c.id == bindparam("{{ cookiecutter.name }}_id"))
NEWEST_OF_OWNER = (
    select({{ cookiecutter.plural }})
    .where({{ cookiecutter.plural }}.c.owner == bindparam("owner"))
    .order_by({{ cookiecutter.plural }}.c.created_at.desc(), {{ cookiecutter.plural }}.c.id.desc())
    .limit(bindparam("limit"))
)
"""A range of the ``(owner, created_at, id)`` index, read newest first."""
OF_OWNER_AFTER = NEWEST_OF_OWNER.where(
    tuple_({{ cookiecutter.plural }}.c.created_at, {{ cookiecutter.plural }}.c.id)
    < tuple_(
        bindparam("created_at", type_={{ cookiecutter.plural }}.c.created_at.type),
        bindparam("id", type_={{ cookiecutter.plural }}.c.id.type),
    )
)


class Sql{{ cookiecutter.class_name }}Repository({{ cookiecutter.class_name }}Repository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, {{ cookiecutter.name }}: {{ cookiecutter.class_name }}) -> None:
        with domain_errors():
            await self._connection.execute(
                INSERT,
                {
                    "id": {{ cookiecutter.name }}.id,
                    "owner": {{ cookiecutter.name }}.owner,
                    "reference": {{ cookiecutter.name }}.reference,
                    "created_at": {{ cookiecutter.name }}.created_at,
                },
            )

    async def get(self, {{ cookiecutter.name }}_id: {{ cookiecutter.class_name }}Id) -> {{ cookiecutter.class_name }}:
        with domain_errors():
            result = await self._connection.execute(BY_ID, {"{{ cookiecutter.name }}_id": {{ cookiecutter.name }}_id})
            row = result.one_or_none()
        if row is None:
            raise {{ cookiecutter.class_name }}NotFound(f"no {{ cookiecutter.title }} {% raw %}{{% endraw %}{{ cookiecutter.name }}_id{% raw %}}{% endraw %}")
        return _{{ cookiecutter.name }}(row)

    async def list_for_owner(
        self, owner: str, *, limit: int, after: {{ cookiecutter.class_name }}Position | None = None
    ) -> Sequence[{{ cookiecutter.class_name }}]:
        statement = NEWEST_OF_OWNER
        page: dict[str, object] = {"owner": owner, "limit": limit}
        if after is not None:
            statement = OF_OWNER_AFTER
            page |= {"created_at": after.created_at, "id": after.id}
        with domain_errors():
            result = await self._connection.execute(statement, page)
        return [_{{ cookiecutter.name }}(row) for row in result]


def _{{ cookiecutter.name }}(row: Row[Any]) -> {{ cookiecutter.class_name }}:
    return {{ cookiecutter.class_name }}({{ cookiecutter.class_name }}Id(row.id), row.owner, row.reference, row.created_at)
