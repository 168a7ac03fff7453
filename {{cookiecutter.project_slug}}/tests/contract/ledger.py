"""Test data for the contracts, stored straight through the ports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.audit import AuditEntry
from {{ cookiecutter.package_name }}.domain.errors import AccountNotFound
from {{ cookiecutter.package_name }}.domain.ids import AccountId, new_transfer_id
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.domain.transfer import Transfer

T0 = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
OWNER = Principal.of("owner", "ledger:read ledger:write")
"""Owns every account ``account`` makes unless told otherwise, and may move its money."""


def account(
    balance: int = 0, *, owner: str = OWNER.subject, email: str = "owner@example.com"
) -> Account:
    opened = Account.open(owner, email, Currency.EUR)
    opened.balance = Money(balance, Currency.EUR)
    return opened


def transfer(
    source: Account,
    destination: Account,
    amount: int = 1,
    *,
    at: datetime = T0,
    by: str | None = None,
) -> Transfer:
    """A transfer record as stored, requested by the source's owner unless ``by`` says
    otherwise; balances are not touched."""
    money = Money(amount, Currency.EUR)
    requested_by = source.owner if by is None else by
    return Transfer(new_transfer_id(), source.id, destination.id, money, at, requested_by)


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
        return [(await uow.accounts.get(account_id)).balance.minor_units for account_id in ids]


async def is_stored(unit_of_work: UnitOfWorkFactory, account_id: AccountId) -> bool:
    async with unit_of_work(read_only=True) as uow:
        try:
            await uow.accounts.get(account_id)
        except AccountNotFound:
            return False
    return True
