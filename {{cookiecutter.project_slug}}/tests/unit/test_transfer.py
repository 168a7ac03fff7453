from datetime import UTC, datetime

import pytest

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.errors import (
    CurrencyMismatch,
    InsufficientFunds,
    InvalidTransfer,
)
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.transfer import Transfer

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def funded(minor_units: int, currency: Currency = Currency.EUR) -> Account:
    account = Account.open("owner", "owner@example.com", currency)
    if minor_units:
        account.deposit(Money(minor_units, currency))
    return account


class TestTransferBetween:
    def test_moves_money_from_source_to_destination(self) -> None:
        source, destination = funded(100), funded(0)

        transfer = Transfer.between(
            source, destination, Money(30, Currency.EUR), at=NOW, requested_by="owner"
        )

        assert (source.balance.minor_units, destination.balance.minor_units) == (70, 30)
        assert transfer.counterpart_of(source.id) == destination.id

    def test_records_who_asked_for_it(self) -> None:
        transfer = Transfer.between(
            funded(100), funded(0), Money(1, Currency.EUR), at=NOW, requested_by="owner"
        )

        assert transfer.requested_by == "owner"

    def test_refuses_a_transfer_to_the_same_account(self) -> None:
        account = funded(100)

        with pytest.raises(InvalidTransfer):
            Transfer.between(account, account, Money(1, Currency.EUR), at=NOW, requested_by="owner")

    def test_refuses_accounts_of_different_currencies(self) -> None:
        with pytest.raises(CurrencyMismatch):
            Transfer.between(
                funded(100),
                funded(0, Currency.USD),
                Money(1, Currency.EUR),
                at=NOW,
                requested_by="owner",
            )

    def test_refuses_more_than_the_source_holds_and_changes_nothing(self) -> None:
        source, destination = funded(10), funded(0)

        with pytest.raises(InsufficientFunds):
            Transfer.between(
                source, destination, Money(11, Currency.EUR), at=NOW, requested_by="owner"
            )
        assert (source.balance.minor_units, destination.balance.minor_units) == (10, 0)

    def test_refuses_amounts_below_the_minimum(self) -> None:
        with pytest.raises(InvalidTransfer):
            Transfer.between(
                funded(10), funded(0), Money(0, Currency.EUR), at=NOW, requested_by="owner"
            )
