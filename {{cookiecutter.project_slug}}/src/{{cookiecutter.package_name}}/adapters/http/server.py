"""uvicorn's server, telling the app the moment shutdown begins.

On SIGTERM uvicorn stops accepting connections, lets in-flight requests finish (for at
most its ``timeout_graceful_shutdown``), then runs the app's shutdown (the outbox relay
drains). Readiness must say "not ready" from the first moment, not once it is all over:
``handle_exit``, the method uvicorn calls for the signal, is where that moment is.

With several worker processes, uvicorn's supervisor runs its own ``uvicorn.Server`` in
each worker, and the parent passes SIGTERM on to every worker. There the app factory
calls ``tell_on_stop_signals``, which puts the same first step in front of that server's
handler.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
"""What uvicorn's server stops on (``uvicorn.server.HANDLED_SIGNALS`` on POSIX)."""


class GracefulServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, *, on_shutdown_begins: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_shutdown_begins = on_shutdown_begins

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._on_shutdown_begins()
        super().handle_exit(sig, frame)


def tell_on_stop_signals(on_shutdown_begins: Callable[[], None]) -> bool:
    """In a worker process: have each stop signal call ``on_shutdown_begins``, then the
    handler of the uvicorn server that handles it now, as ``GracefulServer`` does.

    uvicorn loads the app (calls the factory) once its server handles the signals, and
    puts its previous handlers back when it stops, ours with them. False, with nothing
    changed, when no uvicorn server handles them: the factory ran some other way.
    """
    told = False
    for stop_signal in STOP_SIGNALS:
        handler = signal.getsignal(stop_signal)
        if not callable(handler) or not isinstance(
            getattr(handler, "__self__", None), uvicorn.Server
        ):
            continue

        def first_tell_the_app(
            signum: int, frame: FrameType | None, then: Callable[..., Any] = handler
        ) -> None:
            on_shutdown_begins()
            then(signum, frame)

        signal.signal(stop_signal, first_tell_the_app)
        told = True
    return told
