"""A real HTTP server on loopback that records the webhooks it receives.

``http.server`` in a thread of its own: another HTTP stack than the service's, so what it
records is what went over the wire. It answers 204 unless a test queues other statuses,
or holds each request unanswered (``hang``) until the test is over. Tests wait for it
with ``await asyncio.to_thread(receiver.wait_until, ...)``, which leaves the event loop,
and the relay on it, running.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self, cast

WAIT_SECONDS = 5.0
SHUTDOWN_POLL_SECONDS = 0.02
"""How often the server looks whether to stop (the default, half a second, per test)."""


@dataclass(frozen=True, slots=True)
class Delivery:
    headers: dict[str, str]
    """Every header, its name in lower case."""
    body: bytes
    """The body exactly as it came: what the signature covers."""


class WebhookReceiver:
    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.answers: list[int] = []
        """Statuses for the next requests, in order; 204 once they are used up."""
        self.hang = False
        """Leave every request unanswered until the receiver stops."""
        self.closed_connections = 0
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
            daemon=True,
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/webhooks"

    def wait_until(self, condition: Callable[[WebhookReceiver], bool]) -> None:
        """Block until ``condition(self)`` holds; fail after a few seconds."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: condition(self), timeout=WAIT_SECONDS)
        assert arrived, "the receiver waited in vain"

    def record(self, delivery: Delivery) -> int | None:
        """The server's: keep ``delivery``; the status to answer, or None to answer nothing."""
        with self._changed:
            self.deliveries.append(delivery)
            self._changed.notify_all()
            hang = self.hang
            status = self.answers.pop(0) if self.answers else 204
        if hang:
            self._stopping.wait()
            return None
        return status

    def connection_closed(self) -> None:
        """The server's: the client closed a connection (the service, shutting down)."""
        with self._changed:
            self.closed_connections += 1
            self._changed.notify_all()

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stopping.set()  # lets hanging requests go
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, receiver: WebhookReceiver) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.receiver = receiver


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections open, as real receivers do

    def do_POST(self) -> None:
        receiver = cast(_Server, self.server).receiver
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        headers = {name.lower(): value for name, value in self.headers.items()}
        status = receiver.record(Delivery(headers, body))
        if status is None:
            self.close_connection = True
            return
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("location", "/elsewhere")
        self.send_header("content-length", "0")
        self.end_headers()

    def finish(self) -> None:
        super().finish()
        cast(_Server, self.server).receiver.connection_closed()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        """Quiet: pytest shows what a failing test needs."""
