"""Run a piece of housekeeping every so often, in the background, for the process's life.

Like the outbox relay, the task belongs to the process, not to a request. A run that
fails is logged and the next one comes at its time: housekeeping is retried by waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, run: Callable[[], Awaitable[object]], *, interval: float, name: str) -> None:
        self._run_once = run
        self._interval = interval
        self._name = name
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        """Stop waiting; a run in progress finishes first (each is one short transaction)."""
        self._stopping.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._run_once()
            except Exception:
                log.exception("%s failed; next run in %ss", self._name, self._interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._interval)
