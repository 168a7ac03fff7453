"""Transfer notices: written with the transfer, delivered at least once, never lost."""

import asyncio
from datetime import timedelta

import pytest

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.errors import InsufficientFunds
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.deliver_notices import DeliverNotices, DeliveryPolicy
from {{ cookiecutter.package_name }}.usecases.deposit import DepositRequest
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.fakes import (
    ALICE,
    BOB,
    TREASURER,
    FailingNotifier,
    HangingNotifier,
    ManualClock,
    RecordingNotifier,
)
from tests.stored_state import MemoryStoredState


class WaitForEachOther(RecordingNotifier):
    """Each call returns only once every notice of the batch has been handed over.

    Delivered one after the other, the first call would wait for ever (here: time out).
    """

    def __init__(self, expected: int) -> None:
        super().__init__()
        self.expected = expected
        self.everyone_called = asyncio.Event()

    async def notify(self, notice: Notice) -> None:
        await super().notify(notice)
        if len(self.notices) == self.expected:
            self.everyone_called.set()
        await self.everyone_called.wait()


NO_BACKOFF = DeliveryPolicy(first_backoff=timedelta(0), max_attempts=3)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def use_cases(unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock) -> UseCases:
    return UseCases.wired_to(unit_of_work, clock=clock)


async def accounts(use_cases: UseCases) -> tuple[Account, Account]:
    """Alice's account, the source, and Bob's, the destination."""
    source = await use_cases.open_account(ALICE, OpenAccountRequest("a@example.com", Currency.EUR))
    destination = await use_cases.open_account(
        BOB, OpenAccountRequest("b@example.com", Currency.EUR)
    )
    return source.result, destination.result


async def transfer(use_cases: UseCases, amount: int = 10) -> None:
    source, destination = await accounts(use_cases)
    await use_cases.deposit(
        TREASURER, DepositRequest(source.id, Money(100, Currency.EUR), f"fund-{source.id}")
    )
    await use_cases.transfer_funds(
        ALICE,
        TransferRequest(source.id, destination.id, Money(amount, Currency.EUR), f"pay-{source.id}"),
    )


class TestNoticeIsWrittenWithTheTransfer:
    async def test_a_completed_transfer_leaves_one_notice_to_deliver(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
    ) -> None:
        notifier = RecordingNotifier()
        await transfer(use_cases, amount=30)

        report = await DeliverNotices(unit_of_work, notifier, clock=clock)()

        assert report.delivered == 1
        [notice] = notifier.notices
        assert notice.kind == "transfer.completed"
        assert notice.payload["amount_minor_units"] == "30"

    async def test_a_refused_transfer_leaves_no_notice(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
    ) -> None:
        source, destination = await accounts(use_cases)

        with pytest.raises(InsufficientFunds):
            await use_cases.transfer_funds(
                ALICE, TransferRequest(source.id, destination.id, Money(1, Currency.EUR), "t-1")
            )

        assert (
            await DeliverNotices(unit_of_work, RecordingNotifier(), clock=clock)()
        ).attempted == 0


class TestDelivery:
    async def test_a_full_batch_reports_a_backlog_and_the_rest_does_not(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
    ) -> None:
        for _ in range(3):
            await transfer(use_cases)
        deliver = DeliverNotices(
            unit_of_work, RecordingNotifier(), DeliveryPolicy(batch_size=2), clock=clock
        )

        full, rest = await deliver(), await deliver()

        assert (full.delivered, full.backlog) == (2, True)
        assert (rest.delivered, rest.backlog) == (1, False)

    async def test_a_delivered_notice_is_not_delivered_again(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
    ) -> None:
        notifier = RecordingNotifier()
        await transfer(use_cases)
        deliver = DeliverNotices(unit_of_work, notifier, clock=clock)

        await deliver()
        clock.advance(timedelta(hours=1))
        await deliver()

        assert len(notifier.notices) == 1

    async def test_a_failing_receiver_is_retried_then_the_notice_is_parked_not_lost(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
    ) -> None:
        notifier = FailingNotifier()
        await transfer(use_cases)
        deliver = DeliverNotices(unit_of_work, notifier, NO_BACKOFF, clock=clock)

        reports = [await deliver() for _ in range(4)]

        assert [(r.retried, r.parked) for r in reports] == [(1, 0), (1, 0), (0, 1), (0, 0)]
        assert len(notifier.attempted) == 3
        stored = MemoryStoredState(unit_of_work.store)
        assert await stored.notice_state(notifier.attempted[0].id) == "parked"

    async def test_a_batch_is_delivered_concurrently_so_a_slow_call_holds_no_other_back(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
    ) -> None:
        for _ in range(3):
            await transfer(use_cases)
        notifier = WaitForEachOther(expected=3)
        policy = DeliveryPolicy(timeout=timedelta(seconds=1))

        report = await DeliverNotices(unit_of_work, notifier, policy, clock=clock)()

        assert (report.delivered, report.retried) == (3, 0)

    async def test_a_receiver_that_hangs_times_out_and_is_retried(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
    ) -> None:
        await transfer(use_cases)
        policy = DeliveryPolicy(timeout=timedelta(milliseconds=10))

        report = await DeliverNotices(unit_of_work, HangingNotifier(), policy, clock=clock)()

        assert report.retried == 1

    async def test_a_relay_that_crashed_mid_delivery_is_covered_when_its_lease_ends(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
    ) -> None:
        await transfer(use_cases)
        policy = DeliveryPolicy()
        async with unit_of_work() as uow:  # a relay claims the notice, then dies
            await uow.outbox.claim(limit=10, now=clock(), lease=policy.lease)
            await uow.commit()
        notifier = RecordingNotifier()
        deliver = DeliverNotices(unit_of_work, notifier, policy, clock=clock)

        during_lease = await deliver()
        clock.advance(policy.lease)
        after_lease = await deliver()

        assert (during_lease.delivered, after_lease.delivered) == (0, 1)


class TestRetrySchedule:
    def test_waits_double_from_the_first_backoff_up_to_the_longest(self) -> None:
        policy = DeliveryPolicy(first_backoff=timedelta(seconds=1), max_backoff=timedelta(hours=1))

        waits = [policy.backoff(failed).total_seconds() for failed in range(1, 15)]

        assert waits == [2.0**n for n in range(12)] + [3600.0, 3600.0]

    def test_by_default_a_notice_is_retried_for_about_a_day_before_it_is_parked(self) -> None:
        policy = DeliveryPolicy()

        assert policy.parks_after == timedelta(seconds=4095) + 23 * timedelta(hours=1)

    def test_no_number_of_attempts_overflows_the_wait(self) -> None:
        policy = DeliveryPolicy(max_attempts=100_000)

        assert policy.backoff(policy.max_attempts) == policy.max_backoff

    async def test_a_failing_notice_is_tried_on_the_schedule_then_parked(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
    ) -> None:
        await transfer(use_cases)
        policy = DeliveryPolicy(
            first_backoff=timedelta(seconds=1), max_backoff=timedelta(seconds=4), max_attempts=5
        )
        deliver = DeliverNotices(unit_of_work, FailingNotifier(), policy, clock=clock)
        tried_at, parked_at = [], []

        for second in range(20):
            report = await deliver()
            tried_at += [second] * report.attempted
            parked_at += [second] * report.parked
            clock.advance(timedelta(seconds=1))

        assert tried_at == [0, 1, 3, 7, 11]  # waits of 1, 2 and 4 s, then 4 s: the longest
        assert parked_at == [11]
