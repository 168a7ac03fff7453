"""The memory adapter must behave like a database, or the unit tests above prove nothing."""

import pytest

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.errors import AccountNotFound
from {{ cookiecutter.package_name }}.domain.money import Currency


class TestMemoryUnitOfWork:
    async def test_rolls_back_uncommitted_work_by_default(
        self, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        account = Account.open("a", "a@example.com", Currency.EUR)
        async with unit_of_work() as uow:
            await uow.accounts.add(account)

        async with unit_of_work(read_only=True) as uow:
            with pytest.raises(AccountNotFound):
                await uow.accounts.get(account.id)

    async def test_keeps_committed_work(self, unit_of_work: MemoryUnitOfWorkFactory) -> None:
        account = Account.open("a", "a@example.com", Currency.EUR)
        async with unit_of_work() as uow:
            await uow.accounts.add(account)
            await uow.commit()

        async with unit_of_work(read_only=True) as uow:
            assert await uow.accounts.get(account.id) == account
