"""The requests in flight on one event loop, all with the same time limit, and one timer.

``asyncio.timeout`` per request makes a timer handle and cancels it again on every
request; with uvloop each is a libuv timer, and in the benchmarks that was the largest
cost this service added to a ``GET``. Every request here has the same limit, so deadlines
fall in arrival order: one timer, set for the oldest deadline still pending, is enough.
When it fires it cancels what is overdue and sets itself for the next oldest, so a busy
server arms about one timer per time limit, and an idle one none.
"""

from __future__ import annotations

import asyncio
from typing import Any

Task = asyncio.Task[Any]


class Deadlines:
    def __init__(self, loop: asyncio.AbstractEventLoop, seconds: float) -> None:
        self.loop = loop
        self._seconds = seconds
        self._pending: dict[Task, float] = {}
        """Oldest first: dicts keep insertion order, and every limit is the same."""
        self._expired: set[Task] = set()
        self._timer: asyncio.TimerHandle | None = None

    def watch(self, task: Task) -> None:
        deadline = self.loop.time() + self._seconds
        self._pending[task] = deadline
        if self._timer is None:
            self._timer = self.loop.call_at(deadline, self._cancel_overdue)

    def forget(self, task: Task) -> bool:
        """Stop watching ``task``; True if it was cancelled for missing its deadline."""
        self._pending.pop(task, None)
        if task in self._expired:
            self._expired.discard(task)
            return True
        return False

    def _cancel_overdue(self) -> None:
        self._timer = None
        now = self.loop.time()
        while self._pending:
            task, deadline = next(iter(self._pending.items()))
            if deadline > now:
                self._timer = self.loop.call_at(deadline, self._cancel_overdue)
                return
            del self._pending[task]
            self._expired.add(task)
            task.cancel()
