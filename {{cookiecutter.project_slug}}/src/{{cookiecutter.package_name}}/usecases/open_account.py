"""Open an empty account for an owner in one currency."""

from dataclasses import dataclass

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.audit import AuditAction, AuditEntry
from {{ cookiecutter.package_name }}.domain.money import Currency
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class OpenAccountRequest:
    owner_email: str
    currency: Currency


@dataclass(frozen=True, slots=True)
class OpenAccount:
    unit_of_work: UnitOfWorkFactory
    clock: Clock = utc_now

    async def __call__(self, request: OpenAccountRequest) -> Account:
        account = Account.open(request.owner_email, request.currency)
        async with self.unit_of_work() as uow:
            await uow.accounts.add(account)
            await uow.audit_log.append(
                AuditEntry.record(AuditAction.ACCOUNT_OPENED, account.id, at=self.clock())
            )
            await uow.commit()
        return account
