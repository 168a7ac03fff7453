"""A thin client for the API, so tests read as the steps a user takes."""

from typing import Any

import httpx


async def open_account(client: httpx.AsyncClient, email: str = "a@example.com") -> dict[str, Any]:
    response = await client.post("/accounts", json={"owner_email": email, "currency": "EUR"})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def deposit(client: httpx.AsyncClient, account_id: str, amount: int) -> httpx.Response:
    return await client.post(
        f"/accounts/{account_id}/deposits",
        json={"amount_minor_units": amount, "currency": "EUR"},
    )


async def transfer(
    client: httpx.AsyncClient, source: str, destination: str, amount: int, key: str | None = None
) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    body = {
        "source_account_id": source,
        "destination_account_id": destination,
        "amount_minor_units": amount,
        "currency": "EUR",
    }
    return await client.post("/transfers", json=body, headers=headers)


async def balance(client: httpx.AsyncClient, account_id: str) -> int:
    response = await client.get(f"/accounts/{account_id}")
    assert response.status_code == 200, response.text
    amount: int = response.json()["balance_minor_units"]
    return amount
