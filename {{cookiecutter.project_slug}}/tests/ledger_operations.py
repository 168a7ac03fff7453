"""Random sequences of ledger operations, and what running one through the use cases leaves.

Shared by the property-based tests: ``tests/fuzz/test_properties.py`` (memory adapter)
and ``tests/fuzz/test_storage_equivalence.py`` (memory and SQL side by side). Sequences
are full of operations that must fail: overdrafts, unknown accounts, transfers to the
same account, mixed currencies, amounts that are not positive, that overflow a balance or
that are past the largest amount (``MAX_MINOR_UNITS``), idempotency keys reused for
another transfer, and transfers out of an account asked for by a customer who does not
own it.

Yet money must move often enough for the properties to mean something: every sequence
opens a few accounts first, and most amounts are plausible and in the account's own
currency. Two customers open accounts and move money out of them; the treasurer makes
every deposit. Both customers draw their idempotency keys from one small set, so the
same key often names a transfer of each.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.domain.errors import DomainError
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.money import MAX_MINOR_UNITS, Currency, Money
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.deposit import DepositRequest
from {{ cookiecutter.package_name }}.usecases.list_transfers import (
    MAX_PAGE_SIZE,
    ListTransfersRequest,
)
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.fakes import ALICE, BOB, TREASURER

CUSTOMERS = (ALICE, BOB)
EMAIL = "owner@example.com"
MAX_OPERATIONS = 30
"""Short enough that every account's transfers fit on one page of ``list_transfers``."""
assert MAX_OPERATIONS <= MAX_PAGE_SIZE


@dataclass(frozen=True, slots=True)
class Open:
    currency: Currency
    owner: int
    """Index of the customer who opens it, in ``CUSTOMERS``."""


@dataclass(frozen=True, slots=True)
class Deposit:
    account: int
    """Index of an opened account, in opening order; past the last one: an unknown account."""
    minor_units: int
    currency: Currency | None
    """None: the account's own currency (EUR for an unknown account)."""


@dataclass(frozen=True, slots=True)
class Transfer:
    source: int
    destination: int
    minor_units: int
    currency: Currency | None
    """None: the source's own currency (EUR for an unknown account)."""
    idempotency_key: str | None
    """None: a key of its own, used once (every transfer needs one)."""
    by_a_stranger: bool
    """Asked for by the other customer instead of the source's owner."""


Operation = Open | Deposit | Transfer

OPENED_FIRST = 4
"""Every sequence opens two to this many accounts before anything else."""
MIN_OPERATIONS = 8
"""Operations after those first opens, at least: enough for deposits to precede transfers."""

currencies = st.sampled_from([Currency.EUR, Currency.EUR, Currency.EUR, Currency.USD])
"""Mostly one currency: mismatches stay common without refusing most transfers."""
amount_currencies = st.none() | currencies
account_indexes = st.integers(min_value=0, max_value=OPENED_FIRST)
steps = st.sampled_from([1, 1, 2, 3, 0])
"""From the source to the destination, in opening order; 0 is the source itself."""
plausible_amounts = st.integers(min_value=1, max_value=1_000)
amounts = st.one_of(
    plausible_amounts,
    plausible_amounts,
    plausible_amounts,
    st.integers(min_value=-2, max_value=0),
    st.integers(min_value=MAX_MINOR_UNITS - 1_000, max_value=MAX_MINOR_UNITS + 1_000),
)
idempotency_keys = st.none() | st.sampled_from(["order-1", "order-2", "order-3"])
customers = st.integers(min_value=0, max_value=len(CUSTOMERS) - 1)
strangers = st.sampled_from([False, False, True])


@st.composite
def transfers(draw: st.DrawFn) -> Transfer:
    source = draw(account_indexes)
    return Transfer(
        source,
        source + draw(steps),
        draw(amounts),
        draw(amount_currencies),
        draw(idempotency_keys),
        draw(strangers),
    )


opens = st.builds(Open, currencies, customers)
deposits = st.builds(Deposit, account_indexes, amounts, amount_currencies)
operations: st.SearchStrategy[list[Operation]] = st.builds(
    lambda first, then: [*first, *then],
    st.lists(opens, min_size=2, max_size=OPENED_FIRST),
    st.lists(
        st.one_of(transfers(), deposits, transfers(), deposits, transfers(), opens),
        min_size=MIN_OPERATIONS,
        max_size=MAX_OPERATIONS - OPENED_FIRST,
    ),
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
    owners: list[str] = field(default_factory=list)
    """Each opened account's owner, as its owner reads it back."""
    spenders: list[set[str]] = field(default_factory=list)
    """Each opened account's listed outgoing transfers: the subjects who asked for them."""

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
    owners: list[Principal] = []
    currencies: list[Currency] = []
    ledger = Ledger()

    def account(index: int) -> AccountId:
        return accounts[index] if index < len(accounts) else unknown_account(index)

    def money(minor_units: int, currency: Currency | None, index: int) -> Money:
        if currency is None:
            currency = currencies[index] if index < len(currencies) else Currency.EUR
        return Money(minor_units, currency)

    def requester(source: int, by_a_stranger: bool) -> Principal:
        owner = CUSTOMERS.index(owners[source]) if source < len(owners) else 0
        return CUSTOMERS[(owner + by_a_stranger) % len(CUSTOMERS)]

    for position, operation in enumerate(operations):
        try:
            outcome = "ok"
            match operation:
                case Open(currency, owner):
                    opened = await use_cases.open_account(
                        CUSTOMERS[owner], OpenAccountRequest(EMAIL, currency)
                    )
                    accounts.append(opened.result.id)
                    owners.append(CUSTOMERS[owner])
                    currencies.append(currency)
                    ledger.deposited.append(0)
                case Deposit(index, minor_units, currency):
                    amount = money(minor_units, currency, index)
                    credit = DepositRequest(account(index), amount, f"deposit-{position}")
                    await use_cases.deposit(TREASURER, credit)
                    ledger.deposited[index] += minor_units
                case Transfer(source, destination, minor_units, currency, key, by_a_stranger):
                    amount = money(minor_units, currency, source)
                    key = f"transfer-{position}" if key is None else key
                    request = TransferRequest(account(source), account(destination), amount, key)
                    principal = requester(source, by_a_stranger)
                    if (await use_cases.transfer_funds(principal, request)).replayed:
                        outcome = "replayed"
        except DomainError as error:
            outcome = error.code
        ledger.outcomes.append(outcome)

    for account_id, its_owner in zip(accounts, owners, strict=True):
        read = await use_cases.get_account(its_owner, account_id)
        ledger.balances.append(read.balance)
        ledger.owners.append(read.owner)
        page = await use_cases.list_transfers(
            its_owner, ListTransfersRequest(account_id, limit=MAX_PAGE_SIZE)
        )
        ledger.transferred.append(
            sum(
                line.transfer.amount.minor_units * (1 if line.incoming else -1)
                for line in page.lines
            )
        )
        ledger.spenders.append(
            {line.transfer.requested_by for line in page.lines if not line.incoming}
        )
    return ledger
