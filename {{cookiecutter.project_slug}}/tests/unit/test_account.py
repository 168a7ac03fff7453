import pytest

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.errors import InsufficientFunds, InvalidMoney
from {{ cookiecutter.package_name }}.domain.money import Currency, Money


def eur(minor_units: int) -> Money:
    return Money(minor_units, Currency.EUR)


def opened() -> Account:
    return Account.open("ada", "ada@example.com", Currency.EUR)


class TestAccount:
    def test_opens_empty_and_owned_by_whoever_opened_it(self) -> None:
        account = opened()

        assert account.balance == eur(0)
        assert account.owner == "ada"

    def test_deposit_raises_the_balance(self) -> None:
        account = opened()

        account.deposit(eur(500))

        assert account.balance == eur(500)

    def test_refuses_an_overdraft(self) -> None:
        account = opened()
        account.deposit(eur(100))

        with pytest.raises(InsufficientFunds):
            account.withdraw(eur(101))
        assert account.balance == eur(100)

    @pytest.mark.parametrize("amount", [0, -5])
    def test_refuses_deposits_that_are_not_positive(self, amount: int) -> None:
        account = opened()

        with pytest.raises(InvalidMoney):
            account.deposit(eur(amount))
