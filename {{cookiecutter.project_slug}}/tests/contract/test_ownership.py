"""Ownership holds on every storage, down to the words of the error.

The unit tests prove the rules on the memory adapter; here the same use cases run on each
storage, whose adapters write the message of a missing account themselves. An account of
another subject must read exactly as one that does not exist, on all of them. A transfer's
destination that does not exist is told apart (``CounterpartNotFound``) only when the
source is the principal's own, and finding that out adds one read to the refusal, never a
second lock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from {{ cookiecutter.package_name }}.domain.errors import AccountNotFound, CounterpartNotFound
from {{ cookiecutter.package_name }}.domain.ids import AccountId, new_account_id
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.list_transfers import ListTransfersRequest
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.contract.implementations import Storage
from tests.contract.ledger import OWNER, account, balances, store
from tests.contract.observed import Observed

STRANGER = Principal.of("stranger", "ledger:read ledger:write")

Attempt = Callable[[UseCases, AccountId, AccountId], Awaitable[object]]
"""What the stranger tries on ``target``, with an account of the stranger's own at hand."""
ATTEMPTS: dict[str, Attempt] = {
    "get_account": lambda use_cases, target, _own: use_cases.get_account(STRANGER, target),
    "list_transfers": lambda use_cases, target, _own: use_cases.list_transfers(
        STRANGER, ListTransfersRequest(target)
    ),
    "transfer_funds": lambda use_cases, target, own: use_cases.transfer_funds(
        STRANGER, TransferRequest(target, own, Money(1, Currency.EUR), "k-1")
    ),
    "transfer_funds to nowhere": lambda use_cases, target, _own: use_cases.transfer_funds(
        STRANGER, TransferRequest(target, new_account_id(), Money(1, Currency.EUR), "k-2")
    ),
}


async def refusal(attempt: Awaitable[object]) -> str:
    with pytest.raises(AccountNotFound) as refused:
        await attempt
    return str(refused.value)


@pytest.mark.parametrize("use_case", ATTEMPTS)
async def test_another_subjects_account_is_refused_as_if_it_did_not_exist(
    storage: Storage, use_case: str
) -> None:
    owned, strangers, unknown = account(100), account(owner=STRANGER.subject), new_account_id()
    await store(storage.unit_of_work, [owned, strangers])
    use_cases, attempt = UseCases.wired_to(storage.unit_of_work), ATTEMPTS[use_case]

    hidden = await refusal(attempt(use_cases, owned.id, strangers.id))
    missing = await refusal(attempt(use_cases, unknown, strangers.id))

    assert str(unknown) in missing
    assert hidden == missing.replace(str(unknown), str(owned.id))
    assert await balances(storage.unit_of_work, owned.id, strangers.id) == [100, 0]


async def test_a_destination_that_does_not_exist_is_named_to_the_source_s_owner(
    storage: Storage,
) -> None:
    owned, nowhere = account(100), new_account_id()
    await store(storage.unit_of_work, [owned])
    observed = Observed(storage.unit_of_work)

    with pytest.raises(CounterpartNotFound) as refused:
        await UseCases.wired_to(observed).transfer_funds(
            OWNER, TransferRequest(owned.id, nowhere, Money(1, Currency.EUR), "k-3")
        )

    assert str(nowhere) in str(refused.value)
    assert observed.calls == ["idempotency.claim", "accounts.lock_many", "accounts.get"]
    assert await balances(storage.unit_of_work, owned.id) == [100]
