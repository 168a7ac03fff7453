"""Shutdown, as the HTTP side sees it: once it begins, readiness answers 503.

The server (``adapters/http/server.py``) calls ``begin`` as soon as it is told to stop,
before it drains in-flight requests, so a load balancer still probing this process takes
it out of rotation instead of sending it new work it would refuse.
"""

from __future__ import annotations


class ShutdownSignal:
    def __init__(self) -> None:
        self._begun = False

    def begin(self) -> None:
        """Called from the server's signal handling; setting a flag is all it may do."""
        self._begun = True

    @property
    def begun(self) -> bool:
        return self._begun
