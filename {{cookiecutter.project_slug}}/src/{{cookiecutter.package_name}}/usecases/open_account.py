"""Open an empty account in one currency, owned by the principal who asks; once per
idempotency key when one is given."""

from dataclasses import dataclass, field

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.audit import AuditAction, AuditEntry
from {{ cookiecutter.package_name }}.domain.money import Currency
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.usecases import receipts
from {{ cookiecutter.package_name }}.usecases.access import require_scope
from {{ cookiecutter.package_name }}.usecases.idempotency import Idempotency, Outcome


@dataclass(frozen=True, slots=True)
class OpenAccountRequest:
    owner_email: str
    currency: Currency
    idempotency_key: str | None = None
    """Optional: no money moves, but a retry with a key opens one account, not two."""


@dataclass(frozen=True, slots=True)
class OpenAccount:
    unit_of_work: UnitOfWorkFactory
    clock: Clock = utc_now
    idempotency: Idempotency = field(default_factory=Idempotency)

    async def __call__(self, principal: Principal, request: OpenAccountRequest) -> Outcome[Account]:
        require_scope(principal, Scope.WRITE)
        async with self.unit_of_work() as uow:
            outcome = await self.idempotency.run(
                uow,
                principal,
                request.idempotency_key,
                request,
                receipt=receipts.ACCOUNT,
                work=lambda: self._open(uow, principal, request),
            )
            await uow.commit()
        return outcome

    async def _open(
        self, uow: UnitOfWork, principal: Principal, request: OpenAccountRequest
    ) -> Account:
        account = Account.open(principal.subject, request.owner_email, request.currency)
        await uow.accounts.add(account)
        await uow.audit_log.append(
            AuditEntry.record(
                AuditAction.ACCOUNT_OPENED, account.id, at=self.clock(), actor=principal.subject
            )
        )
        return account
