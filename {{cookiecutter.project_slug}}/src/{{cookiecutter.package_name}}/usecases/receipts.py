"""The results stored under idempotency keys, as JSON, so a replay answers as the first
request was answered: the account as it was right after the deposit, not as it is now."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.ids import AccountId, TransferId
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from {{ cookiecutter.package_name }}.usecases.idempotency import Receipt


def _encode_account(account: Account) -> str:
    return json.dumps(
        {
            "id": str(account.id),
            "owner": account.owner,
            "owner_email": account.owner_email,
            "currency": account.currency.value,
            "balance_minor_units": account.balance.minor_units,
        }
    )


def _decode_account(stored: str) -> Account:
    fields = json.loads(stored)
    currency = Currency(fields["currency"])
    return Account(
        AccountId(uuid.UUID(fields["id"])),
        fields["owner"],
        fields["owner_email"],
        currency,
        Money(fields["balance_minor_units"], currency),
    )


def _encode_transfer(transfer: Transfer) -> str:
    return json.dumps(
        {
            "id": str(transfer.id),
            "source_id": str(transfer.source_id),
            "destination_id": str(transfer.destination_id),
            "amount_minor_units": transfer.amount.minor_units,
            "currency": transfer.amount.currency.value,
            "created_at": transfer.created_at.isoformat(),
            "requested_by": transfer.requested_by,
        }
    )


def _decode_transfer(stored: str) -> Transfer:
    fields = json.loads(stored)
    return Transfer(
        TransferId(uuid.UUID(fields["id"])),
        AccountId(uuid.UUID(fields["source_id"])),
        AccountId(uuid.UUID(fields["destination_id"])),
        Money(fields["amount_minor_units"], Currency(fields["currency"])),
        datetime.fromisoformat(fields["created_at"]),
        fields["requested_by"],
    )


ACCOUNT = Receipt(_encode_account, _decode_account)
TRANSFER = Receipt(_encode_transfer, _decode_transfer)
