"""Give parked notices another round of delivery: what an operator runs once the
receiver that kept failing is back (``{{ cookiecutter.project_slug }} requeue``).

A requeued notice starts over: due at once, with its failed attempts forgotten, so it
gets the whole retry schedule again rather than parking after one more failure. One
short transaction; the relays pick the notices up at their next poll.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from {{ cookiecutter.package_name }}.domain.ids import NoticeId
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class RequeueReport:
    requeued: Sequence[NoticeId]
    not_parked: Sequence[NoticeId] = ()
    """Ids asked for that name no parked notice: unknown, still pending, or delivered."""


@dataclass(frozen=True, slots=True)
class RequeueNotices:
    unit_of_work: UnitOfWorkFactory
    clock: Clock = utc_now

    async def __call__(self, notice_ids: Collection[NoticeId]) -> RequeueReport:
        """Requeue these notices, those of them that are parked."""
        requeued = await self._requeue(notice_ids)
        not_parked = set(notice_ids) - set(requeued)
        return RequeueReport(requeued, sorted(not_parked))

    async def every_parked_notice(self) -> RequeueReport:
        return RequeueReport(await self._requeue(None))

    async def _requeue(self, notice_ids: Collection[NoticeId] | None) -> Sequence[NoticeId]:
        async with self.unit_of_work() as uow:
            requeued = await uow.outbox.requeue(notice_ids, now=self.clock())
            await uow.commit()
        return requeued
