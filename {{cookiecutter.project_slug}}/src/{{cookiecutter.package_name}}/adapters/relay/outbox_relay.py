"""Run notice delivery in the background, from startup to a draining shutdown.

The relay is a task of the process, not of any request: a request that finishes or is
cancelled after its commit cannot cancel the delivery of what it wrote. Deliveries are
retried by the outbox's own schedule, so a failed run is logged and the loop goes on.
Notices that run out of attempts are logged too, with the command that retries them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from {{ cookiecutter.package_name }}.usecases.deliver_notices import DeliveryReport

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(
        self,
        deliver: Callable[[], Awaitable[DeliveryReport]],
        *,
        poll_interval: float,
        drain_timeout: float,
    ) -> None:
        self._deliver = deliver
        self._poll_interval = poll_interval
        self._drain_timeout = drain_timeout
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stop polling, then deliver what is still due, for at most ``drain_timeout``."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._drain_timeout):
                while (await self._run_once()).attempted:
                    pass

    async def _run(self) -> None:
        """Deliver, then wait for the next poll unless the batch was full.

        A partial batch means the relay has caught up: claiming again at once would cost
        two transactions for the one or two notices written meanwhile. Waiting for the poll
        lets them gather into one batch, and no notice waits longer than an idle relay
        makes it wait anyway.
        """
        while not self._stopping.is_set():
            report = await self._run_once()
            if not report.backlog:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self._poll_interval)

    async def _run_once(self) -> DeliveryReport:
        try:
            report = await self._deliver()
        except Exception:
            log.exception("notice delivery run failed; retrying in %ss", self._poll_interval)
            return DeliveryReport()
        if report.parked:
            log.warning(
                "%d notice(s) parked: their last attempt failed too. Once the receiver "
                "is back, deliver them again with: {{ cookiecutter.project_slug }} requeue --all",
                report.parked,
            )
        return report
