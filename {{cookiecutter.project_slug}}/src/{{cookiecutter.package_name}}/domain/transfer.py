"""A transfer moves money between two different accounts of the same currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.errors import CurrencyMismatch, InvalidTransfer
from {{ cookiecutter.package_name }}.domain.ids import AccountId, TransferId, new_transfer_id
from {{ cookiecutter.package_name }}.domain.money import Money

MINIMUM_TRANSFER_MINOR_UNITS = 1
"""The smallest amount worth moving; raise it to refuse dust transfers."""


@dataclass(frozen=True, slots=True)
class Transfer:
    id: TransferId
    source_id: AccountId
    destination_id: AccountId
    amount: Money
    created_at: datetime
    requested_by: str
    """The subject that asked for it."""

    @classmethod
    def between(
        cls,
        source: Account,
        destination: Account,
        amount: Money,
        *,
        at: datetime,
        requested_by: str,
    ) -> Transfer:
        """Apply the business rules, move the money, and return the record of it."""
        if source.id == destination.id:
            raise InvalidTransfer("source and destination must be different accounts")
        if amount.minor_units < MINIMUM_TRANSFER_MINOR_UNITS:
            raise InvalidTransfer(f"amount must be at least {MINIMUM_TRANSFER_MINOR_UNITS}")
        if not source.currency == destination.currency == amount.currency:
            raise CurrencyMismatch("both accounts and the amount must share one currency")
        source.withdraw(amount)
        destination.deposit(amount)
        return cls(new_transfer_id(), source.id, destination.id, amount, at, requested_by)

    def counterpart_of(self, account_id: AccountId) -> AccountId:
        return self.destination_id if account_id == self.source_id else self.source_id
