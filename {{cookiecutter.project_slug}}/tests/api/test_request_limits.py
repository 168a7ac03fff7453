"""Request limits: a body over the size limit gets 413, a request over the time limit 504."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import cast

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Message

from {{ cookiecutter.package_name }}.adapters.http.app import create_http_app
from {{ cookiecutter.package_name }}.adapters.http.limits import RequestLimits
from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.bootstrap import always_ready, create_app
from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.money import Currency
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.idempotency import Outcome
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from tests.api.tokens import as_owner, principal, verifier

LIMIT = 1_000
TIMEOUT = 0.2
ACCOUNT = {"owner_email": "a@example.com", "currency": "EUR"}


def app_with(use_cases: UseCases) -> FastAPI:
    return create_http_app(
        use_cases,
        token_verifier=verifier(),
        readiness_probe=always_ready,
        max_body_bytes=LIMIT,
        request_timeout_seconds=TIMEOUT,
    )


def client_of(app: FastAPI) -> httpx.AsyncClient:
    """A client whose requests are the owner's, so the limits are what they meet."""
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://test", headers=as_owner())


@pytest.fixture
def unit_of_work() -> MemoryUnitOfWorkFactory:
    return MemoryUnitOfWorkFactory()


@pytest.fixture
async def client(unit_of_work: MemoryUnitOfWorkFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(app_with(UseCases.wired_to(unit_of_work))) as client:
        yield client


def stored_accounts(unit_of_work: MemoryUnitOfWorkFactory) -> int:
    return len(unit_of_work.store.committed.accounts)


def padded_account(size: int) -> bytes:
    """A valid account body of exactly ``size`` bytes (JSON allows trailing spaces)."""
    body = b'{"owner_email": "a@example.com", "currency": "EUR"}'
    return body + b" " * (size - len(body))


class TestBodySize:
    async def test_a_body_at_the_limit_is_served(
        self, client: httpx.AsyncClient, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        response = await client.post(
            "/accounts", content=padded_account(LIMIT), headers={"content-type": "application/json"}
        )

        assert response.status_code == 201, response.text
        assert stored_accounts(unit_of_work) == 1

    async def test_a_declared_length_over_the_limit_is_refused_with_a_json_413(
        self, client: httpx.AsyncClient, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        response = await client.post(
            "/accounts",
            content=padded_account(LIMIT + 1),
            headers={"content-type": "application/json"},
        )

        assert response.status_code == 413
        assert response.json()["error"]["code"] == "request_too_large"
        assert stored_accounts(unit_of_work) == 0

    async def test_a_declared_length_is_refused_before_any_of_the_body_is_read(
        self, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        app = app_with(UseCases.wired_to(unit_of_work))
        sent: list[Message] = []
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/accounts",
            "raw_path": b"/accounts",
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

    async def test_a_streamed_body_is_cut_off_at_the_limit(
        self, client: httpx.AsyncClient, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        chunks_read = 0

        async def endless_body() -> AsyncIterator[bytes]:
            nonlocal chunks_read
            yield b'{"owner_email": "'
            while True:
                chunks_read += 1
                yield b"a" * 100

        # No Content-Length: the size is only known by counting while it streams in.
        response = await client.post(
            "/accounts", content=endless_body(), headers={"content-type": "application/json"}
        )

        assert response.status_code == 413
        assert response.json()["error"]["code"] == "request_too_large"
        assert chunks_read <= LIMIT // 100 + 1
        assert stored_accounts(unit_of_work) == 0

    async def test_a_content_length_that_is_not_a_number_is_a_400(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post("/accounts", content=b"{}", headers={"content-length": "two"})

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_content_length"


def slow_open_account(unit_of_work: MemoryUnitOfWorkFactory) -> UseCases:
    """Use cases whose ``open_account`` stores the account, then stalls before committing."""

    async def open_account(caller: Principal, request: OpenAccountRequest) -> Outcome[Account]:
        account = Account.open(caller.subject, request.owner_email, request.currency)
        async with unit_of_work() as uow:
            await uow.accounts.add(account)
            await asyncio.sleep(60)
            await uow.commit()
        return Outcome(account, replayed=False)

    return dataclasses.replace(UseCases.wired_to(unit_of_work), open_account=open_account)


class TestTimeout:
    async def test_a_write_over_the_time_limit_gets_a_json_504_outcome_unknown(
        self, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        """The deadline might have cut a commit short, so the answer never says nothing
        was done; here it was stalled before committing, so indeed nothing is kept."""
        async with client_of(app_with(slow_open_account(unit_of_work))) as client:
            response = await client.post("/accounts", json=ACCOUNT)

        assert response.status_code == 504
        assert response.json()["error"]["code"] == "outcome_unknown"
        assert "same Idempotency-Key" in response.json()["error"]["message"]
        assert stored_accounts(unit_of_work) == 0

    async def test_only_the_late_request_times_out_while_others_are_served_around_it(
        self, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        opened = (
            await UseCases.wired_to(unit_of_work).open_account(
                principal(), OpenAccountRequest("a@example.com", Currency.EUR)
            )
        ).result
        async with client_of(app_with(slow_open_account(unit_of_work))) as client:
            slow = asyncio.create_task(client.post("/accounts", json=ACCOUNT))
            fast = [await client.get(f"/accounts/{opened.id}") for _ in range(20)]
            late = await slow
            after = await client.get(f"/accounts/{opened.id}")

        assert [response.status_code for response in fast] == [200] * 20
        assert late.status_code == 504
        assert after.status_code == 200

    def test_the_limit_holds_on_every_event_loop_the_app_serves(
        self, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        app = app_with(slow_open_account(unit_of_work))

        async def one_request() -> int:
            async with client_of(app) as client:
                return (await client.post("/accounts", json=ACCOUNT)).status_code

        assert [asyncio.run(one_request()) for _ in range(2)] == [504, 504]

    async def test_a_timeout_raised_by_the_app_itself_is_not_mistaken_for_the_limit(
        self, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        async def get_account(_principal: Principal, _account_id: AccountId) -> Account:
            raise TimeoutError("a call inside the app gave up")

        use_cases = dataclasses.replace(UseCases.wired_to(unit_of_work), get_account=get_account)
        transport = httpx.ASGITransport(app=app_with(use_cases), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.get(f"/accounts/{uuid.UUID(int=1)}", headers=as_owner())

        assert response.status_code == 500


class TestSettings:
    @pytest.fixture
    def limited(self, settings: Settings) -> Settings:
        return settings.model_copy(
            update={"max_request_body_bytes": 100, "request_timeout_seconds": 7.5}
        )

    async def test_bootstrap_applies_the_limits_from_settings(self, limited: Settings) -> None:
        app = create_app(limited)

        async with client_of(app) as client:
            response = await client.post("/accounts", content=padded_account(101))

        assert response.status_code == 413
        [limits] = [m for m in app.user_middleware if cast(object, m.cls) is RequestLimits]
        assert limits.kwargs == {"max_body_bytes": 100, "timeout_seconds": 7.5}
