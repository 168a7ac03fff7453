{%- if cookiecutter.example == "ledger" -%}
{%- set gone, not_preflighted, preflighted = "accounts_gone", "/accounts", "/transfers" -%}
{%- else -%}
{%- set gone, not_preflighted, preflighted = "outbox_gone", "/health/ready", "/health/ready" -%}
{%- endif -%}
"""Security basics seen from outside: CORS stays off unless configured, and error bodies
never show a stack trace, SQL or the text of an unexpected exception."""

from __future__ import annotations

{% if cookiecutter.example == "ledger" %}import contextlib
import dataclasses
import sqlite3
import uuid

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from {{ cookiecutter.package_name }}.adapters.http.app import create_http_app
from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.bootstrap import always_ready, create_app
from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from tests.api.tokens import as_owner, verifier
{% else %}import contextlib
import sqlite3
import uuid

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.bootstrap import create_app
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.usecases.idempotency import Outcome
from tests.api.api_client import memory_app
from tests.api.notes import WriteNoteRequest, notes_router, with_notes, write
from tests.api.tokens import api_settings, as_owner
{% endif %}
ALLOWED = "https://app.example.com"
PREFLIGHT = {"Origin": ALLOWED, "Access-Control-Request-Method": "POST"}
LEAKS = (
    "Traceback",
    'File "',
    "SELECT",
    "no such table",
    "{{ gone }}",
    "sqlite",
    "secret",
    "RuntimeError",
    "OperationalError",
)


def client_of(app: FastAPI, *, raise_app_exceptions: bool = True) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


class TestCors:
    async def test_is_off_by_default(self, client: httpx.AsyncClient) -> None:
        preflight = await client.options("{{ not_preflighted }}", headers=PREFLIGHT)
        read = await client.get("/health/live", headers={"Origin": ALLOWED})

        assert "access-control-allow-origin" not in preflight.headers
        assert preflight.status_code == 405
        assert "access-control-allow-origin" not in read.headers

    async def test_answers_only_the_configured_origins(self, settings: Settings) -> None:
        app = create_app(settings.model_copy(update={"cors_allowed_origins": (ALLOWED,)}))

        async with client_of(app) as client:
            preflight = await client.options("{{ preflighted }}", headers=PREFLIGHT)
            allowed = await client.get("/health/live", headers={"Origin": ALLOWED})
            other = await client.get("/health/live", headers={"Origin": "https://evil.example"})

        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == ALLOWED
        assert "Idempotency-Key" in preflight.headers["access-control-allow-headers"]
        assert "Authorization" in preflight.headers["access-control-allow-headers"]
        assert allowed.headers["access-control-allow-origin"] == ALLOWED
        assert "access-control-allow-origin" not in other.headers

    def test_origins_come_from_a_comma_separated_variable(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("CORS_ALLOWED_ORIGINS", f" {ALLOWED}, http://localhost:5173 ")

        settings = Settings(_env_file=None)

        assert settings.cors_allowed_origins == (ALLOWED, "http://localhost:5173")

    def test_an_empty_variable_keeps_cors_off(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "")

        assert Settings(_env_file=None).cors_allowed_origins == ()

    @pytest.mark.parametrize("origin", ["*", "https://app.example.com/", "app.example.com"])
    def test_an_origin_that_would_never_match_or_matches_all_is_refused(
        self, monkeypatch: pytest.MonkeyPatch, origin: str
    ) -> None:
        monkeypatch.setenv("CORS_ALLOWED_ORIGINS", origin)

        with pytest.raises(ValidationError, match="is not an origin"):
            Settings(_env_file=None)


def assert_reveals_nothing(response: httpx.Response, status: int) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"code", "message"}
    leaked = [text for text in LEAKS if text in response.text]
    assert not leaked, f"the body reveals {leaked}: {response.text}"


