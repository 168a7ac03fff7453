"""Listing an account's transfers a page at a time, through HTTP.

A page's ``next_cursor`` goes back as ``cursor`` for the next page, and is null on the
last. The cursor is opaque: anything the service did not write is a 422 that names the
``cursor`` parameter, and so is ``offset``, which pages were counted with before 1.0.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.adapters.http.cursor import (
    CURSOR_PATTERN,
    cursor_of,
    position_of,
)
from {{ cookiecutter.package_name }}.domain.ids import TransferId
from {{ cookiecutter.package_name }}.domain.transfer_position import TransferPosition
from {{ cookiecutter.package_name }}.usecases.list_transfers import MAX_PAGE_SIZE
from tests.api.api_client import deposit, list_transfers, open_account, transfer

PAYMENTS = 5


async def account_that_paid(client: httpx.AsyncClient, payments: int) -> str:
    alice, bob = await open_account(client), await open_account(client, owner="bob")
    await deposit(client, alice["id"], 1_000)
    for amount in range(1, payments + 1):
        assert (await transfer(client, alice["id"], bob["id"], amount)).status_code == 201
    return str(alice["id"])


def refusal(response: httpx.Response) -> tuple[int, str, list[Any]]:
    error = response.json()["error"]
    return response.status_code, error["code"], [issue["location"] for issue in error["details"]]


class TestPages:
    async def test_following_next_cursor_lists_every_transfer_once_in_order(
        self, client: httpx.AsyncClient
    ) -> None:
        account_id = await account_that_paid(client, PAYMENTS)
        whole = (await list_transfers(client, account_id)).json()

        pages = [(await list_transfers(client, account_id, query={"limit": 2})).json()]
        while pages[-1]["next_cursor"] is not None and len(pages) <= PAYMENTS:
            query = {"limit": 2, "cursor": pages[-1]["next_cursor"]}
            pages.append((await list_transfers(client, account_id, query=query)).json())

        assert [len(page["items"]) for page in pages] == [2, 2, 1]
        assert [line for page in pages for line in page["items"]] == whole["items"]
        assert len(whole["items"]) == PAYMENTS
        assert whole["next_cursor"] is None, "one page held everything"

    async def test_a_page_holds_up_to_the_limit_from_1_to_the_maximum(
        self, client: httpx.AsyncClient
    ) -> None:
        account_id = await account_that_paid(client, 2)

        one = await list_transfers(client, account_id, query={"limit": 1})
        most = await list_transfers(client, account_id, query={"limit": MAX_PAGE_SIZE})

        assert len(one.json()["items"]) == 1
        assert len(most.json()["items"]) == 2

    @pytest.mark.parametrize("limit", [0, MAX_PAGE_SIZE + 1, "ten"])
    async def test_a_limit_out_of_bounds_is_a_422_naming_it(
        self, client: httpx.AsyncClient, limit: int | str
    ) -> None:
        account_id = await account_that_paid(client, 0)

        response = await list_transfers(client, account_id, query={"limit": limit})

        assert refusal(response) == (422, "validation_error", [["query", "limit"]])


def with_one_character_changed(cursor: str, at: int, to: str) -> str:
    return cursor[:at] + to + cursor[at + 1 :]


A_CURSOR = cursor_of(TransferPosition(datetime.now(UTC), TransferId(uuid.uuid4())))


class TestCursors:
    @pytest.mark.parametrize(
        "cursor",
        [
            "",
            "not-a-cursor",
            A_CURSOR + "A",
            A_CURSOR[:-1],
            with_one_character_changed(A_CURSOR, 0, "B"),
            with_one_character_changed(A_CURSOR, 5, "+"),
            with_one_character_changed(A_CURSOR, 5, "="),
            A_CURSOR + "\n",
        ],
    )
    async def test_a_cursor_the_service_did_not_write_is_a_422_naming_it(
        self, client: httpx.AsyncClient, cursor: str
    ) -> None:
        account_id = await account_that_paid(client, 0)

        response = await list_transfers(client, account_id, query={"cursor": cursor})

        assert refusal(response) == (422, "validation_error", [["query", "cursor"]])

    async def test_offset_is_a_422_naming_it_not_the_first_page_again(
        self, client: httpx.AsyncClient
    ) -> None:
        account_id = await account_that_paid(client, 0)

        response = await list_transfers(client, account_id, query={"offset": 2})

        assert refusal(response) == (422, "validation_error", [["query", "offset"]])

    @given(st.from_regex(CURSOR_PATTERN, fullmatch=True))
    def test_every_string_the_schema_admits_is_a_position(self, cursor: str) -> None:
        """So a request valid by the schema is never refused for its cursor."""
        assert cursor_of(position_of(cursor)) == cursor

    @given(
        st.datetimes(
            min_value=datetime(1, 1, 1),
            max_value=datetime(9000, 1, 1),
            timezones=st.just(UTC),
        ),
        st.uuids(),
    )
    def test_a_cursor_holds_its_position_exactly(
        self, created_at: datetime, transfer_id: uuid.UUID
    ) -> None:
        position = TransferPosition(created_at, TransferId(transfer_id))

        assert position_of(cursor_of(position)) == position
