"""/accounts: open, read, deposit into, and list the transfers of an account.

Each operation's id is the name of its use case, so a client generated from the schema
reads ``client.open_account(...)``; each declares the statuses it may answer.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from {{ cookiecutter.package_name }}.adapters.http.auth import Caller
from {{ cookiecutter.package_name }}.adapters.http.cursor import position_of
from {{ cookiecutter.package_name }}.adapters.http.idempotency import (
    OptionalIdempotencyKey,
    RequiredIdempotencyKey,
    mark_replayed,
)
from {{ cookiecutter.package_name }}.adapters.http.responses import (
    ACCOUNT_LOOKUP,
    AUTHENTICATED,
    IDEMPOTENT,
    MOVES_MONEY,
    REFUSED,
    STORAGE,
    VALIDATED,
    WITH_A_BODY,
    declared,
    replayable,
)
from {{ cookiecutter.package_name }}.adapters.http.schemas import (
    AccountOut,
    DepositBody,
    OpenAccountBody,
    TransferPageOut,
    TransferPageQuery,
)
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.deposit import DepositRequest
from {{ cookiecutter.package_name }}.usecases.list_transfers import ListTransfersRequest
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest


def accounts_router(use_cases: UseCases) -> APIRouter:
    router = APIRouter(prefix="/accounts", tags=["accounts"])

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        operation_id="open_account",
        responses=declared(
            AUTHENTICATED,
            WITH_A_BODY,
            VALIDATED,
            REFUSED,
            STORAGE,
            IDEMPOTENT,
            replayable(status.HTTP_201_CREATED),
        ),
    )
    async def open_account(
        caller: Caller,
        body: OpenAccountBody,
        response: Response,
        idempotency_key: OptionalIdempotencyKey = None,
    ) -> AccountOut:
        """Open an account owned by the caller. Scope: ``ledger:write``."""
        request = OpenAccountRequest(body.owner_email, body.currency, idempotency_key)
        outcome = await use_cases.open_account(caller, request)
        mark_replayed(response, outcome)
        return AccountOut.of(outcome.result)

    @router.get(
        "/{account_id}",
        operation_id="get_account",
        responses=declared(AUTHENTICATED, VALIDATED, ACCOUNT_LOOKUP, STORAGE),
    )
    async def get_account(caller: Caller, account_id: uuid.UUID) -> AccountOut:
        """One of the caller's accounts; anyone else's is a 404. Scope: ``ledger:read``."""
        return AccountOut.of(await use_cases.get_account(caller, AccountId(account_id)))

    @router.post(
        "/{account_id}/deposits",
        operation_id="deposit",
        responses=declared(*MOVES_MONEY, replayable(status.HTTP_200_OK)),
    )
    async def deposit(
        caller: Caller,
        account_id: uuid.UUID,
        body: DepositBody,
        idempotency_key: RequiredIdempotencyKey,
        response: Response,
    ) -> AccountOut:
        """Money entering the ledger, into any account. Scope: ``ledger:admin``."""
        amount = Money(body.amount_minor_units, body.currency)
        request = DepositRequest(AccountId(account_id), amount, idempotency_key)
        outcome = await use_cases.deposit(caller, request)
        mark_replayed(response, outcome)
        return AccountOut.of(outcome.result)

    @router.get(
        "/{account_id}/transfers",
        operation_id="list_transfers",
        responses=declared(AUTHENTICATED, VALIDATED, ACCOUNT_LOOKUP, STORAGE),
    )
    async def list_transfers(
        caller: Caller, account_id: uuid.UUID, page: Annotated[TransferPageQuery, Query()]
    ) -> TransferPageOut:
        """Transfers in and out of one of the caller's accounts, newest first, a page at a
        time: send a page's ``next_cursor`` back as ``cursor`` for the next one. Transfers
        made meanwhile never shift a later page. Scope: ``ledger:read``."""
        after = None if page.cursor is None else position_of(page.cursor)
        request = ListTransfersRequest(AccountId(account_id), limit=page.limit, after=after)
        return TransferPageOut.of(await use_cases.list_transfers(caller, request))

    return router