{% if cookiecutter.example == "ledger" %}class TestErrorBodies:
    async def test_an_unexpected_exception_is_a_bare_500(self) -> None:
        async def get_account(_principal: Principal, _account_id: AccountId) -> Account:
            raise RuntimeError("secret: SELECT * FROM accounts went wrong")

        use_cases = dataclasses.replace(
            UseCases.wired_to(MemoryUnitOfWorkFactory()), get_account=get_account
        )
        app = create_http_app(use_cases, token_verifier=verifier(), readiness_probe=always_ready)
        # Starlette re-raises after answering, for the server's log: don't raise it here.
        async with client_of(app, raise_app_exceptions=False) as client:
            response = await client.get(f"/accounts/{uuid.uuid4()}", headers=as_owner())

        assert_reveals_nothing(response, 500)
        assert response.json()["error"]["code"] == "internal_error"

    async def test_a_driver_error_outside_the_sql_adapter_is_a_bare_500(self) -> None:
        async def get_account(_principal: Principal, _account_id: AccountId) -> Account:
            raise OperationalError(
                "SELECT secret FROM accounts WHERE id = ?", {"id": 1}, Exception("sqlite broke")
            )

        use_cases = dataclasses.replace(
            UseCases.wired_to(MemoryUnitOfWorkFactory()), get_account=get_account
        )
        app = create_http_app(use_cases, token_verifier=verifier(), readiness_probe=always_ready)
        async with client_of(app, raise_app_exceptions=False) as client:
            response = await client.get(f"/accounts/{uuid.uuid4()}", headers=as_owner())

        assert_reveals_nothing(response, 500)

    async def test_a_broken_schema_is_a_bare_500_not_an_outage(self, settings: Settings) -> None:
        """A missing table is a bug or a migration not run: retrying will not help, so
        it is no 503 ``storage_unavailable``; the server log has the driver's error."""
        database = settings.database_url.removeprefix("sqlite+aiosqlite:///")
        with contextlib.closing(sqlite3.connect(database)) as connection:
            connection.execute("ALTER TABLE accounts RENAME TO accounts_gone")  # a broken schema

        async with client_of(create_app(settings), raise_app_exceptions=False) as client:
            response = await client.get(f"/accounts/{uuid.uuid4()}", headers=as_owner())

        assert_reveals_nothing(response, 500)
        assert response.json()["error"]["code"] == "internal_error"
{% else %}async def explodes(_principal: Principal, _request: WriteNoteRequest) -> Outcome[str]:
    raise RuntimeError("secret: SELECT * FROM outbox went wrong")


async def breaks_in_the_driver(_principal: Principal, _request: WriteNoteRequest) -> Outcome[str]:
    raise OperationalError(
        "SELECT secret FROM outbox WHERE id = ?", {"id": 1}, Exception("sqlite broke")
    )


class TestErrorBodies:
    """On the tests' ``/notes`` (``tests/api/notes.py``): the service starts with no route
    of its own that could fail."""

    async def test_an_unexpected_exception_is_a_bare_500(self) -> None:
        app = memory_app(api_settings())
        app.include_router(notes_router(explodes))
        # Starlette re-raises after answering, for the server's log: don't raise it here.
        async with client_of(app, raise_app_exceptions=False) as client:
            response = await write(client)

        assert_reveals_nothing(response, 500)
        assert response.json()["error"]["code"] == "internal_error"

    async def test_a_driver_error_outside_the_sql_adapter_is_a_bare_500(self) -> None:
        app = memory_app(api_settings())
        app.include_router(notes_router(breaks_in_the_driver))
        async with client_of(app, raise_app_exceptions=False) as client:
            response = await write(client)

        assert_reveals_nothing(response, 500)

    async def test_a_broken_schema_is_a_bare_500_not_an_outage(self, settings: Settings) -> None:
        """A missing table is a bug or a migration not run: retrying will not help, so
        it is no 503 ``storage_unavailable``; the server log has the driver's error."""
        database = settings.database_url.removeprefix("sqlite+aiosqlite:///")
        with contextlib.closing(sqlite3.connect(database)) as connection:
            connection.execute("ALTER TABLE outbox RENAME TO outbox_gone")  # a broken schema
        engine = create_engine(settings.database_url)
        app = with_notes(create_app(settings), SqlUnitOfWorkFactory(engine))

        try:
            async with client_of(app, raise_app_exceptions=False) as client:
                response = await client.get(f"/notes/{uuid.uuid4()}", headers=as_owner())
        finally:
            await engine.dispose()

        assert_reveals_nothing(response, 500)
        assert response.json()["error"]["code"] == "internal_error"
{% endif %}