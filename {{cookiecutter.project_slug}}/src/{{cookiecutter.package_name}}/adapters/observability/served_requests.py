"""Record every HTTP request the app answers: its latency by route, and an access line.

The ``route`` label is the template of the route that matched (``/accounts/{account_id}``),
never the raw path: ids in a label would make one time series per account. Labels stay
few whatever clients send: a request no route matched counts as ``unmatched``, a method
HTTP does not define as ``_OTHER`` (OpenTelemetry's convention for ``http.request.method``).

The access line replaces uvicorn's. It is written inside the request's context, so it
carries the request and trace ids, with the route, status and duration as fields of their
own; and only when ``ACCESS_LOG`` is on (the metrics already count every request).
"""

from __future__ import annotations

import logging
import time

from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED_ROUTE = "unmatched"
OTHER_METHOD = "_OTHER"
KNOWN_METHODS = frozenset(
    {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"}
)
NOT_ANSWERED = 500
"""What a request counts as when the app raised before answering: the status that the
server's error handler, outside this middleware, then sends."""

access_logger = logging.getLogger("access")


def route_template(scope: Scope) -> str:
    """The path template of the route the router matched, which it leaves in the scope."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


class ServedRequestRecorder:
    """Plain ASGI middleware: it adds no task and buffers nothing."""

    def __init__(self, app: ASGIApp, *, durations: Histogram, access_log: bool) -> None:
        self.app = app
        self.durations = durations
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), NOT_ANSWERED

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            self._record(scope, status, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route, method = route_template(scope), scope["method"]
        self.durations.labels(
            method=method if method in KNOWN_METHODS else OTHER_METHOD,
            route=route,
            status_code=str(status),
        ).observe(seconds)
        if self.access_log:
            access_logger.info(
                "%s %s %d",
                method,
                scope["path"],
                status,
                extra={
                    "method": method,
                    "path": scope["path"],
                    "route": route,
                    "status_code": status,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )
