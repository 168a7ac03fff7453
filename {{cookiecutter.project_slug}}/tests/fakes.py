"""Stand-ins for the world outside the use cases, kept together here.

Fakes of the ports that have no in-memory adapter in the product: each one implements its
port explicitly, so mypy keeps it honest when the port changes. And the principals the
tests act as: what a verified token would hand the use cases.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.domain.ports.notifier import Notifier
from {{ cookiecutter.package_name }}.domain.principal import Principal

WAIT_SECONDS = 5.0

{% if cookiecutter.example == "ledger" %}ALICE = Principal.of("alice", "ledger:read ledger:write")
"""A customer: opens accounts, reads them and moves money out of them."""
BOB = Principal.of("bob", "ledger:read ledger:write")
"""Another customer, with the same rights as ``ALICE`` over accounts of his own."""
TREASURER = Principal.of("treasurer", "ledger:admin")
"""An administrator: deposits into anyone's account, and may do nothing else."""{% else %}ALICE = Principal.of("alice", "service:read service:write")
"""A user: creates things, reads them and changes her own."""
BOB = Principal.of("bob", "service:read service:write")
"""Another user, with the same rights as ``ALICE`` over things of his own."""
TREASURER = Principal.of("treasurer", "service:admin")
"""An administrator, who may read or write nothing of the users'."""{% endif %}


class RecordingNotifier(Notifier):
    """Keeps every notice it is given, and lets a test wait for one."""

    def __init__(self) -> None:
        self.notices: list[Notice] = []
        self._received = asyncio.Event()

    async def notify(self, notice: Notice) -> None:
        self.notices.append(notice)
        self._received.set()

    async def wait_for(self, count: int) -> list[Notice]:
        """The notices, once ``count`` have arrived; fails after a few seconds."""
        async with asyncio.timeout(WAIT_SECONDS):
            while len(self.notices) < count:
                self._received.clear()
                await self._received.wait()
        return self.notices


class FailingNotifier(Notifier):
    """A receiver that is down: every delivery attempt raises."""

    def __init__(self) -> None:
        self.attempted: list[Notice] = []

    async def notify(self, notice: Notice) -> None:
        self.attempted.append(notice)
        raise ConnectionError("receiver unreachable")


class HangingNotifier(Notifier):
    """A receiver that never answers: only a timeout ends the attempt."""

    async def notify(self, notice: Notice) -> None:
        await asyncio.Event().wait()


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta
