"""Deliver notices from the outbox: at least once, retried for about a day, then parked.

Runs outside any request (the relay calls it), in three short steps so no transaction
stays open while a slow receiver is called: claim a batch (commit), deliver its notices
concurrently, all within the timeout, record the outcomes (commit). Two transactions
per batch, not per notice, so delivery keeps up with a busy {% if cookiecutter.example == "ledger" %}ledger{% else %}service{% endif %}; the batch size bounds
how many calls a receiver gets at once.

A receiver that is down is retried ever less often (doubling waits, capped), so an
outage of hours costs a few dozen calls per notice, and its notices go out within one
capped wait of its return. Only after ``max_attempts`` does a notice park: the relay
logs it, and the ``requeue`` command gives it another round (``requeue_notices.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from {{ cookiecutter.package_name }}.domain.notice import PendingNotice
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.notifier import Notifier
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """When to try a notice again, and when to give up; the defaults are the settings'.

    Without jitter: the relay is the receiver's only caller and already meters its calls
    (one batch at a time per process), so notices that fell due together queue instead of
    stampeding, and the schedule stays the same on every run.
    """

    timeout: timedelta = timedelta(seconds=5)
    max_attempts: int = 36
    first_backoff: timedelta = timedelta(seconds=1)
    max_backoff: timedelta = timedelta(hours=1)
    batch_size: int = 50

    @property
    def lease(self) -> timedelta:
        """Long enough to try the whole batch (concurrently, each call within ``timeout``)
        and record the outcomes before another relay may claim it; also how long the
        notices of a relay that crashed mid-batch wait."""
        return self.timeout * 2

    def backoff(self, failed_attempts: int) -> timedelta:
        """The wait after that many failures: doubling from ``first_backoff`` (1 s, 2 s,
        4 s, ...) until it reaches ``max_backoff``, then ``max_backoff`` every time."""
        wait = self.first_backoff
        for _ in range(failed_attempts - 1):
            if wait >= self.max_backoff:
                break
            wait *= 2
        return min(wait, self.max_backoff)

    @property
    def parks_after(self) -> timedelta:
        """How long after its first attempt a notice that always fails is parked: the
        waits between its ``max_attempts`` attempts (the attempts' own time aside)."""
        waits = (self.backoff(failed) for failed in range(1, self.max_attempts))
        return sum(waits, timedelta(0))


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    parked: int = 0
    backlog: bool = False
    """The batch was full, so more notices may be due right now."""

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.parked


@dataclass(frozen=True, slots=True)
class DeliverNotices:
    unit_of_work: UnitOfWorkFactory
    notifier: Notifier
    policy: DeliveryPolicy = DeliveryPolicy()
    clock: Clock = utc_now

    async def __call__(self) -> DeliveryReport:
        async with self.unit_of_work() as uow:
            claimed = await uow.outbox.claim(
                limit=self.policy.batch_size, now=self.clock(), lease=self.policy.lease
            )
            await uow.commit()
        if not claimed:
            return DeliveryReport()  # an idle poll: no second transaction
        delivered = await self._deliver_all(claimed)
        outcomes = list(zip(claimed, delivered, strict=True))
        return await self._record(outcomes, backlog=len(claimed) >= self.policy.batch_size)

    async def _deliver_all(self, claimed: Sequence[PendingNotice]) -> list[bool]:
        """Call the notifier for every notice at once; which calls succeeded in time.

        The calls start together, so one deadline for the batch is the same as one per
        call, and costs one timer instead of one per notice. A call still running at the
        deadline is cancelled and counts as failed.
        """
        succeeded = [False] * len(claimed)

        async def deliver(index: int, pending: PendingNotice) -> None:
            try:
                await self.notifier.notify(pending.notice)
            except Exception:  # any failure of the receiver means "try again later"
                return
            succeeded[index] = True

        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.policy.timeout.total_seconds()):
                await asyncio.gather(*(deliver(i, pending) for i, pending in enumerate(claimed)))
        return succeeded

    async def _record(
        self, outcomes: list[tuple[PendingNotice, bool]], *, backlog: bool
    ) -> DeliveryReport:
        delivered = [pending.notice.id for pending, ok in outcomes if ok]
        failures = [pending for pending, ok in outcomes if not ok]
        retried = parked = 0
        now = self.clock()
        async with self.unit_of_work() as uow:
            await uow.outbox.mark_delivered(delivered, at=now)
            for pending in failures:
                failed, notice_id = pending.failed_attempts + 1, pending.notice.id
                if failed >= self.policy.max_attempts:
                    await uow.outbox.mark_failed(notice_id, now=now, retry_after=None)
                    parked += 1
                else:
                    retry_after = self.policy.backoff(failed)
                    await uow.outbox.mark_failed(notice_id, now=now, retry_after=retry_after)
                    retried += 1
            await uow.commit()
        return DeliveryReport(len(delivered), retried, parked, backlog)
