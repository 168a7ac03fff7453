"""Retries that race their original move money exactly once, even on an exact balance.

The source of each transfer holds exactly the amount sent: a retry that ran the work a
second time, on the balance its original left, would be refused ``insufficient_funds``,
and a client would be told its paid transfer failed. So a racing retry must answer with
its original's outcome (``replayed``), or say the original is still running
(``request_in_progress``), and nothing else. Checked in one process on every storage,
across two OS processes on the storages they can share, and on PostgreSQL when the
original's commit outlives the request's deadline.

``pytest -s`` prints how the racing copies were answered on each storage.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.ids import TransferId
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.deposit import DepositRequest
from {{ cookiecutter.package_name }}.usecases.idempotency import Outcome
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.contract.implementations import Storage, postgresql_only, shared_only
from tests.contract.ledger import OWNER, account, balances, store
from tests.contract.retry_worker import Round, answer_of
from tests.fakes import TREASURER

T = TypeVar("T")

EXACT_BALANCE = 300
RACING_COPIES = 5
ROUNDS = 20
COPIES_PER_PROCESS = 2
PROCESSES = 2
ALLOWED_ANSWERS = {"applied", "replayed", "request_in_progress"}
WORKER = Path(__file__).with_name("retry_worker.py")
TIMEOUT_SECONDS = 60
DEADLINE_SECONDS = 0.3
"""Stands for the HTTP request deadline (``adapters/http/limits.py``), made short."""


def euros(amount: int) -> Money:
    return Money(amount, Currency.EUR)


async def race(copies: list[Awaitable[Outcome[T]]]) -> list[Outcome[T] | BaseException]:
    async with asyncio.timeout(TIMEOUT_SECONDS):  # a lost wake-up fails, it does not hang
        return await asyncio.gather(*copies, return_exceptions=True)


def outcomes_of(answers: list[Outcome[T] | BaseException]) -> list[Outcome[T]]:
    """The outcomes among racing answers, once every answer is checked to be allowed."""
    words = Counter(answer_of(answer) for answer in answers)
    assert set(words) <= ALLOWED_ANSWERS, f"racing copies were answered {dict(words)}"
    assert words["applied"] == 1, f"racing copies were answered {dict(words)}"
    return [answer for answer in answers if isinstance(answer, Outcome)]


async def transfers_out_of(storage: Storage, source: Account) -> set[TransferId]:
    async with storage.unit_of_work(read_only=True) as uow:
        made = await uow.transfers.list_for_account(source.id, limit=100)
    return {transfer.id for transfer in made}


async def an_exact_pair(storage: Storage) -> tuple[Account, Account]:
    """A source holding exactly what will be sent, and an empty destination."""
    source, destination = account(EXACT_BALANCE), account()
    await store(storage.unit_of_work, [source, destination])
    return source, destination


class TestRacingRetriesInOneProcess:
    async def test_racing_copies_of_a_transfer_of_the_whole_balance_move_it_once(
        self, storage: Storage
    ) -> None:
        source, destination = await an_exact_pair(storage)
        use_cases = UseCases.wired_to(storage.unit_of_work)
        request = TransferRequest(source.id, destination.id, euros(EXACT_BALANCE), "rent")

        answers = await race(
            [use_cases.transfer_funds(OWNER, request) for _ in range(RACING_COPIES)]
        )

        outcomes = outcomes_of(answers)
        assert len({outcome.result for outcome in outcomes}) == 1, "two different transfers"
        assert await transfers_out_of(storage, source) == {outcomes[0].result.id}
        assert await balances(storage.unit_of_work, source.id, destination.id) == [
            0,
            EXACT_BALANCE,
        ]

    async def test_racing_copies_of_a_deposit_credit_it_once_and_answer_alike(
        self, storage: Storage
    ) -> None:
        """Every copy answers with the balance right after the one deposit, and a later
        replay still does, whatever the account holds by then."""
        into = account()
        await store(storage.unit_of_work, [into])
        use_cases = UseCases.wired_to(storage.unit_of_work)
        request = DepositRequest(into.id, euros(EXACT_BALANCE), "top-up")

        answers = await race([use_cases.deposit(TREASURER, request) for _ in range(RACING_COPIES)])
        await use_cases.deposit(TREASURER, DepositRequest(into.id, euros(1), "another"))
        late = await use_cases.deposit(TREASURER, request)

        outcomes = outcomes_of(answers)
        assert {outcome.result.balance for outcome in outcomes} == {euros(EXACT_BALANCE)}
        assert (late.replayed, late.result.balance) == (True, euros(EXACT_BALANCE))
        assert await balances(storage.unit_of_work, into.id) == [EXACT_BALANCE + 1]


@dataclass
class Workers:
    """Worker processes (``retry_worker.py``) that each send every round's request."""

    processes: list[asyncio.subprocess.Process]

    @classmethod
    async def start(cls, database_url: str, count: int) -> Workers:
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                str(WORKER),
                database_url,
                str(COPIES_PER_PROCESS),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(count)
        ]
        workers = cls(processes)
        for ready in await workers._read_lines():
            if ready != "ready":
                await workers.stop()
                raise AssertionError(f"a worker did not start: {await workers._errors()}")
        return workers

    async def send(self, sent: Round) -> list[dict[str, list[Any]]]:
        """Release every worker on ``sent`` at once; what each one reports."""
        line = (json.dumps(sent) + "\n").encode()
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(line)
        for process in self.processes:
            assert process.stdin is not None
            await process.stdin.drain()
        reports = await self._read_lines()
        if "" in reports:
            raise AssertionError(f"a worker died: {await self._errors()}")
        return [json.loads(report) for report in reports]

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None and process.stdin is not None:
                process.stdin.close()
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                await asyncio.gather(*(process.wait() for process in self.processes))
        finally:
            for process in self.processes:
                if process.returncode is None:
                    process.kill()
                    await process.wait()

    async def _read_lines(self) -> list[str]:
        async def line_of(process: asyncio.subprocess.Process) -> str:
            assert process.stdout is not None
            return (await process.stdout.readline()).decode().strip()

        async with asyncio.timeout(TIMEOUT_SECONDS):
            return await asyncio.gather(*(line_of(process) for process in self.processes))

    async def _errors(self) -> str:
        await self.stop()
        stderrs = [await process.stderr.read() for process in self.processes if process.stderr]
        return "\n".join(stderr.decode() for stderr in stderrs)


