import uuid

import httpx
import pytest

from {{ cookiecutter.package_name }}.domain.money import MAX_MINOR_UNITS
from tests.api.api_client import balance, deposit, list_transfers, new_key, open_account, transfer
from tests.api.tokens import as_admin, as_owner


class TestHappyPath:
    async def test_open_deposit_transfer_and_list(self, client: httpx.AsyncClient) -> None:
        alice = await open_account(client, "alice@example.com")
        bob = await open_account(client, "bob@example.com", owner="bob")
        assert (await deposit(client, alice["id"], 1_000)).status_code == 200

        moved = await transfer(client, alice["id"], bob["id"], 250)
        listed = await list_transfers(client, alice["id"])

        assert moved.status_code == 201, moved.text
        assert await balance(client, alice["id"]) == 750
        assert await balance(client, bob["id"], owner="bob") == 250
        [line] = listed.json()["items"]
        assert line["direction"] == "out"
        assert line["counterpart_account_id"] == bob["id"]


class TestIdempotency:
    async def test_a_retry_returns_the_first_result_and_moves_no_money(
        self, client: httpx.AsyncClient
    ) -> None:
        alice, bob = await open_account(client), await open_account(client)
        await deposit(client, alice["id"], 100)

        first = await transfer(client, alice["id"], bob["id"], 60, key="order-42")
        retry = await transfer(client, alice["id"], bob["id"], 60, key="order-42")

        assert retry.json() == first.json()
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert await balance(client, alice["id"]) == 40

    async def test_reusing_a_key_for_another_transfer_is_refused_as_unprocessable(
        self, client: httpx.AsyncClient
    ) -> None:
        """422, as the Idempotency-Key draft says: the request cannot be processed as sent."""
        alice, bob = await open_account(client), await open_account(client)
        await deposit(client, alice["id"], 100)
        await transfer(client, alice["id"], bob["id"], 10, key="order-43")

        reused = await transfer(client, alice["id"], bob["id"], 11, key="order-43")

        assert reused.status_code == 422
        assert reused.json()["error"]["code"] == "idempotency_key_reused"


class TestErrors:
    async def test_an_unknown_account_is_404_with_a_json_error(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get(f"/accounts/{uuid.uuid4()}", headers=as_owner())

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "account_not_found"

    async def test_an_overdraft_is_409(self, client: httpx.AsyncClient) -> None:
        alice, bob = await open_account(client), await open_account(client)

        response = await transfer(client, alice["id"], bob["id"], 1)

        assert response.status_code == 409
        assert response.json()["error"]["code"] == "insufficient_funds"

    async def test_a_transfer_to_the_same_account_is_409(self, client: httpx.AsyncClient) -> None:
        alice = await open_account(client)
        await deposit(client, alice["id"], 10)

        response = await transfer(client, alice["id"], alice["id"], 1)

        assert response.status_code == 409
        assert response.json()["error"]["code"] == "invalid_transfer"

    async def test_a_transfer_to_an_account_that_does_not_exist_is_409(
        self, client: httpx.AsyncClient
    ) -> None:
        """The request is valid and the source is the caller's: the ledger has no such
        destination, which is not the 404 of the caller's own account."""
        alice = await open_account(client)
        await deposit(client, alice["id"], 10)

        response = await transfer(client, alice["id"], str(uuid.uuid4()), 1)

        assert response.status_code == 409
        assert response.json()["error"]["code"] == "counterpart_not_found"
        assert await balance(client, alice["id"]) == 10

    async def test_a_deposit_in_another_currency_than_the_account_s_is_409(
        self, client: httpx.AsyncClient
    ) -> None:
        alice = await open_account(client)

        response = await client.post(
            f"/accounts/{alice['id']}/deposits",
            json={"amount_minor_units": 1, "currency": "USD"},
            headers=as_admin() | {"Idempotency-Key": new_key()},
        )

        assert response.status_code == 409
        assert response.json()["error"]["code"] == "currency_mismatch"

    async def test_a_deposit_past_the_largest_balance_is_409(
        self, client: httpx.AsyncClient
    ) -> None:
        alice = await open_account(client)
        assert (await deposit(client, alice["id"], MAX_MINOR_UNITS)).status_code == 200

        response = await deposit(client, alice["id"], 1)

        assert response.status_code == 409
        assert response.json()["error"]["code"] == "invalid_money"
        assert await balance(client, alice["id"]) == MAX_MINOR_UNITS

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"owner_email": "not-an-email", "currency": "EUR"},
            {"owner_email": "a@example.com", "currency": "XXX"},
            {"owner_email": "a@example.com", "currency": "EUR", "extra": 1},
            [1, 2, 3],
        ],
    )
    async def test_a_bad_body_is_422_with_a_readable_error(
        self, client: httpx.AsyncClient, body: object
    ) -> None:
        response = await client.post("/accounts", json=body, headers=as_owner())

        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"
        assert response.json()["error"]["details"]

    @pytest.mark.parametrize("amount", ["10", 1.5, True, 0, -1, MAX_MINOR_UNITS + 1, 2**63])
    async def test_an_amount_that_is_not_a_positive_safe_integer_is_422(
        self, client: httpx.AsyncClient, amount: object
    ) -> None:
        alice = await open_account(client)

        response = await client.post(
            f"/accounts/{alice['id']}/deposits",
            json={"amount_minor_units": amount, "currency": "EUR"},
            headers=as_admin() | {"Idempotency-Key": new_key()},
        )

        assert response.status_code == 422

    async def test_an_amount_written_with_a_zero_fraction_is_an_integer(
        self, client: httpx.AsyncClient
    ) -> None:
        """JSON Schema's ``integer`` counts 100.0, so clients and tools may send it."""
        alice = await open_account(client)

        response = await client.post(
            f"/accounts/{alice['id']}/deposits",
            json={"amount_minor_units": 100.0, "currency": "EUR"},
            headers=as_admin() | {"Idempotency-Key": new_key()},
        )

        assert response.status_code == 200, response.text
        assert response.json()["balance_minor_units"] == 100

    async def test_malformed_json_is_a_4xx_json_error(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/accounts",
            content=b"{not json",
            headers={"content-type": "application/json"} | as_owner(),
        )

        assert 400 <= response.status_code < 500
        assert "error" in response.json()

    async def test_a_malformed_id_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/accounts/not-a-uuid", headers=as_owner())

        assert response.status_code == 422

    async def test_an_unknown_route_is_404_with_the_same_error_shape(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/nowhere", headers=as_owner())

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "http_404"

    async def test_a_route_without_the_method_is_405_with_the_same_error_shape(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.delete("/transfers", headers=as_owner())

        assert response.status_code == 405
        assert response.json()["error"]["code"] == "http_405"

    async def test_a_body_that_cannot_be_read_is_400_with_the_same_error_shape(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post(
            "/accounts",
            content=b'{"owner_email": "\xff"}',  # JSON must be UTF-8
            headers={"content-type": "application/json"} | as_owner(),
        )

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "http_400"


class TestHealth:
    async def test_live_and_ready_answer_200(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/health/live")).status_code == 200
        assert (await client.get("/health/ready")).status_code == 200
