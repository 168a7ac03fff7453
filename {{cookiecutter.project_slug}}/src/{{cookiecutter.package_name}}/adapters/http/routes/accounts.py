"""/accounts: open, read, deposit into, and list the transfers of an account."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from {{ cookiecutter.package_name }}.adapters.http.errors import ERROR_RESPONSES
from {{ cookiecutter.package_name }}.adapters.http.schemas import (
    AccountOut,
    DepositBody,
    OpenAccountBody,
    TransferPageOut,
)
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.deposit import DepositRequest
from {{ cookiecutter.package_name }}.usecases.list_transfers import (
    MAX_PAGE_SIZE,
    ListTransfersRequest,
)
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest

MAX_OFFSET = 1_000_000


def accounts_router(use_cases: UseCases) -> APIRouter:
    router = APIRouter(prefix="/accounts", tags=["accounts"], responses=ERROR_RESPONSES)

    @router.post("", status_code=status.HTTP_201_CREATED)
    async def open_account(body: OpenAccountBody) -> AccountOut:
        request = OpenAccountRequest(body.owner_email, body.currency)
        return AccountOut.of(await use_cases.open_account(request))

    @router.get("/{account_id}")
    async def get_account(account_id: uuid.UUID) -> AccountOut:
        return AccountOut.of(await use_cases.get_account(AccountId(account_id)))

    @router.post("/{account_id}/deposits")
    async def deposit(account_id: uuid.UUID, body: DepositBody) -> AccountOut:
        amount = Money(body.amount_minor_units, body.currency)
        account = await use_cases.deposit(DepositRequest(AccountId(account_id), amount))
        return AccountOut.of(account)

    @router.get("/{account_id}/transfers")
    async def list_transfers(
        account_id: uuid.UUID,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> TransferPageOut:
        request = ListTransfersRequest(AccountId(account_id), limit=limit, offset=offset)
        return TransferPageOut.of(await use_cases.list_transfers(request))

    return router
