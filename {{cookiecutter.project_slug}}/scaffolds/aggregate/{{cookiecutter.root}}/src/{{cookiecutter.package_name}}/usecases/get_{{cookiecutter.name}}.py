"""Read one of the principal's {{ cookiecutter.plural }}; anyone else's reads as missing."""

from dataclasses import dataclass

from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }} import {{ cookiecutter.class_name }}, {{ cookiecutter.class_name }}Id, {{ cookiecutter.class_name }}NotFound
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.usecases.access import require_scope


@dataclass(frozen=True, slots=True)
class Get{{ cookiecutter.class_name }}:
    unit_of_work: UnitOfWorkFactory

    async def __call__(self, principal: Principal, {{ cookiecutter.name }}_id: {{ cookiecutter.class_name }}Id) -> {{ cookiecutter.class_name }}:
        require_scope(principal, Scope.READ)
        async with self.unit_of_work(read_only=True) as uow:
            {{ cookiecutter.name }} = await uow.{{ cookiecutter.plural }}.get({{ cookiecutter.name }}_id)
        if {{ cookiecutter.name }}.owner != principal.subject:
            raise {{ cookiecutter.class_name }}NotFound(f"no {{ cookiecutter.title }} {% raw %}{{% endraw %}{{ cookiecutter.name }}_id{% raw %}}{% endraw %}")
        return {{ cookiecutter.name }}
