"""Request and response bodies: the public contract of the HTTP API.

{% if cookiecutter.example == "ledger" %}Kept apart from the domain classes on purpose, so the API can stay stable while the
domain changes (and the other way round). Amounts are JSON Schema integers, no more and
no less: ``"1"`` or ``true`` is not one, ``100.0`` is (JSON Schema counts a number with no
fractional part as an integer, and so do the clients generated from the schema).
{% else %}Kept apart from the domain classes on purpose, so the API can stay stable while the
domain changes (and the other way round).
{% endif %}"""

from __future__ import annotations

{% if cookiecutter.example == "ledger" %}import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from {{ cookiecutter.package_name }}.adapters.http.cursor import CURSOR_PATTERN, cursor_of
from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.money import MAX_MINOR_UNITS, Currency
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from {{ cookiecutter.package_name }}.usecases.list_transfers import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    TransferLine,
    TransferPage,
)

NOT_IN_AN_ADDRESS = r"@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
r"""The at sign, controls (C0, DEL, C1) and every space either regex engine calls one.

Listed one by one instead of ``\s``: Python's ``\s`` and ECMA-262's (what clients and
JSON-Schema tools validate with) are different sets, and a pattern must mean the same to
the service and to its clients (``tests/api/test_schema_patterns.py``). PostgreSQL refuses
to store NUL, and no mail system accepts the others.
"""
EMAIL_PATTERN = rf"^[^{NOT_IN_AN_ADDRESS}]+@[^{NOT_IN_AN_ADDRESS}]+\.[^{NOT_IN_AN_ADDRESS}]+$"
"""Something@something.something, without spaces or control characters."""

Email = Annotated[str, Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN)]


def json_integer(value: object) -> object:
    """What JSON Schema's ``integer`` accepts: numbers without a fractional part."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("must be a whole number (an integer)")


PositiveAmount = Annotated[int, Field(gt=0, le=MAX_MINOR_UNITS), BeforeValidator(json_integer)]
"""At most 2**53 - 1 (``MAX_MINOR_UNITS``): every amount in the API is a JSON number a
JavaScript client reads exactly."""
Balance = Annotated[int, Field(ge=0, le=MAX_MINOR_UNITS)]
{% else %}from pydantic import BaseModel, ConfigDict, Field
{% endif %}

class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
{%- if cookiecutter.example == "ledger" %}


class OpenAccountBody(Body):
    owner_email: Email
    currency: Currency


class DepositBody(Body):
    amount_minor_units: PositiveAmount
    currency: Currency


class TransferBody(Body):
    source_account_id: uuid.UUID
    destination_account_id: uuid.UUID
    amount_minor_units: PositiveAmount
    currency: Currency


class AccountOut(Body):
    id: uuid.UUID
    owner_email: str
    currency: Currency
    balance_minor_units: Balance

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(
            id=account.id,
            owner_email=account.owner_email,
            currency=account.currency,
            balance_minor_units=account.balance.minor_units,
        )


class TransferOut(Body):
    id: uuid.UUID
    source_account_id: uuid.UUID
    destination_account_id: uuid.UUID
    amount_minor_units: PositiveAmount
    currency: Currency
    created_at: datetime

    @classmethod
    def of(cls, transfer: Transfer) -> TransferOut:
        return cls(
            id=transfer.id,
            source_account_id=transfer.source_id,
            destination_account_id=transfer.destination_id,
            amount_minor_units=transfer.amount.minor_units,
            currency=transfer.amount.currency,
            created_at=transfer.created_at,
        )


class TransferLineOut(Body):
    transfer: TransferOut
    direction: str = Field(description="'in' or 'out', seen from the listed account")
    counterpart_account_id: uuid.UUID = Field(
        description="the other account; whose it is is not disclosed"
    )

    @classmethod
    def of(cls, line: TransferLine) -> TransferLineOut:
        return cls(
            transfer=TransferOut.of(line.transfer),
            direction="in" if line.incoming else "out",
            counterpart_account_id=line.counterpart_id,
        )


class TransferPageQuery(Body):
    """The query of a listing. A parameter it does not name is refused: a client still
    sending ``offset`` (before 1.0, pages were counted in rows) is told so by a 422,
    instead of being given the first page over and over."""

    limit: int = Field(
        default=DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description="the most lines to return; fewer only on the last page",
    )
    cursor: str | None = Field(
        default=None,
        pattern=CURSOR_PATTERN,
        description="the next_cursor of the page before, as it came; none for the first page",
    )


class TransferPageOut(Body):
    items: list[TransferLineOut]
    next_cursor: str | None = Field(
        description="send it back as cursor for the next page; null: this page is the last"
    )

    @classmethod
    def of(cls, page: TransferPage) -> TransferPageOut:
        items = [TransferLineOut.of(line) for line in page.lines]
        after = page.continues_after
        return cls(items=items, next_cursor=None if after is None else cursor_of(after))
{%- endif %}


class ValidationIssue(Body):
    location: list[str | int] = Field(
        description="where: 'body', 'query', 'path' or 'header', then names"
    )
    message: str
    type: str = Field(description="a stable machine-readable kind, e.g. 'missing'")


class ErrorDetail(Body):
{%- if cookiecutter.example == "ledger" %}
    code: str = Field(description="stable and machine-readable, e.g. 'insufficient_funds'")
{%- else %}
    code: str = Field(description="stable and machine-readable, e.g. 'validation_error'")
{%- endif %}
    message: str
    details: list[ValidationIssue] | None = Field(
        default=None, description="what is wrong with the request (validation errors only)"
    )


class ErrorOut(Body):
    error: ErrorDetail


class HealthOut(Body):
    status: str
