"""How far notice delivery is behind: what an operator watches to see the outbox drain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    pending: int
    """Notices still to deliver: due now, waiting for their next attempt, or being delivered."""
    oldest_pending_at: datetime | None
    """When the oldest pending notice was written; None when nothing is pending."""
    parked: int
    """Notices given up on after their last attempt failed: they wait for ``requeue``."""

    def oldest_pending_age(self, now: datetime) -> timedelta:
        """How long the oldest pending notice has waited by ``now``; zero when none waits
        (or when its writer's clock ran ahead of ``now``)."""
        if self.oldest_pending_at is None:
            return timedelta(0)
        return max(now - self.oldest_pending_at, timedelta(0))
