"""What a client team writes with the client openapi-python-client generated for the ledger.

Not imported by the tests: ``tests/test_generated_client.py`` runs it in an environment of its
own, where the generated package ``ledger_client`` is installed, with the served API's URL
and three development tokens in ``API``, ``ALICE``, ``BOB`` and ``ADMIN``. Alice and Bob each
open an account, the back office deposits into Alice's, Alice pays Bob and retries with the
same ``Idempotency-Key``, then lists her transfers. Every call goes through the generated
functions and models; the last line printed is what the calls returned, as JSON, for the
test to judge. A response that is not the model the call should return stops the flow with
its status and body.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any, TypeVar

from ledger_client import AuthenticatedClient
from ledger_client.api.accounts import deposit, get_account, list_transfers, open_account
from ledger_client.api.transfers import transfer_funds
from ledger_client.models import (
    AccountOut,
    Currency,
    DepositBody,
    OpenAccountBody,
    TransferBody,
    TransferOut,
    TransferPageOut,
)
from ledger_client.types import Response

Model = TypeVar("Model")


def parsed(response: Response[Any], model: type[Model]) -> Model:
    """The response's body as ``model``, or the end of the flow with what came instead."""
    if not isinstance(response.parsed, model):
        raise SystemExit(
            f"expected a {model.__name__}, got {response.status_code}: {response.content!r}"
        )
    return response.parsed


def client(token_variable: str) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=os.environ["API"],
        token=os.environ[token_variable],
        raise_on_unexpected_status=True,  # a status the schema does not declare is an error
        timeout=30.0,
    )


def main() -> None:
    with client("ALICE") as alice, client("BOB") as bob, client("ADMIN") as admin:
        opened = open_account.sync_detailed(
            client=alice,
            body=OpenAccountBody(owner_email="alice@example.com", currency=Currency.EUR),
        )
        account = parsed(opened, AccountOut)
        bobs_account = parsed(
            open_account.sync_detailed(
                client=bob,
                body=OpenAccountBody(owner_email="bob@example.com", currency=Currency.EUR),
            ),
            AccountOut,
        )
        deposited = deposit.sync_detailed(
            account_id=account.id,
            client=admin,
            body=DepositBody(amount_minor_units=1000, currency=Currency.EUR),
            idempotency_key=f"funding-{uuid.uuid4()}",
        )
        payment = TransferBody(
            source_account_id=account.id,
            destination_account_id=bobs_account.id,
            amount_minor_units=250,
            currency=Currency.EUR,
        )
        key = f"order-{uuid.uuid4()}"
        transferred = transfer_funds.sync_detailed(client=alice, body=payment, idempotency_key=key)
        replayed = transfer_funds.sync_detailed(client=alice, body=payment, idempotency_key=key)
        listed = list_transfers.sync_detailed(account_id=account.id, client=alice, limit=20)
        read = get_account.sync_detailed(account_id=account.id, client=alice)
        bobs_read = get_account.sync_detailed(account_id=bobs_account.id, client=bob)

        print(
            json.dumps(
                {
                    "accounts": {"alice": str(account.id), "bob": str(bobs_account.id)},
                    "statuses": {
                        "open_account": opened.status_code,
                        "deposit": deposited.status_code,
                        "transfer_funds": transferred.status_code,
                        "list_transfers": listed.status_code,
                        "get_account": read.status_code,
                    },
                    "balance_after_deposit": parsed(deposited, AccountOut).balance_minor_units,
                    "transfer": parsed(transferred, TransferOut).to_dict(),
                    "transfer_replayed": transferred.headers.get("Idempotent-Replayed"),
                    "replay": parsed(replayed, TransferOut).to_dict(),
                    "replay_replayed": replayed.headers.get("Idempotent-Replayed"),
                    "listing": [line.to_dict() for line in parsed(listed, TransferPageOut).items],
                    "next_cursor": parsed(listed, TransferPageOut).next_cursor,
                    "balances": {
                        "alice": parsed(read, AccountOut).balance_minor_units,
                        "bob": parsed(bobs_read, AccountOut).balance_minor_units,
                    },
                }
            )
        )


if __name__ == "__main__":
    main()
