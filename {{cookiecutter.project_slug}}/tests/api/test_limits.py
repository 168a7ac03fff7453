"""Request limits, beyond ``test_protection.py``: a declared length over the limit is
refused before any of the body is read; the deadline ends only the late request, on every
event loop the app serves, and is not confused with a timeout the app raises itself; and
``create_app`` takes both limits from the settings.

The requests go to the tests' ``POST /notes`` (``tests/api/notes.py``).
"""

from __future__ import annotations

import asyncio
from typing import cast

import httpx
from fastapi import FastAPI
from starlette.types import Message

from {{ cookiecutter.package_name }}.adapters.http.limits import RequestLimits
from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.bootstrap import create_app
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.usecases.idempotency import Outcome
from tests.api.api_client import client_of, memory_app
from tests.api.notes import WriteNoteCall, WriteNoteRequest, notes_router, with_notes, write
from tests.api.tokens import api_settings

LIMIT = 1_000
TIMEOUT = 0.2


def app_with(write_note: WriteNoteCall) -> FastAPI:
    """The app over memory, limited to ``LIMIT`` bytes and ``TIMEOUT`` seconds, with
    ``POST /notes`` calling ``write_note``."""
    app = memory_app(api_settings(max_request_body_bytes=LIMIT, request_timeout_seconds=TIMEOUT))
    app.include_router(notes_router(write_note))
    return app


async def slow_write(_principal: Principal, _request: WriteNoteRequest) -> Outcome[str]:
    await asyncio.sleep(TIMEOUT * 10)
    raise AssertionError("the deadline should have ended this request")


async def gives_up(_principal: Principal, _request: WriteNoteRequest) -> Outcome[str]:
    raise TimeoutError("a call inside the app gave up")


async def test_a_declared_length_is_refused_before_any_of_the_body_is_read() -> None:
    app = app_with(slow_write)
    sent: list[Message] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/notes",
        "raw_path": b"/notes",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"10000000")],
        "client": ("127.0.0.1", 1234),
        "server": ("test", 80),
    }

    async def receive() -> Message:
        raise AssertionError("the body was read")

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)

    assert sent[0]["status"] == 413


class TestTimeout:
    async def test_only_the_late_request_times_out_while_others_are_served_around_it(
        self,
    ) -> None:
        async with client_of(app_with(slow_write)) as client:
            slow = asyncio.create_task(write(client))
            fast = [await client.get("/health/live") for _ in range(20)]
            late = await slow
            after = await client.get("/health/live")

        assert [response.status_code for response in fast] == [200] * 20
        assert late.status_code == 504
        assert after.status_code == 200

    def test_the_limit_holds_on_every_event_loop_the_app_serves(self) -> None:
        app = app_with(slow_write)

        async def one_request() -> int:
            async with client_of(app) as client:
                return (await write(client)).status_code

        assert [asyncio.run(one_request()) for _ in range(2)] == [504, 504]

    async def test_a_timeout_raised_by_the_app_itself_is_not_mistaken_for_the_limit(
        self,
    ) -> None:
        transport = httpx.ASGITransport(app=app_with(gives_up), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await write(client)

        assert response.status_code == 500


class TestSettings:
    async def test_bootstrap_applies_the_limits_from_settings(self, settings: Settings) -> None:
        limited = settings.model_copy(
            update={"max_request_body_bytes": 100, "request_timeout_seconds": 7.5}
        )
        app = with_notes(create_app(limited), MemoryUnitOfWorkFactory())

        async with client_of(app) as client:
            response = await write(client, "x" * 100)

        assert response.status_code == 413
        [limits] = [m for m in app.user_middleware if cast(object, m.cls) is RequestLimits]
        assert limits.kwargs == {"max_body_bytes": 100, "timeout_seconds": 7.5}
