"""Open an empty account in one currency, owned by the principal who asks."""

from dataclasses import dataclass

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.audit import AuditAction, AuditEntry
from {{ cookiecutter.package_name }}.domain.money import Currency
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.usecases.access import require_scope


@dataclass(frozen=True, slots=True)
class OpenAccountRequest:
    owner_email: str
    currency: Currency


@dataclass(frozen=True, slots=True)
class OpenAccount:
    unit_of_work: UnitOfWorkFactory
    clock: Clock = utc_now

    async def __call__(self, principal: Principal, request: OpenAccountRequest) -> Account:
        require_scope(principal, Scope.WRITE)
        account = Account.open(principal.subject, request.owner_email, request.currency)
        async with self.unit_of_work() as uow:
            await uow.accounts.add(account)
            await uow.audit_log.append(
                AuditEntry.record(
                    AuditAction.ACCOUNT_OPENED, account.id, at=self.clock(), actor=principal.subject
                )
            )
            await uow.commit()
        return account
