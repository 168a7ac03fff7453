"""/transfers: move money, once per ``Idempotency-Key``.

The operation's id is its use case's name, ``transfer_funds``.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from {{ cookiecutter.package_name }}.adapters.http.auth import Caller
from {{ cookiecutter.package_name }}.adapters.http.idempotency import (
    RequiredIdempotencyKey,
    mark_replayed,
)
from {{ cookiecutter.package_name }}.adapters.http.responses import (
    MOVES_MONEY,
    declared,
    replayable,
)
from {{ cookiecutter.package_name }}.adapters.http.schemas import TransferBody, TransferOut
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest


def transfers_router(use_cases: UseCases) -> APIRouter:
    router = APIRouter(prefix="/transfers", tags=["transfers"])

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        operation_id="transfer_funds",
        responses=declared(*MOVES_MONEY, replayable(status.HTTP_201_CREATED)),
    )
    async def transfer_funds(
        caller: Caller,
        body: TransferBody,
        idempotency_key: RequiredIdempotencyKey,
        response: Response,
    ) -> TransferOut:
        """Move money out of one of the caller's accounts (anyone else's is a 404) into any
        account (a destination that does not exist is a 409). Scope: ``ledger:write``."""
        request = TransferRequest(
            source_id=AccountId(body.source_account_id),
            destination_id=AccountId(body.destination_account_id),
            amount=Money(body.amount_minor_units, body.currency),
            idempotency_key=idempotency_key,
        )
        outcome = await use_cases.transfer_funds(caller, request)
        mark_replayed(response, outcome)
        return TransferOut.of(outcome.result)

    return router
