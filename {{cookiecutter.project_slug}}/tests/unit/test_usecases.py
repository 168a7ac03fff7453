import asyncio
from datetime import timedelta

import pytest

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.errors import (
    AccountNotFound,
    CounterpartNotFound,
    IdempotencyKeyReused,
    InsufficientFunds,
)
from {{ cookiecutter.package_name }}.domain.ids import new_account_id
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.domain.transfer_position import TransferPosition
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.deposit import DepositRequest
from {{ cookiecutter.package_name }}.usecases.list_transfers import ListTransfersRequest
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.fakes import ALICE, BOB, TREASURER, ManualClock
from tests.stored_state import MemoryStoredState


def eur(minor_units: int) -> Money:
    return Money(minor_units, Currency.EUR)


async def open_funded(
    use_cases: UseCases,
    minor_units: int,
    owner: Principal = ALICE,
    email: str = "a@example.com",
) -> Account:
    """An account ``owner`` opened, into which the treasurer deposited ``minor_units``."""
    account = (await use_cases.open_account(owner, OpenAccountRequest(email, Currency.EUR))).result
    if minor_units:
        funding = DepositRequest(account.id, eur(minor_units), f"fund-{account.id}")
        account = (await use_cases.deposit(TREASURER, funding)).result
    return account


async def balance(use_cases: UseCases, account: Account, owner: Principal = ALICE) -> Money:
    return (await use_cases.get_account(owner, account.id)).balance


async def paid_out_a_second_apart(amounts: range) -> tuple[UseCases, Account]:
    """Use cases on a clock of their own, and an account of Alice's that paid ``amounts``
    out, in that order, one a second: no two transfers share an instant."""
    clock = ManualClock()
    use_cases = UseCases.wired_to(MemoryUnitOfWorkFactory(), clock=clock)
    me, other = await open_funded(use_cases, 100), await open_funded(use_cases, 0)
    for amount in amounts:
        clock.advance(timedelta(seconds=1))
        await use_cases.transfer_funds(
            ALICE, TransferRequest(me.id, other.id, eur(amount), f"t-{amount}")
        )
    return use_cases, me


