"""Money moves exactly once per idempotency key, and is conserved under concurrent load.

Conservation is checked exactly: every account ends at its opening balance plus what the
completed transfers moved in, minus what they moved out; nothing else. The two-process
test shows that correctness rests on the database's locks, not on anything in-process.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.errors import ConcurrencyConflict
from {{ cookiecutter.package_name }}.domain.ids import AccountId, TransferId
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.contract.implementations import Storage, shared_only
from tests.contract.ledger import OWNER, account, balances, store
from tests.contract.observed import Observed
from tests.contract.transfer_worker import plan

OPENING_BALANCE = 100_000
CONCURRENT_TRANSFERS = 200
WORKER = Path(__file__).with_name("transfer_worker.py")
TIMEOUT_SECONDS = 60


def euros(amount: int) -> Money:
    return Money(amount, Currency.EUR)


async def opened(storage: Storage, count: int) -> list[Account]:
    accounts = [account(OPENING_BALANCE) for _ in range(count)]
    await store(storage.unit_of_work, accounts)
    return accounts


async def stored_transfer_ids(storage: Storage, accounts: list[Account]) -> set[TransferId]:
    async with storage.unit_of_work(read_only=True) as uow:
        return {
            made.id
            for a in accounts
            for made in await uow.transfers.list_for_account(a.id, limit=10_000)
        }


async def assert_ledger_balances(
    storage: Storage, accounts: list[Account], net: Counter[AccountId]
) -> None:
    ids = [a.id for a in accounts]
    final = await balances(storage.unit_of_work, *ids)
    assert final == [OPENING_BALANCE + net[account_id] for account_id in ids]
    assert sum(final) == OPENING_BALANCE * len(accounts), "money was created or destroyed"


class TestIdempotency:
    async def test_the_same_key_twice_moves_money_once(self, storage: Storage) -> None:
        source, destination = await opened(storage, 2)
        use_cases = UseCases.wired_to(storage.unit_of_work)
        request = TransferRequest(source.id, destination.id, euros(300), "retry-me")

        first = await use_cases.transfer_funds(OWNER, request)
        second = await use_cases.transfer_funds(OWNER, request)

        assert (first.replayed, second.replayed) == (False, True)
        assert second.result == first.result
        assert await balances(storage.unit_of_work, source.id, destination.id) == [
            OPENING_BALANCE - 300,
            OPENING_BALANCE + 300,
        ]

    async def test_racing_requests_with_one_key_move_money_once(self, storage: Storage) -> None:
        source, destination = await opened(storage, 2)
        use_cases = UseCases.wired_to(storage.unit_of_work)
        request = TransferRequest(source.id, destination.id, euros(300), "raced")

        outcomes = await asyncio.gather(
            *(use_cases.transfer_funds(OWNER, request) for _ in range(5))
        )

        assert sorted(outcome.replayed for outcome in outcomes) == [False] + [True] * 4
        assert len({outcome.result.id for outcome in outcomes}) == 1
        assert await stored_transfer_ids(storage, [source]) == {outcomes[0].result.id}
        assert await balances(storage.unit_of_work, source.id, destination.id) == [
            OPENING_BALANCE - 300,
            OPENING_BALANCE + 300,
        ]

    async def test_racing_requests_with_one_key_from_two_subjects_make_two_transfers(
        self, storage: Storage
    ) -> None:
        """Keys are each subject's own: one subject's use of a key never replays the other's."""
        alices, bobs = (
            account(OPENING_BALANCE, owner="alice"),
            account(OPENING_BALANCE, owner="bob"),
        )
        await store(storage.unit_of_work, [alices, bobs])
        alice, bob = Principal.of("alice", "ledger:write"), Principal.of("bob", "ledger:write")
        use_cases = UseCases.wired_to(storage.unit_of_work)
        from_alice = TransferRequest(alices.id, bobs.id, euros(300), "shared")
        from_bob = TransferRequest(bobs.id, alices.id, euros(100), "shared")

        outcomes = await asyncio.gather(
            *(use_cases.transfer_funds(alice, from_alice) for _ in range(3)),
            *(use_cases.transfer_funds(bob, from_bob) for _ in range(3)),
        )

        assert sorted(outcome.replayed for outcome in outcomes) == [False] * 2 + [True] * 4
        assert {outcome.result.requested_by for outcome in outcomes[:3]} == {"alice"}
        assert {outcome.result.requested_by for outcome in outcomes[3:]} == {"bob"}
        assert len(await stored_transfer_ids(storage, [alices])) == 2
        assert await balances(storage.unit_of_work, alices.id, bobs.id) == [
            OPENING_BALANCE - 200,
            OPENING_BALANCE + 200,
        ]


class TestConcurrentTransfers:
    async def test_hundreds_of_opposite_transfers_conserve_money(self, storage: Storage) -> None:
        accounts = await opened(storage, 3)
        transfers = plan(seed=7, count=CONCURRENT_TRANSFERS, accounts=[a.id for a in accounts])
        observed = Observed(storage.unit_of_work)
        use_cases = UseCases.wired_to(observed)

        async with asyncio.timeout(TIMEOUT_SECONDS):  # a deadlock fails, it does not hang
            outcomes = await asyncio.gather(
                *(
                    use_cases.transfer_funds(
                        OWNER, TransferRequest(source, destination, euros(amount), f"t-{number}")
                    )
                    for number, (source, destination, amount) in enumerate(transfers)
                )
            )

        assert observed.failed_with(ConcurrencyConflict) == [], "locks taken out of order"
        net: Counter[AccountId] = Counter()
        for outcome in outcomes:
            net[outcome.result.source_id] -= outcome.result.amount.minor_units
            net[outcome.result.destination_id] += outcome.result.amount.minor_units
        await assert_ledger_balances(storage, accounts, net)
        assert len(await stored_transfer_ids(storage, accounts)) == CONCURRENT_TRANSFERS

    @shared_only
    async def test_two_processes_sharing_the_database_conserve_money(
        self, storage: Storage
    ) -> None:
        assert storage.database_url is not None
        accounts = await opened(storage, 3)
        per_process = CONCURRENT_TRANSFERS // 2
        ids = [str(a.id) for a in accounts]
        reports = await run_workers(
            [
                [
                    str(WORKER),
                    storage.database_url,
                    OWNER.subject,
                    str(seed),
                    str(per_process),
                    *ids,
                ]
                for seed in (1, 2)
            ]
        )

        assert [report["errors"] for report in reports] == [[], []]
        assert [report["completed"] for report in reports] == [per_process, per_process]
        net: Counter[AccountId] = Counter()
        for report in reports:
            for account_id, amount in report["net"].items():
                net[AccountId(uuid.UUID(account_id))] += amount
        await assert_ledger_balances(storage, accounts, net)
        assert len(await stored_transfer_ids(storage, accounts)) == CONCURRENT_TRANSFERS


async def run_workers(argument_lists: list[list[str]]) -> list[dict[str, Any]]:
    """Start one worker process per argument list, release them together, collect reports."""
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            *arguments,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for arguments in argument_lists
    ]
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            for worker in workers:
                assert worker.stdout is not None
                ready = await worker.stdout.readline()
                if ready != b"ready\n":
                    _, stderr = await worker.communicate()
                    raise AssertionError(f"worker did not start: {stderr.decode()}")
            finished = await asyncio.gather(*(worker.communicate(b"go\n") for worker in workers))
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    for worker, (_, stderr) in zip(workers, finished, strict=True):
        assert worker.returncode == 0, stderr.decode()
    return [json.loads(stdout) for stdout, _ in finished]
