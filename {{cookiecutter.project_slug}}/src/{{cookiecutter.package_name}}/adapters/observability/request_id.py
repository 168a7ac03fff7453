"""Give every request an id: in the response header, in every log line, on its trace.

A caller's ``X-Request-ID`` is kept when it is a sane token, so ids can follow a request
across services; otherwise a new one is made. One JSON access-log line per request
replaces uvicorn's, because uvicorn logs outside the request's context and cannot see it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("access")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._incoming_id(scope) or uuid.uuid4().hex
        token = current_request_id.set(request_id)
        trace.get_current_span().set_attribute("request.id", request_id)
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %d",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            current_request_id.reset(token)

    @staticmethod
    def _incoming_id(scope: Scope) -> str | None:
        for name, value in scope["headers"]:
            if name == HEADER.encode():
                text = value.decode("latin-1")
                return text if SANE_ID.match(text) else None
        return None
