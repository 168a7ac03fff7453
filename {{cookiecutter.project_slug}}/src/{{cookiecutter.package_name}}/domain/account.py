"""An account holds money of one currency, belongs to one subject, never goes below zero."""

from __future__ import annotations

from dataclasses import dataclass

from {{ cookiecutter.package_name }}.domain.errors import InsufficientFunds, InvalidMoney
from {{ cookiecutter.package_name }}.domain.ids import AccountId, new_account_id
from {{ cookiecutter.package_name }}.domain.money import Currency, Money


@dataclass(slots=True)
class Account:
    id: AccountId
    owner: str
    """The subject of the principal that opened it (see ``domain/principal.py``)."""
    owner_email: str
    currency: Currency
    balance: Money

    @classmethod
    def open(cls, owner: str, owner_email: str, currency: Currency) -> Account:
        return cls(new_account_id(), owner, owner_email, currency, Money.zero(currency))

    def deposit(self, amount: Money) -> None:
        if not amount.is_positive:
            raise InvalidMoney("a deposit must be a positive amount")
        self.balance = self.balance + amount

    def withdraw(self, amount: Money) -> None:
        if not amount.is_positive:
            raise InvalidMoney("a withdrawal must be a positive amount")
        if self.balance < amount:
            raise InsufficientFunds(f"account {self.id} cannot cover {amount.minor_units}")
        self.balance = self.balance - amount
