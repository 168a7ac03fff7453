"""Read one of the principal's accounts and its current balance."""

from dataclasses import dataclass

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.usecases.access import owned_by, require_scope


@dataclass(frozen=True, slots=True)
class GetAccount:
    unit_of_work: UnitOfWorkFactory

    async def __call__(self, principal: Principal, account_id: AccountId) -> Account:
        require_scope(principal, Scope.READ)
        async with self.unit_of_work(read_only=True) as uow:
            return owned_by(principal, await uow.accounts.get(account_id))