@dataclass(frozen=True, slots=True)
class RoundAnswers:
    """How every copy of one round's request was answered, across the worker processes."""

    answers: Counter[str]
    results: set[str]
    """What the copies that got an outcome got: one transfer id, or one balance."""
    applied_by: list[int]
    """The worker process(es) whose copy did the work."""

    @classmethod
    def of(cls, reports: list[dict[str, list[Any]]]) -> RoundAnswers:
        return cls(
            Counter(answer for report in reports for answer in report["answers"]),
            {result for report in reports for result in report["results"] if result},
            [n for n, report in enumerate(reports) if "applied" in report["answers"]],
        )

    def assert_done_once(self, number: int) -> None:
        assert set(self.answers) <= ALLOWED_ANSWERS, f"round {number}: {dict(self.answers)}"
        assert self.answers["applied"] == 1, f"round {number}: {dict(self.answers)}"
        assert len(self.results) == 1, f"round {number}: different answers {self.results}"


async def race_across_processes(storage: Storage, rounds: list[Round]) -> list[RoundAnswers]:
    """Send every round to all the worker processes at once, one round after the other."""
    assert storage.database_url is not None
    workers = await Workers.start(storage.database_url, PROCESSES)
    try:
        answered = [RoundAnswers.of(await workers.send(sent)) for sent in rounds]
    finally:
        await workers.stop()
    tally(storage, rounds[0]["kind"], answered)
    return answered


def tally(storage: Storage, kind: str, answered: list[RoundAnswers]) -> None:
    answers = sum((round_answers.answers for round_answers in answered), Counter[str]())
    applied_by = Counter(n for round_answers in answered for n in round_answers.applied_by)
    print(  # noqa: T201 - the race figures, shown by pytest -s
        f"\n{storage.name}: {len(answered)} rounds of {PROCESSES} processes x "
        f"{COPIES_PER_PROCESS} racing {kind}s: answers {dict(answers)}, "
        f"applied by process {dict(sorted(applied_by.items()))}"
    )


