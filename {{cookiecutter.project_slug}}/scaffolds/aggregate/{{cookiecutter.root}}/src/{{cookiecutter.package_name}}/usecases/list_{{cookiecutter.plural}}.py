"""One page of the principal's {{ cookiecutter.plural }}, newest first.

A page starts after a position (``domain/{{ cookiecutter.name }}_position.py``), the one the
page before ends on: {{ cookiecutter.plural }} created meanwhile never shift a later page.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }} import {{ cookiecutter.class_name }}
from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }}_position import {{ cookiecutter.class_name }}Position
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.usecases.access import require_scope

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class List{{ cookiecutter.class_plural }}Request:
    limit: int = DEFAULT_PAGE_SIZE
    after: {{ cookiecutter.class_name }}Position | None = None
    """The ``continues_after`` of the page before; None for the first page."""


@dataclass(frozen=True, slots=True)
class {{ cookiecutter.class_name }}Page:
    {{ cookiecutter.plural }}: Sequence[{{ cookiecutter.class_name }}]
    continues_after: {{ cookiecutter.class_name }}Position | None
    """Where the next page starts: the last one's position; None when none follows."""


@dataclass(frozen=True, slots=True)
class List{{ cookiecutter.class_plural }}:
    unit_of_work: UnitOfWorkFactory

    async def __call__(
        self, principal: Principal, request: List{{ cookiecutter.class_plural }}Request
    ) -> {{ cookiecutter.class_name }}Page:
        require_scope(principal, Scope.READ)
        limit = max(1, min(request.limit, MAX_PAGE_SIZE))
        async with self.unit_of_work(read_only=True) as uow:
            # One more than the page: whether another page follows, in the same statement.
            found = await uow.{{ cookiecutter.plural }}.list_for_owner(
                principal.subject, limit=limit + 1, after=request.after
            )
        on_this_page = found[:limit]
        more = len(found) > limit
        return {{ cookiecutter.class_name }}Page(
            on_this_page, {{ cookiecutter.class_name }}Position.of(on_this_page[-1]) if more else None
        )
