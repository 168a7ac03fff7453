"""Relays on hosts whose clocks disagree share one outbox table safely.

On SQL storages every time that decides when a notice is due, or when a lease ends, is
the database's: each test runs a relay (``DeliverNotices``) whose clock is a day off and
shows it acts as if its clock were right. The memory storage lives in one process with
one clock: it schedules by the clock it is given, and is not run here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock
from {{ cookiecutter.package_name }}.usecases.deliver_notices import DeliverNotices, DeliveryPolicy
from tests.contract.implementations import Storage, sql_only
from tests.contract.{% if cookiecutter.example == "ledger" %}ledger{% else %}material{% endif %} import store
from tests.contract.outbox import A_DAY, notice
from tests.fakes import FailingNotifier, RecordingNotifier

LONG_LEASE = DeliveryPolicy(timeout=timedelta(minutes=30))
"""Leases of an hour: no test run outlasts one."""
HOURLY_RETRIES = DeliveryPolicy(first_backoff=timedelta(hours=1))


def clock_off_by(skew: timedelta) -> Clock:
    return lambda: datetime.now(UTC) + skew


def relay(
    storage: Storage,
    notifier: RecordingNotifier | FailingNotifier,
    policy: DeliveryPolicy = LONG_LEASE,
    *,
    skew: timedelta = timedelta(0),
) -> DeliverNotices:
    return DeliverNotices(storage.unit_of_work, notifier, policy, clock_off_by(skew))


async def written_now(storage: Storage) -> Notice:
    made = notice(datetime.now(UTC))
    await store(storage.unit_of_work, notices=[made])
    return made


@sql_only
async def test_a_relay_whose_clock_runs_a_day_fast_leaves_a_leased_notice_alone(
    storage: Storage,
) -> None:
    await written_now(storage)
    async with storage.unit_of_work() as uow:  # a relay with a right clock is delivering it
        leased = await uow.outbox.claim(limit=1, now=datetime.now(UTC), lease=LONG_LEASE.lease)
        await uow.commit()
    assert len(leased) == 1

    fast = RecordingNotifier()
    report = await relay(storage, fast, skew=A_DAY)()

    assert (report.attempted, fast.notices) == (0, [])


@sql_only
async def test_a_relay_whose_clock_runs_a_day_slow_still_waits_out_the_backoff(
    storage: Storage,
) -> None:
    await written_now(storage)
    failed = await relay(storage, FailingNotifier(), HOURLY_RETRIES, skew=-A_DAY)()
    assert failed.retried == 1

    report = await relay(storage, RecordingNotifier(), HOURLY_RETRIES)()

    assert report.attempted == 0, "retried at once: the retry was scheduled by the slow clock"


@sql_only
async def test_a_notice_written_by_a_host_whose_clock_runs_fast_is_due_at_once(
    storage: Storage,
) -> None:
    made = notice(datetime.now(UTC) + A_DAY)
    await store(storage.unit_of_work, notices=[made])
    notifier = RecordingNotifier()

    await relay(storage, notifier)()

    assert notifier.notices == [made]
