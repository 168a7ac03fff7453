"""Read one account and its current balance."""

from dataclasses import dataclass

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class GetAccount:
    unit_of_work: UnitOfWorkFactory

    async def __call__(self, account_id: AccountId) -> Account:
        async with self.unit_of_work(read_only=True) as uow:
            return await uow.accounts.get(account_id)
