"""uvicorn's server, telling the app the moment shutdown begins.

On SIGTERM uvicorn stops accepting connections, lets in-flight requests finish (for at
most its ``timeout_graceful_shutdown``), then runs the app's shutdown (the outbox relay
drains). Readiness must say "not ready" from the first moment, not once it is all over:
``handle_exit``, the method uvicorn calls for the signal, is where that moment is.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FrameType

import uvicorn


class GracefulServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, *, on_shutdown_begins: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_shutdown_begins = on_shutdown_begins

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._on_shutdown_begins()
        super().handle_exit(sig, frame)
