"""The outbox's backlog as Prometheus gauges: pending notices, the oldest one's age, parked.

Counting the backlog is a query, and a scrape must never wait for one on the event loop,
so the gauges are not computed when scraped. A background task of the service
(``Periodic``, wired in ``bootstrap.py``) measures the backlog every few seconds and
sets them; a scrape reads the last values. It runs apart from the relay on purpose: a
relay that hangs is what the oldest-pending age must reveal, so its measure cannot
depend on the relay's loop going round.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from prometheus_client import CollectorRegistry, Gauge

from {{ cookiecutter.package_name }}.domain.backlog import OutboxBacklog
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock


class OutboxGauges:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.pending = Gauge(
            "outbox_pending_notices",
            "Notices not delivered yet: due, waiting for their next attempt, or in delivery.",
            registry=registry,
        )
        self.oldest_pending_age = Gauge(
            "outbox_oldest_pending_age_seconds",
            "How long the oldest pending notice has waited since it was written; 0 if none.",
            registry=registry,
        )
        self.parked = Gauge(
            "outbox_parked_notices",
            "Notices given up on after their last attempt failed; they wait for `requeue`.",
            registry=registry,
        )

    def show(self, backlog: OutboxBacklog, *, now: datetime) -> None:
        self.pending.set(backlog.pending)
        self.oldest_pending_age.set(backlog.oldest_pending_age(now).total_seconds())
        self.parked.set(backlog.parked)

    def refresher(
        self, measure: Callable[[], Awaitable[OutboxBacklog]], clock: Clock
    ) -> Callable[[], Awaitable[None]]:
        """What the background task runs: measure the backlog, then show it."""

        async def refresh() -> None:
            self.show(await measure(), now=clock())

        return refresh
