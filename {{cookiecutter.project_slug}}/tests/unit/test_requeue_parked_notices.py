"""Requeuing parked notices: they are delivered again, from a fresh start."""

from datetime import timedelta

import pytest

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.ids import NoticeId, new_notice_id
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.usecases.deliver_notices import DeliverNotices, DeliveryPolicy
from {{ cookiecutter.package_name }}.usecases.requeue_notices import RequeueNotices, RequeueReport
from tests.fakes import FailingNotifier, ManualClock, RecordingNotifier

GIVE_UP_AT_ONCE = DeliveryPolicy(max_attempts=1)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


async def parked_notices(
    unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock, count: int
) -> list[NoticeId]:
    """``count`` notices, committed as a use case commits them, whose receiver failed
    their one attempt."""
    async with unit_of_work() as uow:
        for n in range(count):
            await uow.outbox.put(Notice.new("test.happened", at=clock(), n=str(n)))
        await uow.commit()
    receiver_down = FailingNotifier()
    report = await DeliverNotices(unit_of_work, receiver_down, GIVE_UP_AT_ONCE, clock=clock)()
    assert report.parked == count
    return [notice.id for notice in receiver_down.attempted]


async def test_requeued_notices_are_delivered_at_the_next_run(
    unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
) -> None:
    first, _still_parked = await parked_notices(unit_of_work, clock, 2)
    receiver_back = RecordingNotifier()
    deliver = DeliverNotices(unit_of_work, receiver_back, clock=clock)

    report = await RequeueNotices(unit_of_work, clock)([first])
    await deliver()

    assert report == RequeueReport(requeued=[first], not_parked=[])
    assert [notice.id for notice in receiver_back.notices] == [first]


async def test_a_requeued_notice_gets_every_attempt_again(
    unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
) -> None:
    [parked] = await parked_notices(unit_of_work, clock, 1)
    await RequeueNotices(unit_of_work, clock)([parked])
    three_attempts = DeliveryPolicy(max_attempts=3, first_backoff=timedelta(0))
    deliver = DeliverNotices(unit_of_work, FailingNotifier(), three_attempts, clock=clock)

    reports = [await deliver() for _ in range(3)]

    assert [(r.retried, r.parked) for r in reports] == [(1, 0), (1, 0), (0, 1)]


async def test_ids_of_no_parked_notice_are_reported_and_left_alone(
    unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
) -> None:
    [parked] = await parked_notices(unit_of_work, clock, 1)
    unknown = new_notice_id()

    report = await RequeueNotices(unit_of_work, clock)([parked, unknown])

    assert report == RequeueReport(requeued=[parked], not_parked=[unknown])


async def test_every_parked_notice_can_be_requeued_at_once(
    unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
) -> None:
    parked = await parked_notices(unit_of_work, clock, 3)
    receiver_back = RecordingNotifier()

    report = await RequeueNotices(unit_of_work, clock).every_parked_notice()
    await DeliverNotices(unit_of_work, receiver_back, clock=clock)()

    assert sorted(report.requeued) == sorted(parked)
    assert sorted(notice.id for notice in receiver_back.notices) == sorted(parked)
