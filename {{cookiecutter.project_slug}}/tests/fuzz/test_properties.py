"""Properties of the ledger that hold after any sequence of operations (hypothesis).

Each example is a random sequence of opens, deposits and transfers, many of them
invalid (see ``tests/ledger_operations.py``), run through the use cases on the memory
adapter. A failed operation must leave no trace, so the books balance whatever fails,
and money leaves an account only when its owner asks.
In CI hypothesis derandomizes by itself (its ``ci`` profile, loaded whenever ``CI`` is
set), so a CI run is repeatable; locally each run explores new sequences, and
``.hypothesis/`` replays a failure first.
"""

from __future__ import annotations

import asyncio

from hypothesis import given, settings

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from tests.ledger_operations import Operation, operations, run


@settings(max_examples=100, deadline=None)
@given(operations)
def test_the_books_balance_after_any_sequence_of_operations(sequence: list[Operation]) -> None:
    ledger = asyncio.run(run(sequence, UseCases.wired_to(MemoryUnitOfWorkFactory())))
    balances = [balance.minor_units for balance in ledger.balances]

    assert ledger.balances_by_currency() == ledger.deposits_by_currency(), (
        "money was created or lost: the balances do not add up to the deposits"
    )
    assert min(balances, default=0) >= 0, "a balance went negative"
    assert balances == [
        deposited + transferred
        for deposited, transferred in zip(ledger.deposited, ledger.transferred, strict=True)
    ], "a balance differs from its deposits plus its recorded transfers"
    assert all(
        spenders <= {owner} for owner, spenders in zip(ledger.owners, ledger.spenders, strict=True)
    ), "money left an account at the request of someone other than its owner"
