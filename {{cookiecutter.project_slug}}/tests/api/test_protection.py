"""What stands between a request and a use case, on the tests' ``POST /notes``
(``tests/api/notes.py``): the bearer token and its scopes, the body's size, the time a
request may take, and one error body for everything refused on the way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.bootstrap import bootstrap, http_app
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.usecases.idempotency import Outcome
from tests.api.api_client import client_of
from tests.api.notes import WriteNoteRequest, notes_router, with_notes, write, written
from tests.api.tokens import api_settings, as_owner, bearer, token

LIMIT = 1024
"""The body size limit of these tests' app, in bytes."""
DEADLINE = 0.5


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


@pytest.fixture
def unit_of_work() -> MemoryUnitOfWorkFactory:
    return MemoryUnitOfWorkFactory()


@pytest.fixture
def limited() -> Settings:
    return api_settings(max_request_body_bytes=LIMIT, request_timeout_seconds=DEADLINE)


@pytest.fixture
async def client(
    limited: Settings, unit_of_work: MemoryUnitOfWorkFactory
) -> AsyncIterator[httpx.AsyncClient]:
    """The service's app, limits from ``limited``, with ``POST /notes`` over memory."""
    app = with_notes(http_app(bootstrap(limited, unit_of_work=unit_of_work), limited), unit_of_work)
    async with client_of(app) as client:
        yield client


class TestAuthentication:
    async def test_no_token_is_a_401_with_the_bearer_challenge(
        self, client: httpx.AsyncClient, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        response = await client.post("/notes", json={"text": "x"}, headers={"Idempotency-Key": "k"})

        assert response.status_code == 401
        assert error_code(response) == "unauthenticated"
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert await written(unit_of_work) == 0

    @pytest.mark.parametrize(
        "credential",
        [
            "not-a-jwt",
            token(key="another-key-that-the-service-does-not-know-0123456789abcdefgh"),
            token(lifetime=timedelta(seconds=-60)),
        ],
        ids=["garbage", "signed with another key", "expired"],
    )
    async def test_a_token_that_is_not_valid_is_a_401_invalid_token(
        self, client: httpx.AsyncClient, credential: str
    ) -> None:
        response = await write(client, **bearer(credential))

        assert response.status_code == 401
        assert error_code(response) == "invalid_token"
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'

    async def test_a_token_without_the_scope_is_a_403_that_names_it(
        self, client: httpx.AsyncClient, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        response = await write(client, **as_owner(scopes=[Scope.READ]))

        assert response.status_code == 403
        assert error_code(response) == "insufficient_scope"
        assert f'scope="{Scope.WRITE}"' in response.headers["WWW-Authenticate"]
        assert await written(unit_of_work) == 0


class TestBodySize:
    async def test_a_body_at_the_limit_is_served(self, client: httpx.AsyncClient) -> None:
        padding = LIMIT - len(b'{"text": ""}')

        response = await write(client, "x" * padding)

        assert response.status_code == 201, response.text

    async def test_a_declared_length_over_the_limit_is_a_json_413(
        self, client: httpx.AsyncClient, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        response = await write(client, "x" * LIMIT)

        assert response.status_code == 413
        assert error_code(response) == "request_too_large"
        assert await written(unit_of_work) == 0

    async def test_a_streamed_body_is_cut_off_at_the_limit(
        self, client: httpx.AsyncClient, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"text": "'
            for _ in range(LIMIT // 64 + 1):
                yield b"x" * 64
            yield b'"}'

        headers = as_owner() | {"Idempotency-Key": "k", "Content-Type": "application/json"}
        response = await client.post("/notes", content=chunks(), headers=headers)

        assert response.status_code == 413
        assert error_code(response) == "request_too_large"
        assert await written(unit_of_work) == 0

    async def test_a_content_length_that_is_not_a_number_is_a_400(
        self, client: httpx.AsyncClient
    ) -> None:
        headers = as_owner() | {"Idempotency-Key": "k", "Content-Length": "ten"}

        response = await client.post("/notes", content=b"{}", headers=headers)

        assert response.status_code == 400
        assert error_code(response) == "invalid_content_length"


async def never_answers(_principal: Principal, _request: WriteNoteRequest) -> Outcome[str]:
    await asyncio.sleep(60)
    raise AssertionError("the deadline should have ended this request")


class TestTimeout:
    async def test_a_write_over_the_time_limit_gets_a_json_504_outcome_unknown(
        self, limited: Settings
    ) -> None:
        app = http_app(bootstrap(limited, unit_of_work=MemoryUnitOfWorkFactory()), limited)
        app.include_router(notes_router(never_answers))

        async with client_of(app) as client:
            response = await write(client)

        assert response.status_code == 504
        assert error_code(response) == "outcome_unknown"
        assert "retry it with the same Idempotency-Key" in response.json()["error"]["message"]


class TestRefusals:
    async def test_an_unknown_route_is_a_json_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/nowhere", headers=as_owner())

        assert response.status_code == 404
        assert error_code(response) == "http_404"

    async def test_a_route_asked_with_another_method_is_a_405_naming_the_allowed_ones(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/notes", headers=as_owner())

        assert response.status_code == 405
        assert error_code(response) == "http_405"
        assert response.headers["Allow"] == "POST"

    async def test_a_body_that_does_not_match_the_schema_is_a_422_with_details(
        self, client: httpx.AsyncClient
    ) -> None:
        headers = as_owner() | {"Idempotency-Key": "k"}

        response = await client.post("/notes", json={"text": 1, "extra": True}, headers=headers)

        assert response.status_code == 422
        assert error_code(response) == "validation_error"
        assert {tuple(issue["location"]) for issue in response.json()["error"]["details"]} == {
            ("body", "text"),
            ("body", "extra"),
        }

    async def test_a_body_that_is_not_json_is_a_422_that_says_so(
        self, client: httpx.AsyncClient
    ) -> None:
        headers = as_owner() | {"Idempotency-Key": "k", "Content-Type": "application/json"}

        response = await client.post("/notes", content=b"{not json", headers=headers)

        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["type"] == "json_invalid"
