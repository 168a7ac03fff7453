"""Forget idempotency keys past their retention, in small batches.

Run by the service in the background (``adapters/relay/periodic.py``, wired in
``bootstrap.py``), never by hand.
Each batch is its own short transaction, so purging a large backlog never holds locks
for long, and several replicas purging at once share the work instead of blocking.
"""

from __future__ import annotations

from dataclasses import dataclass

from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True, slots=True)
class PurgeExpiredKeys:
    unit_of_work: UnitOfWorkFactory
    clock: Clock = utc_now
    batch_size: int = DEFAULT_BATCH_SIZE

    async def __call__(self) -> int:
        """Delete every key expired by now; return how many were deleted."""
        now, purged = self.clock(), 0
        while True:
            async with self.unit_of_work() as uow:
                batch = await uow.idempotency.purge_expired(now=now, limit=self.batch_size)
                await uow.commit()
            purged += batch
            if batch < self.batch_size:
                return purged