class TestOpenAccount:
    async def test_stores_the_account_and_audits_it(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        opened = await use_cases.open_account(
            ALICE, OpenAccountRequest("a@example.com", Currency.EUR)
        )
        account = opened.result

        assert await use_cases.get_account(ALICE, account.id) == account
        audit = await MemoryStoredState(unit_of_work.store).audit_entries(str(account.id))
        assert [entry.action for entry in audit] == ["account.opened"]


class TestDeposit:
    async def test_raises_the_stored_balance(self, use_cases: UseCases) -> None:
        account = await open_funded(use_cases, 250)

        assert await balance(use_cases, account) == eur(250)

    async def test_errors_for_an_unknown_account(self, use_cases: UseCases) -> None:
        with pytest.raises(AccountNotFound):
            await use_cases.deposit(TREASURER, DepositRequest(new_account_id(), eur(1), "d-2"))


class TestTransferFunds:
    async def test_moves_money_between_stored_accounts(self, use_cases: UseCases) -> None:
        source, destination = await open_funded(use_cases, 100), await open_funded(use_cases, 0)

        await use_cases.transfer_funds(
            ALICE, TransferRequest(source.id, destination.id, eur(40), "t-1")
        )

        assert await balance(use_cases, source) == eur(60)
        assert await balance(use_cases, destination) == eur(40)

    async def test_a_refused_transfer_leaves_every_balance_as_it_was(
        self, use_cases: UseCases
    ) -> None:
        source, destination = await open_funded(use_cases, 10), await open_funded(use_cases, 0)

        with pytest.raises(InsufficientFunds):
            await use_cases.transfer_funds(
                ALICE, TransferRequest(source.id, destination.id, eur(11), "t-2")
            )

        assert await balance(use_cases, source) == eur(10)
        assert await balance(use_cases, destination) == eur(0)

    async def test_a_destination_that_does_not_exist_is_a_missing_counterpart(
        self, use_cases: UseCases
    ) -> None:
        """Not the ``AccountNotFound`` of a source: the principal's own account is there."""
        source, nowhere = await open_funded(use_cases, 10), new_account_id()

        with pytest.raises(CounterpartNotFound):
            await use_cases.transfer_funds(
                ALICE, TransferRequest(source.id, nowhere, eur(1), "t-3")
            )

        assert await balance(use_cases, source) == eur(10)

    async def test_a_missing_source_is_account_not_found_whatever_the_destination(
        self, use_cases: UseCases
    ) -> None:
        destination = await open_funded(use_cases, 0)

        for destination_id in (destination.id, new_account_id()):
            with pytest.raises(AccountNotFound):
                await use_cases.transfer_funds(
                    ALICE, TransferRequest(new_account_id(), destination_id, eur(1), "t-4")
                )

    async def test_a_retry_with_the_same_key_moves_money_once(self, use_cases: UseCases) -> None:
        source, destination = await open_funded(use_cases, 100), await open_funded(use_cases, 0)
        request = TransferRequest(source.id, destination.id, eur(30), idempotency_key="k-1")

        first = await use_cases.transfer_funds(ALICE, request)
        retry = await use_cases.transfer_funds(ALICE, request)

        assert retry.result == first.result
        assert (first.replayed, retry.replayed) == (False, True)
        assert await balance(use_cases, source) == eur(70)

    async def test_concurrent_retries_with_the_same_key_move_money_once(
        self, use_cases: UseCases
    ) -> None:
        source, destination = await open_funded(use_cases, 100), await open_funded(use_cases, 0)
        request = TransferRequest(source.id, destination.id, eur(30), idempotency_key="k-2")

        outcomes = await asyncio.gather(
            *(use_cases.transfer_funds(ALICE, request) for _ in range(5))
        )

        assert len({outcome.result.id for outcome in outcomes}) == 1
        assert await balance(use_cases, source) == eur(70)

    async def test_errors_when_a_key_is_reused_for_another_transfer(
        self, use_cases: UseCases
    ) -> None:
        source, destination = await open_funded(use_cases, 100), await open_funded(use_cases, 0)
        await use_cases.transfer_funds(
            ALICE, TransferRequest(source.id, destination.id, eur(30), idempotency_key="k-3")
        )

        with pytest.raises(IdempotencyKeyReused):
            await use_cases.transfer_funds(
                ALICE, TransferRequest(source.id, destination.id, eur(31), idempotency_key="k-3")
            )


class TestListTransfers:
    async def test_lists_newest_first_with_counterparts(self, use_cases: UseCases) -> None:
        me = await open_funded(use_cases, 100, ALICE, "me@example.com")
        other = await open_funded(use_cases, 100, BOB, "other@example.com")
        await use_cases.transfer_funds(ALICE, TransferRequest(me.id, other.id, eur(1), "t-5"))
        await use_cases.transfer_funds(BOB, TransferRequest(other.id, me.id, eur(2), "t-6"))

        page = await use_cases.list_transfers(ALICE, ListTransfersRequest(me.id))

        assert [line.transfer.amount for line in page.lines] == [eur(2), eur(1)]
        assert [line.incoming for line in page.lines] == [True, False]
        assert [line.counterpart_id for line in page.lines] == [other.id, other.id]

    async def test_each_page_continues_after_the_last_line_of_the_one_before(self) -> None:
        use_cases, me = await paid_out_a_second_apart(range(1, 6))

        first = await use_cases.list_transfers(ALICE, ListTransfersRequest(me.id, limit=2))
        second = await use_cases.list_transfers(
            ALICE, ListTransfersRequest(me.id, limit=2, after=first.continues_after)
        )
        last = await use_cases.list_transfers(
            ALICE, ListTransfersRequest(me.id, limit=2, after=second.continues_after)
        )

        assert [line.transfer.amount for line in first.lines] == [eur(5), eur(4)]
        assert first.continues_after == TransferPosition.of(first.lines[-1].transfer)
        assert [line.transfer.amount for line in second.lines] == [eur(3), eur(2)]
        assert [line.transfer.amount for line in last.lines] == [eur(1)]
        assert last.continues_after is None

    async def test_a_full_last_page_says_it_is_the_last(self) -> None:
        """Whether a line follows is known with the page: no client is sent to an empty one."""
        use_cases, me = await paid_out_a_second_apart(range(1, 5))

        first = await use_cases.list_transfers(ALICE, ListTransfersRequest(me.id, limit=2))
        last = await use_cases.list_transfers(
            ALICE, ListTransfersRequest(me.id, limit=2, after=first.continues_after)
        )

        assert first.continues_after is not None
        assert [line.transfer.amount for line in last.lines] == [eur(2), eur(1)]
        assert last.continues_after is None

    async def test_errors_for_an_unknown_account(self, use_cases: UseCases) -> None:
        with pytest.raises(AccountNotFound):
            await use_cases.list_transfers(ALICE, ListTransfersRequest(new_account_id()))
