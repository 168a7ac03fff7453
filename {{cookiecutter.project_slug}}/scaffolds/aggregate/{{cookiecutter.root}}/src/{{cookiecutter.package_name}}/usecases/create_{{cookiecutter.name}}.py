"""Create {{ cookiecutter.a_title }} owned by the principal who asks; once per idempotency key
when one is given."""

from dataclasses import dataclass, field

from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }} import {{ cookiecutter.class_name }}
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.usecases import {{ cookiecutter.name }}_receipts
from {{ cookiecutter.package_name }}.usecases.access import require_scope
from {{ cookiecutter.package_name }}.usecases.idempotency import Idempotency, Outcome


@dataclass(frozen=True, slots=True)
class Create{{ cookiecutter.class_name }}Request:
    reference: str
    idempotency_key: str | None = None
    """Optional: a retry with a key creates one {{ cookiecutter.title }}, not two."""


@dataclass(frozen=True, slots=True)
class Create{{ cookiecutter.class_name }}:
    unit_of_work: UnitOfWorkFactory
    clock: Clock = utc_now
    idempotency: Idempotency = field(default_factory=Idempotency)

    async def __call__(
        self, principal: Principal, request: Create{{ cookiecutter.class_name }}Request
    ) -> Outcome[{{ cookiecutter.class_name }}]:
        require_scope(principal, Scope.WRITE)
        async with self.unit_of_work() as uow:
            outcome = await self.idempotency.run(
                uow,
                principal,
                request.idempotency_key,
                request,
                receipt={{ cookiecutter.name }}_receipts.{{ cookiecutter.name | upper }},
                work=lambda: self._create(uow, principal, request),
            )
            await uow.commit()
        return outcome

    async def _create(
        self, uow: UnitOfWork, principal: Principal, request: Create{{ cookiecutter.class_name }}Request
    ) -> {{ cookiecutter.class_name }}:
        {{ cookiecutter.name }} = {{ cookiecutter.class_name }}.create(principal.subject, request.reference, at=self.clock())
        await uow.{{ cookiecutter.plural }}.add({{ cookiecutter.name }})
        return {{ cookiecutter.name }}
