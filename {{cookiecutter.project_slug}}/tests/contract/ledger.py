"""Test data for the contracts, stored straight through the ports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.audit import AuditEntry
from {{ cookiecutter.package_name }}.domain.ids import AccountId, new_transfer_id
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.transfer import Transfer

T0 = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)


def account(balance: int = 0, *, email: str = "owner@example.com") -> Account:
    opened = Account.open(email, Currency.EUR)
    opened.balance = Money(balance, Currency.EUR)
    return opened


def transfer(
    source: Account,
    destination: Account,
    amount: int = 1,
    *,
    at: datetime = T0,
    key: str | None = None,
) -> Transfer:
    """A transfer record as stored; balances are not touched."""
    money = Money(amount, Currency.EUR)
    return Transfer(new_transfer_id(), source.id, destination.id, money, at, key)


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


async def store(
    unit_of_work: UnitOfWorkFactory,
    accounts: Iterable[Account] = (),
    transfers: Iterable[Transfer] = (),
    entries: Iterable[AuditEntry] = (),
    notices: Iterable[Notice] = (),
) -> None:
    """Add everything in one committed unit of work."""
    async with unit_of_work() as uow:
        for new_account in accounts:
            await uow.accounts.add(new_account)
        for new_transfer in transfers:
            await uow.transfers.add(new_transfer)
        for entry in entries:
            await uow.audit_log.append(entry)
        for notice in notices:
            await uow.outbox.put(notice)
        await uow.commit()


async def balances(unit_of_work: UnitOfWorkFactory, *ids: AccountId) -> list[int]:
    async with unit_of_work(read_only=True) as uow:
        found = await uow.accounts.get_many(ids)
    return [found[account_id].balance.minor_units for account_id in ids]
