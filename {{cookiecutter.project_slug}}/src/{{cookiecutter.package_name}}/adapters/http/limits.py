"""Request limits as plain ASGI middleware: a maximum body size and a time limit.

Both answer with the API's JSON error shape. Plain ASGI (no ``BaseHTTPMiddleware``) so
the limits see the body as it streams in and add no task or buffering of their own.
"""

from __future__ import annotations

import asyncio
import re

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from {{ cookiecutter.package_name }}.adapters.http.errors import error_response
from {{ cookiecutter.package_name }}.domain.errors import OutcomeUnknown


class _BodyTooLarge(Exception):
    """Raised into the app by ``receive`` when the body goes over the limit."""


class RequestLimits:
    """Answer 413 to a body over ``max_body_bytes``, 504 to a request not answered in time.

    Body: a ``Content-Length`` over the limit is refused before the app runs and before
    any of the body is read. A body without one (chunked) is counted as it streams in: at
    the first byte over the limit the app's ``receive`` raises, whatever the app answers
    then is dropped, and the client gets the 413 instead.

    Time: a request the app has not started answering within ``timeout_seconds`` is
    cancelled by ``asyncio.timeout`` and answered 504. A read gets ``request_timeout``. A
    write gets ``outcome_unknown``: the deadline may have fired while its unit of work
    was committing, and then nobody here knows whether the commit happened, so the
    answer never says that nothing was done; a retry with the same ``Idempotency-Key``
    finds out safely. Once the response has started its status cannot change: the
    request is then cut short instead (``TimeoutError``). The deadline is the last resort:
    the database's own timeouts (``lock_timeout``, the pool's) end a stuck request first,
    with an answer that says what happened.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, timeout_seconds: float) -> None:
        if max_body_bytes < 0:
            raise ValueError("max_body_bytes must not be negative")
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            declared, chunked = _body_framing(scope)
        except ValueError:
            response = error_response(400, "invalid_content_length", "Content-Length is invalid")
            await response(scope, receive, send)
            return
        if declared is not None and declared > self.max_body_bytes:
            await self._refuse_body(scope, receive, send)
            return
        # The server delivers at most Content-Length bytes, and no body at all without
        # Content-Length or chunked encoding (RFC 9112): only a chunked body is counted.
        counted = declared is None and chunked
        received = 0
        started = exceeded = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to a body it could not read: replaced below
            started = started or message["type"] == "http.response.start"
            await send(message)

        deadline = asyncio.timeout(self.timeout_seconds)
        try:
            async with deadline:
                await self.app(scope, counting_receive if counted else receive, watched_send)
        except TimeoutError:
            if not deadline.expired():
                raise  # raised by the app itself, not by this time limit
            message = f"the request took longer than {self.timeout_seconds:g} seconds"
            if started:
                raise TimeoutError(message) from None
            await _timed_out(scope["method"], message)(scope, receive, send)
            return
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await self._refuse_body(scope, receive, send)

    async def _refuse_body(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is larger than {self.max_body_bytes} bytes"
        await error_response(413, "request_too_large", message)(scope, receive, send)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing (RFC 9110), so a read cut short has no outcome to report."""


def _timed_out(method: str, message: str) -> JSONResponse:
    if method in SAFE_METHODS:
        return error_response(504, "request_timeout", message)
    return error_response(
        504,
        OutcomeUnknown.code,
        f"{message}; it may or may not have been applied: retry it with the same "
        "Idempotency-Key to find out",
    )


DIGITS = re.compile(rb"[0-9]{1,19}")


def _body_framing(scope: Scope) -> tuple[int | None, bool]:
    """The request's ``Content-Length`` (None if absent) and whether its body is chunked.

    One pass over the headers; ValueError if the length is not a number.
    """
    declared, chunked = None, False
    for name, value in scope["headers"]:
        if name == b"content-length":
            if not DIGITS.fullmatch(value.strip()):
                raise ValueError(value)
            declared = int(value)
        elif name == b"transfer-encoding":
            chunked = chunked or b"chunked" in value.lower()
    return declared, chunked
