"""Request limits as plain ASGI middleware: a maximum body size and a time limit.

Both answer with the API's JSON error shape. Plain ASGI (no ``BaseHTTPMiddleware``) so
they see the body as it streams in and add no task or buffering of their own.
"""

from __future__ import annotations

import asyncio
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from {{ cookiecutter.package_name }}.adapters.http.deadlines import Deadlines
from {{ cookiecutter.package_name }}.adapters.http.errors import error_response


class _BodyTooLarge(Exception):
    """Raised into the app by ``receive`` when the body goes over the limit."""


class BodySizeLimit:
    """Answer 413 to a request whose body is larger than ``max_bytes``.

    A ``Content-Length`` over the limit is refused before the app runs and before any of
    the body is read. A body without one (chunked) is counted as it streams in: at the
    first byte over the limit the app's ``receive`` raises, whatever the app answers then
    is dropped, and the client gets the 413 instead.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        self.app = app
        self.max_bytes = max_bytes

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
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        if declared is not None or not chunked:
            # The server delivers at most Content-Length bytes, and no body at all without
            # Content-Length or chunked encoding (RFC 9112): nothing left to count, so the
            # common request pays for no wrapper.
            await self.app(scope, receive, send)
            return

        received = 0
        exceeded = started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to a body it could not read: replaced below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is larger than {self.max_bytes} bytes"
        await error_response(413, "request_too_large", message)(scope, receive, send)


class RequestTimeout:
    """Answer 504 to a request the app has not started answering within ``seconds``.

    The app's work is cancelled, so a unit of work in progress rolls back. Once the
    response has started its status cannot change: the request is then cut short instead
    (``TimeoutError``). One timer serves all the requests of an event loop
    (``deadlines.py`` says why).
    """

    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        self.app = app
        self.seconds = seconds
        self._deadlines: Deadlines | None = None

    def _deadlines_of(self, loop: asyncio.AbstractEventLoop) -> Deadlines:
        deadlines = self._deadlines
        if deadlines is None or deadlines.loop is not loop:
            deadlines = self._deadlines = Deadlines(loop, self.seconds)
        return deadlines

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        task = asyncio.current_task()
        if scope["type"] != "http" or task is None:
            await self.app(scope, receive, send)
            return
        deadlines = self._deadlines_of(asyncio.get_running_loop())
        deadlines.watch(task)
        started = expired = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except asyncio.CancelledError:
            expired = deadlines.forget(task)
            if not expired or task.uncancel() > 0:
                raise  # not ours, or cancelled by someone else as well
        finally:
            if not expired and deadlines.forget(task):
                task.uncancel()  # the app swallowed our cancellation and answered anyway
        if expired:
            message = f"the request took longer than {self.seconds:g} seconds"
            if started:
                raise TimeoutError(message)
            await error_response(504, "request_timeout", message)(scope, receive, send)


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
