"""Send one keyed request several times at once from a separate OS process, round after
round, for ``test_retry_races``.

    python retry_worker.py DATABASE_URL COPIES

Builds the service's use cases on its own engine and writes ``ready`` once connected.
Then, for each line read from stdin (one JSON round, see ``Round``), sends the round's
request COPIES times concurrently and writes one JSON line: the answer each copy got
(``applied``, ``replayed`` or the error code) and what it got (the transfer's id, or the
account's balance). An empty line or the end of stdin ends the worker.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from typing import Any, TypedDict

from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.errors import DomainError
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.deposit import DepositRequest
from {{ cookiecutter.package_name }}.usecases.idempotency import Outcome
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest


class Round(TypedDict):
    """One request, as the test sends it: a transfer, or a deposit into ``source``."""

    kind: str
    """``transfer`` or ``deposit``."""
    subject: str
    scopes: str
    key: str
    source: str
    destination: str
    """Unused for a deposit."""
    amount: int


def answer_of(outcome: object) -> str:
    """How one copy of a racing request was answered, in one word."""
    if isinstance(outcome, Outcome):
        return "replayed" if outcome.replayed else "applied"
    if isinstance(outcome, DomainError):
        return outcome.code
    return repr(outcome)


def result_of(outcome: object) -> str | None:
    """What a copy got: the transfer's id, or the account's balance; None for an error."""
    if not isinstance(outcome, Outcome):
        return None
    result: object = outcome.result
    if isinstance(result, Transfer):
        return str(result.id)
    if isinstance(result, Account):
        return str(result.balance.minor_units)
    raise TypeError(f"unexpected result {result!r}")


async def send(use_cases: UseCases, sent: Round, copies: int) -> dict[str, list[Any]]:
    principal = Principal.of(sent["subject"], sent["scopes"])
    source = AccountId(uuid.UUID(sent["source"]))
    amount = Money(sent["amount"], Currency.EUR)
    outcomes: list[object]
    if sent["kind"] == "transfer":
        destination = AccountId(uuid.UUID(sent["destination"]))
        transfer = TransferRequest(source, destination, amount, sent["key"])
        copied = (use_cases.transfer_funds(principal, transfer) for _ in range(copies))
        outcomes = await asyncio.gather(*copied, return_exceptions=True)
    else:
        deposit = DepositRequest(source, amount, sent["key"])
        copied_deposits = (use_cases.deposit(principal, deposit) for _ in range(copies))
        outcomes = await asyncio.gather(*copied_deposits, return_exceptions=True)
    return {
        "answers": [answer_of(outcome) for outcome in outcomes],
        "results": [result_of(outcome) for outcome in outcomes],
    }


async def run(database_url: str, copies: int) -> None:
    engine = create_engine(database_url, pool_size=copies + 1)
    try:
        use_cases = UseCases.wired_to(SqlUnitOfWorkFactory(engine))
        async with engine.connect():  # connected, so the first round pays no start-up
            pass
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        while line := (await asyncio.to_thread(sys.stdin.readline)).strip():
            report = await send(use_cases, json.loads(line), copies)
            sys.stdout.write(json.dumps(report) + "\n")
            sys.stdout.flush()
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    database_url, copies = argv
    asyncio.run(run(database_url, int(copies)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
