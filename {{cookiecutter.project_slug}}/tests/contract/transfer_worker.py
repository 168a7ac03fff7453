"""Run transfers from a separate OS process, for ``test_concurrency``.

    python transfer_worker.py DATABASE_URL SUBJECT SEED COUNT ACCOUNT_ID ACCOUNT_ID [...]

Builds the service's use cases on its own engine, writes ``ready`` once connected, waits
for a line on stdin (so that several workers start together), runs COUNT transfers
concurrently between random pairs of the accounts, as SUBJECT (who must own them all),
and writes one JSON line: how many completed, the errors raised, and the net amount each
account gained.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import uuid
from collections import Counter

from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest


def plan(
    seed: int, count: int, accounts: list[AccountId]
) -> list[tuple[AccountId, AccountId, int]]:
    """Random transfers, in both directions between every pair of ``accounts``."""
    rng = random.Random(seed)
    transfers = []
    for _ in range(count):
        source, destination = rng.sample(accounts, 2)
        transfers.append((source, destination, rng.randint(1, 9)))
    return transfers


async def run(
    database_url: str, subject: str, seed: int, count: int, accounts: list[AccountId]
) -> dict[str, object]:
    owner = Principal.of(subject, "ledger:read ledger:write")
    engine = create_engine(database_url, pool_size=5)
    try:
        use_cases = UseCases.wired_to(SqlUnitOfWorkFactory(engine))
        currency = (await use_cases.get_account(owner, accounts[0])).currency
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        await asyncio.to_thread(sys.stdin.readline)

        transfers = plan(seed, count, accounts)
        outcomes = await asyncio.gather(
            *(
                use_cases.transfer_funds(
                    owner,
                    TransferRequest(
                        source, destination, Money(amount, currency), f"{seed}-{number}"
                    ),
                )
                for number, (source, destination, amount) in enumerate(transfers)
            ),
            return_exceptions=True,
        )
    finally:
        await engine.dispose()
    net: Counter[str] = Counter()
    errors = []
    for (source, destination, amount), outcome in zip(transfers, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            errors.append(repr(outcome))
            continue
        net[str(source)] -= amount
        net[str(destination)] += amount
    return {"completed": count - len(errors), "errors": errors, "net": dict(net)}


def main(argv: list[str]) -> int:
    database_url, subject, seed, count, *ids = argv
    accounts = [AccountId(uuid.UUID(account_id)) for account_id in ids]
    report = asyncio.run(run(database_url, subject, int(seed), int(count), accounts))
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