class TestRacingRetriesInTwoProcesses:
    """Correctness rests on the database's locks, not on anything in one process."""

    @shared_only
    async def test_racing_copies_of_a_transfer_from_two_processes_move_it_once(
        self, storage: Storage
    ) -> None:
        pairs = [(account(EXACT_BALANCE), account()) for _ in range(ROUNDS)]
        await store(storage.unit_of_work, [a for pair in pairs for a in pair])
        rounds = [
            Round(
                kind="transfer",
                subject=OWNER.subject,
                scopes="ledger:read ledger:write",
                key=f"round-{number}",
                source=str(source.id),
                destination=str(destination.id),
                amount=EXACT_BALANCE,
            )
            for number, (source, destination) in enumerate(pairs)
        ]

        answered = await race_across_processes(storage, rounds)

        for number, (round_answers, (source, destination)) in enumerate(
            zip(answered, pairs, strict=True)
        ):
            round_answers.assert_done_once(number)
            made = {str(transfer) for transfer in await transfers_out_of(storage, source)}
            assert made == round_answers.results, f"round {number}"
            assert await balances(storage.unit_of_work, source.id, destination.id) == [
                0,
                EXACT_BALANCE,
            ], f"round {number}"

    @shared_only
    async def test_racing_copies_of_a_deposit_from_two_processes_credit_it_once(
        self, storage: Storage
    ) -> None:
        accounts = [account() for _ in range(ROUNDS)]
        await store(storage.unit_of_work, accounts)
        rounds = [
            Round(
                kind="deposit",
                subject=TREASURER.subject,
                scopes="ledger:admin",
                key=f"round-{number}",
                source=str(into.id),
                destination="",
                amount=EXACT_BALANCE,
            )
            for number, into in enumerate(accounts)
        ]

        answered = await race_across_processes(storage, rounds)

        for number, (round_answers, into) in enumerate(zip(answered, accounts, strict=True)):
            round_answers.assert_done_once(number)
            assert round_answers.results == {str(EXACT_BALANCE)}, f"round {number}"
            assert await balances(storage.unit_of_work, into.id) == [EXACT_BALANCE]


SLOW_COMMIT = (
    """
    CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_sleep(1);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON transfers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()
    """,
)
"""A deferred trigger runs at COMMIT: every commit of a transfer takes a second more."""


async def slow_down_commits_of_transfers(storage: Storage) -> None:
    assert storage.engine is not None
    async with storage.engine.begin() as connection:
        for statement in SLOW_COMMIT:
            await connection.execute(text(statement))


async def until_a_commit_sleeps(storage: Storage) -> None:
    """Return once a session of the test database runs the slow trigger (PostgreSQL)."""
    assert storage.engine is not None
    sleeping = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event = 'PgSleep'"
    )
    async with asyncio.timeout(TIMEOUT_SECONDS), storage.engine.connect() as connection:
        # The database signals nothing a test could await: ask it until it says so, each
        # time in a new transaction (a transaction sees one snapshot of pg_stat_activity).
        while not (await connection.execute(sleeping)).scalar_one():
            await connection.rollback()
            await asyncio.sleep(0.01)


class TestACommitSlowedPastTheDeadline:
    @postgresql_only
    async def test_the_retry_of_a_transfer_whose_commit_outlived_the_deadline_moves_it_once(
        self, storage: Storage
    ) -> None:
        """The client got no answer (504): it retries with the same key, and whether the
        first commit landed or not, the money moves once and the retry says which."""
        await slow_down_commits_of_transfers(storage)
        source, destination = await an_exact_pair(storage)
        use_cases = UseCases.wired_to(storage.unit_of_work)
        request = TransferRequest(source.id, destination.id, euros(EXACT_BALANCE), "slow")

        with pytest.raises(TimeoutError):
            async with asyncio.timeout(DEADLINE_SECONDS):
                await use_cases.transfer_funds(OWNER, request)
        async with asyncio.timeout(TIMEOUT_SECONDS):
            retried = await use_cases.transfer_funds(OWNER, request)

        answer = answer_of(retried)
        print(f"\npostgresql: the retry after a commit past the deadline: {answer}")  # noqa: T201
        assert await transfers_out_of(storage, source) == {retried.result.id}
        assert await balances(storage.unit_of_work, source.id, destination.id) == [
            0,
            EXACT_BALANCE,
        ]

    @postgresql_only
    async def test_a_retry_sent_while_the_original_still_commits_replays_it(
        self, storage: Storage
    ) -> None:
        """The client gave up on its own and retried: the retry waits for the original's
        commit to end, and answers with its transfer."""
        await slow_down_commits_of_transfers(storage)
        source, destination = await an_exact_pair(storage)
        use_cases = UseCases.wired_to(storage.unit_of_work)
        request = TransferRequest(source.id, destination.id, euros(EXACT_BALANCE), "slow")

        async def send() -> Outcome[Transfer]:
            return await use_cases.transfer_funds(OWNER, request)

        original = asyncio.create_task(send())
        await until_a_commit_sleeps(storage)
        async with asyncio.timeout(TIMEOUT_SECONDS):
            retried = await use_cases.transfer_funds(OWNER, request)
            first = await original

        assert (first.replayed, retried.replayed) == (False, True)
        assert retried.result == first.result
        assert await transfers_out_of(storage, source) == {first.result.id}
        assert await balances(storage.unit_of_work, source.id, destination.id) == [
            0,
            EXACT_BALANCE,
        ]
