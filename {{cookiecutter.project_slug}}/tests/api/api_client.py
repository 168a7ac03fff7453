"""A thin client for the API, so tests read as the steps a user takes.

{% if cookiecutter.example == "ledger" %}Each step carries the token of whoever takes it: the owner (``tokens.OWNER``) unless a
test names someone else, and an administrator for deposits, which owners may not make.
{% else %}Apps over memory storage or over a database, and clients of them: what every API test
starts from.
{% endif %}"""

import contextlib
import uuid
from collections.abc import AsyncIterator
{%- if cookiecutter.example == "ledger" %}
from typing import Any
{%- endif %}

import httpx
from fastapi import FastAPI

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.bootstrap import bootstrap, http_app
from {{ cookiecutter.package_name }}.settings import Settings
{%- if cookiecutter.example == "ledger" %}
from tests.api.tokens import OWNER, as_admin, as_owner
{%- endif %}


def memory_app(settings: Settings) -> FastAPI:
    """The HTTP app ``create_app`` builds from ``settings``, over memory storage: for tests
    of the HTTP edge, which need no database to migrate."""
    return http_app(bootstrap(settings, unit_of_work=MemoryUnitOfWorkFactory()), settings)


def client_of(app: FastAPI) -> httpx.AsyncClient:
    """A client calling ``app`` in-process (its lifespan is not started)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``app`` with its lifespan started, as a server starts it (the outbox
    relay, the key purge)."""
    async with app.router.lifespan_context(app), client_of(app) as client:
        yield client
{%- if cookiecutter.example == "ledger" %}


async def open_account(
    client: httpx.AsyncClient, email: str = "a@example.com", *, owner: str = OWNER
) -> dict[str, Any]:
    response = await client.post(
        "/accounts", json={"owner_email": email, "currency": "EUR"}, headers=as_owner(owner)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
{%- endif %}


def new_key() -> str:
    """A fresh ``Idempotency-Key``, as a client makes one for each new request."""
    return str(uuid.uuid4())
{%- if cookiecutter.example == "ledger" %}


async def deposit(
    client: httpx.AsyncClient, account_id: str, amount: int, key: str | None = None
) -> httpx.Response:
    """A deposit by an administrator, under ``key`` or a fresh one."""
    return await client.post(
        f"/accounts/{account_id}/deposits",
        json={"amount_minor_units": amount, "currency": "EUR"},
        headers=as_admin() | {"Idempotency-Key": key or new_key()},
    )


async def transfer(
    client: httpx.AsyncClient,
    source: str,
    destination: str,
    amount: int,
    key: str | None = None,
    *,
    by: str = OWNER,
) -> httpx.Response:
    """A transfer by ``by``, under ``key`` or a fresh one."""
    headers = as_owner(by) | {"Idempotency-Key": key or new_key()}
    body = {
        "source_account_id": source,
        "destination_account_id": destination,
        "amount_minor_units": amount,
        "currency": "EUR",
    }
    return await client.post("/transfers", json=body, headers=headers)


async def balance(client: httpx.AsyncClient, account_id: str, *, owner: str = OWNER) -> int:
    response = await client.get(f"/accounts/{account_id}", headers=as_owner(owner))
    assert response.status_code == 200, response.text
    amount: int = response.json()["balance_minor_units"]
    return amount


async def list_transfers(
    client: httpx.AsyncClient,
    account_id: str,
    *,
    owner: str = OWNER,
    query: dict[str, str | int] | None = None,
) -> httpx.Response:
    """One page; ``query`` takes ``limit`` and the ``cursor`` of the page before."""
    return await client.get(
        f"/accounts/{account_id}/transfers", params=query, headers=as_owner(owner)
    )
{%- endif %}
