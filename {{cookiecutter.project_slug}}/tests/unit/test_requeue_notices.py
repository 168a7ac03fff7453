"""Requeuing parked notices: they are delivered again, from a fresh start."""

from datetime import timedelta

import pytest

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.ids import NoticeId, new_notice_id
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.deliver_notices import DeliverNotices, DeliveryPolicy
from {{ cookiecutter.package_name }}.usecases.deposit import DepositRequest
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from {{ cookiecutter.package_name }}.usecases.requeue_notices import RequeueNotices, RequeueReport
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.fakes import ALICE, BOB, TREASURER, FailingNotifier, ManualClock, RecordingNotifier

GIVE_UP_AT_ONCE = DeliveryPolicy(max_attempts=1)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def use_cases(unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock) -> UseCases:
    return UseCases.wired_to(unit_of_work, clock=clock)


async def transfers(use_cases: UseCases, count: int) -> None:
    """``count`` transfers from Alice to Bob: as many notices to deliver."""
    source: Account = (
        await use_cases.open_account(ALICE, OpenAccountRequest("a@example.com", Currency.EUR))
    ).result
    destination = (
        await use_cases.open_account(BOB, OpenAccountRequest("b@example.com", Currency.EUR))
    ).result
    await use_cases.deposit(TREASURER, DepositRequest(source.id, Money(100, Currency.EUR), "f"))
    for n in range(count):
        request = TransferRequest(source.id, destination.id, Money(1, Currency.EUR), f"t-{n}")
        await use_cases.transfer_funds(ALICE, request)


async def parked_notices(
    use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock, count: int
) -> list[NoticeId]:
    """Notices whose receiver failed their one attempt."""
    await transfers(use_cases, count)
    receiver_down = FailingNotifier()
    report = await DeliverNotices(unit_of_work, receiver_down, GIVE_UP_AT_ONCE, clock=clock)()
    assert report.parked == count
    return [notice.id for notice in receiver_down.attempted]


async def test_requeued_notices_are_delivered_at_the_next_run(
    use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
) -> None:
    first, _still_parked = await parked_notices(use_cases, unit_of_work, clock, 2)
    receiver_back = RecordingNotifier()
    deliver = DeliverNotices(unit_of_work, receiver_back, clock=clock)

    report = await RequeueNotices(unit_of_work, clock)([first])
    await deliver()

    assert report == RequeueReport(requeued=[first], not_parked=[])
    assert [notice.id for notice in receiver_back.notices] == [first]


async def test_a_requeued_notice_gets_every_attempt_again(
    use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
) -> None:
    [parked] = await parked_notices(use_cases, unit_of_work, clock, 1)
    await RequeueNotices(unit_of_work, clock)([parked])
    three_attempts = DeliveryPolicy(max_attempts=3, first_backoff=timedelta(0))
    deliver = DeliverNotices(unit_of_work, FailingNotifier(), three_attempts, clock=clock)

    reports = [await deliver() for _ in range(3)]

    assert [(r.retried, r.parked) for r in reports] == [(1, 0), (1, 0), (0, 1)]


async def test_ids_of_no_parked_notice_are_reported_and_left_alone(
    use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
) -> None:
    [parked] = await parked_notices(use_cases, unit_of_work, clock, 1)
    unknown = new_notice_id()

    report = await RequeueNotices(unit_of_work, clock)([parked, unknown])

    assert report == RequeueReport(requeued=[parked], not_parked=[unknown])


async def test_every_parked_notice_can_be_requeued_at_once(
    use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
) -> None:
    parked = await parked_notices(use_cases, unit_of_work, clock, 3)
    receiver_back = RecordingNotifier()

    report = await RequeueNotices(unit_of_work, clock).every_parked_notice()
    await DeliverNotices(unit_of_work, receiver_back, clock=clock)()

    assert sorted(report.requeued) == sorted(parked)
    assert sorted(notice.id for notice in receiver_back.notices) == sorted(parked)
