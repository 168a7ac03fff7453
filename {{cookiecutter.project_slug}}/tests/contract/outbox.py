"""Notices for the outbox contracts, and the calls a relay makes, each in its own commit.

Every call passes ``NOW`` (or a time near it) as the caller's clock. The memory storage
schedules by it; SQL storages by the database's own clock, which reads later than any of
these test times. Each contract holds on both because it only says "later than", never
"at": a lease or a retry that counts from now is due after it, and one that counts zero
from now is due at once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from {{ cookiecutter.package_name }}.domain.ids import NoticeId, new_notice_id
from {{ cookiecutter.package_name }}.domain.notice import Notice, PendingNotice
from tests.contract.implementations import Storage
from tests.contract.{% if cookiecutter.example == "ledger" %}ledger{% else %}material{% endif %} import minutes

LEASE = timedelta(minutes=5)
LONG_AGO = minutes(0)
"""When the test notices are written, at the earliest."""
NOW = minutes(10)
"""The caller's clock, after every test notice was written."""
A_DAY = timedelta(days=1)


def notice(created_at: datetime = LONG_AGO, n: int = 0) -> Notice:
    return Notice(new_notice_id(), "test.happened", created_at, {"n": str(n)})


async def claim(
    storage: Storage, *, now: datetime = NOW, limit: int = 10, lease: timedelta = LEASE
) -> list[PendingNotice]:
    async with storage.unit_of_work() as uow:
        claimed = await uow.outbox.claim(limit=limit, now=now, lease=lease)
        await uow.commit()
    return list(claimed)


async def fail(
    storage: Storage, notice_id: NoticeId, *, retry_after: timedelta | None, now: datetime = NOW
) -> None:
    """One failed attempt: due again ``retry_after`` from now, or parked if None."""
    async with storage.unit_of_work() as uow:
        await uow.outbox.mark_failed(notice_id, now=now, retry_after=retry_after)
        await uow.commit()


async def deliver(storage: Storage, notice_ids: Collection[NoticeId]) -> None:
    async with storage.unit_of_work() as uow:
        await uow.outbox.mark_delivered(notice_ids, at=NOW)
        await uow.commit()


async def requeue(
    storage: Storage, notice_ids: Collection[NoticeId] | None, *, now: datetime = NOW
) -> Sequence[NoticeId]:
    async with storage.unit_of_work() as uow:
        requeued = await uow.outbox.requeue(notice_ids, now=now)
        await uow.commit()
    return requeued
