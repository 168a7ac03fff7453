"""/transfers: move money, at most once per ``Idempotency-Key``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from {{ cookiecutter.package_name }}.adapters.http.auth import Caller
from {{ cookiecutter.package_name }}.adapters.http.errors import AUTH_RESPONSES, ERROR_RESPONSES
from {{ cookiecutter.package_name }}.adapters.http.schemas import TransferBody, TransferOut
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Retries with the same key return the first result and move no money. "
        "Keys are the caller's own: another caller's transfer is never replayed.",
    ),
]


def transfers_router(use_cases: UseCases) -> APIRouter:
    router = APIRouter(
        prefix="/transfers", tags=["transfers"], responses=ERROR_RESPONSES | AUTH_RESPONSES
    )

    @router.post("", status_code=status.HTTP_201_CREATED)
    async def transfer_funds(
        caller: Caller,
        body: TransferBody,
        response: Response,
        idempotency_key: IdempotencyKey = None,
    ) -> TransferOut:
        """Move money out of one of the caller's accounts (anyone else's is a 404).
        Scope: ``ledger:write``."""
        request = TransferRequest(
            source_id=AccountId(body.source_account_id),
            destination_id=AccountId(body.destination_account_id),
            amount=Money(body.amount_minor_units, body.currency),
            idempotency_key=idempotency_key,
        )
        outcome = await use_cases.transfer_funds(caller, request)
        if outcome.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return TransferOut.of(outcome.transfer)

    return router
