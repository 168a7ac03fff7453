"""Measure the outbox's backlog: pending and parked notices, and the oldest one's time.

Read by the service in the background for its gauges (wired in ``bootstrap.py``), in
one short read-only transaction: it takes no lock a relay or a transfer waits for.
"""

from __future__ import annotations

from dataclasses import dataclass

from {{ cookiecutter.package_name }}.domain.backlog import OutboxBacklog
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class MeasureBacklog:
    unit_of_work: UnitOfWorkFactory

    async def __call__(self) -> OutboxBacklog:
        async with self.unit_of_work(read_only=True) as uow:
            return await uow.outbox.backlog()
