"""Random sequences of ledger operations, and what running one through the use cases leaves.

Shared by the property-based tests: ``tests/fuzz/test_properties.py`` (memory adapter)
and ``tests/fuzz/test_storage_equivalence.py`` (memory and SQL side by side). Sequences
are full of operations that must fail: overdrafts, unknown accounts, transfers to the
same account, mixed currencies, amounts that are not positive or that overflow a
balance, and idempotency keys reused for another transfer.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.domain.errors import DomainError
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.money import MAX_MINOR_UNITS, Currency, Money
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.deposit import DepositRequest
from {{ cookiecutter.package_name }}.usecases.list_transfers import (
    MAX_PAGE_SIZE,
    ListTransfersRequest,
)
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest

OWNER = "owner@example.com"
MAX_OPERATIONS = 30
"""Short enough that every account's transfers fit on one page of ``list_transfers``."""
assert MAX_OPERATIONS <= MAX_PAGE_SIZE


@dataclass(frozen=True, slots=True)
class Open:
    currency: Currency


@dataclass(frozen=True, slots=True)
class Deposit:
    account: int
    """Index of an opened account, in opening order; past the last one: an unknown account."""
    minor_units: int
    currency: Currency


@dataclass(frozen=True, slots=True)
class Transfer:
    source: int
    destination: int
    minor_units: int
    currency: Currency
    idempotency_key: str | None


Operation = Open | Deposit | Transfer

currencies = st.sampled_from([Currency.EUR, Currency.USD])
account_indexes = st.integers(min_value=0, max_value=5)
amounts = st.one_of(
    st.integers(min_value=1, max_value=1_000),
    st.integers(min_value=-2, max_value=0),
    st.integers(min_value=MAX_MINOR_UNITS - 1_000, max_value=MAX_MINOR_UNITS),
)
idempotency_keys = st.none() | st.sampled_from(["order-1", "order-2", "order-3"])

opens = st.builds(Open, currencies)
deposits = st.builds(Deposit, account_indexes, amounts, currencies)
transfers = st.builds(
    Transfer, account_indexes, account_indexes, amounts, currencies, idempotency_keys
)
operations: st.SearchStrategy[list[Operation]] = st.lists(
    st.one_of(opens, deposits, deposits, transfers, transfers, transfers), max_size=MAX_OPERATIONS
)


@dataclass
class Ledger:
    """What a sequence of operations left behind, independent of storage and of ids."""

    outcomes: list[str] = field(default_factory=list)
    """Per operation: ``ok``, ``replayed`` or the code of the domain error it raised."""
    balances: list[Money] = field(default_factory=list)
    """Each opened account's balance, in opening order."""
    deposited: list[int] = field(default_factory=list)
    """Each opened account's successful deposits, added up."""
    transferred: list[int] = field(default_factory=list)
    """Each opened account's listed transfers, incoming minus outgoing."""

    def deposits_by_currency(self) -> Counter[Currency]:
        return _by_currency(self.balances, self.deposited)

    def balances_by_currency(self) -> Counter[Currency]:
        return _by_currency(self.balances, [balance.minor_units for balance in self.balances])


def _by_currency(balances: list[Money], amounts: list[int]) -> Counter[Currency]:
    totals: Counter[Currency] = Counter()
    for balance, amount in zip(balances, amounts, strict=True):
        totals[balance.currency] += amount
    return totals


def unknown_account(index: int) -> AccountId:
    """The same id on every run and every storage, and never one that ``open`` creates."""
    return AccountId(uuid.UUID(int=index + 1))


async def run(operations: list[Operation], use_cases: UseCases) -> Ledger:
    """Apply ``operations`` in order; a domain error is an outcome, anything else a bug."""
    accounts: list[AccountId] = []
    ledger = Ledger()

    def account(index: int) -> AccountId:
        return accounts[index] if index < len(accounts) else unknown_account(index)

    for operation in operations:
        try:
            outcome = "ok"
            match operation:
                case Open(currency):
                    opened = await use_cases.open_account(OpenAccountRequest(OWNER, currency))
                    accounts.append(opened.id)
                    ledger.deposited.append(0)
                case Deposit(index, minor_units, currency):
                    amount = Money(minor_units, currency)
                    await use_cases.deposit(DepositRequest(account(index), amount))
                    ledger.deposited[index] += minor_units
                case Transfer(source, destination, minor_units, currency, key):
                    request = TransferRequest(
                        account(source), account(destination), Money(minor_units, currency), key
                    )
                    if (await use_cases.transfer_funds(request)).replayed:
                        outcome = "replayed"
        except DomainError as error:
            outcome = error.code
        ledger.outcomes.append(outcome)

    for account_id in accounts:
        ledger.balances.append((await use_cases.get_account(account_id)).balance)
        page = await use_cases.list_transfers(ListTransfersRequest(account_id, limit=MAX_PAGE_SIZE))
        ledger.transferred.append(
            sum(
                line.transfer.amount.minor_units * (1 if line.incoming else -1)
                for line in page.lines
            )
        )
    return ledger
