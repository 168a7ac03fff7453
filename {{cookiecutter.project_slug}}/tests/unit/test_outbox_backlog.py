"""The age an operator is alerted on: how long the oldest pending notice has waited."""

from datetime import UTC, datetime, timedelta

from {{ cookiecutter.package_name }}.domain.backlog import OutboxBacklog

WRITTEN = datetime(2030, 1, 1, tzinfo=UTC)


def test_counts_from_when_the_oldest_pending_notice_was_written() -> None:
    measured = OutboxBacklog(pending=2, oldest_pending_at=WRITTEN, parked=0)

    assert measured.oldest_pending_age(WRITTEN + timedelta(minutes=15)) == timedelta(minutes=15)


def test_is_zero_when_nothing_waits_or_the_writer_s_clock_ran_ahead() -> None:
    nothing = OutboxBacklog(pending=0, oldest_pending_at=None, parked=4)
    from_the_future = OutboxBacklog(pending=1, oldest_pending_at=WRITTEN, parked=0)

    assert nothing.oldest_pending_age(WRITTEN) == timedelta(0)
    assert from_the_future.oldest_pending_age(WRITTEN - timedelta(seconds=3)) == timedelta(0)
