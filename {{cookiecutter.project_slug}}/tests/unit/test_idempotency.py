"""Idempotency keys in the use cases: money moves exactly once per key, however often the
request is retried, and a key means nothing once its retention has passed."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest

from {{ cookiecutter.package_name }}.adapters.memory.store import MemoryStore
from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import (
    MemoryUnitOfWork,
    MemoryUnitOfWorkFactory,
)
from {{ cookiecutter.package_name }}.adapters.relay.periodic import Periodic
from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.errors import IdempotencyKeyReused, InsufficientFunds
from {{ cookiecutter.package_name }}.domain.idempotency import IdempotencyKey
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.deposit import DepositRequest
from {{ cookiecutter.package_name }}.usecases.idempotency import fingerprint_of
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from {{ cookiecutter.package_name }}.usecases.purge_expired_keys import PurgeExpiredKeys
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.fakes import ALICE, BOB, TREASURER, ManualClock

RETENTION = timedelta(hours=1)
WAIT_SECONDS = 5.0
"""The longest a test waits for background work: far beyond what it needs, even on a
busy machine, and only reached when the behaviour is broken."""


def eur(minor_units: int) -> Money:
    return Money(minor_units, Currency.EUR)


def new_key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def use_cases(unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock) -> UseCases:
    return UseCases.wired_to(unit_of_work, clock=clock, key_retention=RETENTION)


async def opened(use_cases: UseCases, owner: Principal = ALICE) -> Account:
    request = OpenAccountRequest(f"{owner.subject}@example.com", Currency.EUR)
    return (await use_cases.open_account(owner, request)).result


async def funded(use_cases: UseCases, minor_units: int, owner: Principal = ALICE) -> Account:
    """An account of ``owner``'s, into which the treasurer deposited ``minor_units``."""
    account = await opened(use_cases, owner)
    await use_cases.deposit(TREASURER, DepositRequest(account.id, eur(minor_units), new_key()))
    return account


async def balance(use_cases: UseCases, account: Account, owner: Principal = ALICE) -> int:
    return (await use_cases.get_account(owner, account.id)).balance.minor_units


def transfers_stored(unit_of_work: MemoryUnitOfWorkFactory) -> int:
    return len(unit_of_work.store.committed.transfers)


def accounts_stored(unit_of_work: MemoryUnitOfWorkFactory) -> int:
    return len(unit_of_work.store.committed.accounts)


def keys_stored(unit_of_work: MemoryUnitOfWorkFactory) -> set[IdempotencyKey]:
    return set(unit_of_work.store.committed.idempotency_keys)


class TestTransferFunds:
    async def test_a_retry_with_the_same_key_returns_the_first_transfer_and_moves_money_once(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        source, destination = await funded(use_cases, 100), await opened(use_cases, BOB)
        request = TransferRequest(source.id, destination.id, eur(40), "pay-rent")

        first = await use_cases.transfer_funds(ALICE, request)
        retry = await use_cases.transfer_funds(ALICE, request)

        assert (first.replayed, retry.replayed) == (False, True)
        assert retry.result == first.result
        assert transfers_stored(unit_of_work) == 1
        assert await balance(use_cases, source) == 60
        assert await balance(use_cases, destination, BOB) == 40

    async def test_a_retry_answers_as_the_first_time_even_when_the_ledger_could_not_now(
        self, use_cases: UseCases
    ) -> None:
        """The retry is not judged again on today's balance: the money already moved."""
        source, destination = await funded(use_cases, 100), await opened(use_cases, BOB)
        request = TransferRequest(source.id, destination.id, eur(100), "all-of-it")
        first = await use_cases.transfer_funds(ALICE, request)

        retry = await use_cases.transfer_funds(ALICE, request)

        assert retry.replayed
        assert retry.result.id == first.result.id
        assert await balance(use_cases, source) == 0

    @pytest.mark.parametrize("changed", ["amount", "destination"])
    async def test_the_same_key_with_another_transfer_is_refused_and_moves_nothing(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, changed: str
    ) -> None:
        source, destination = await funded(use_cases, 100), await opened(use_cases, BOB)
        other_destination = await opened(use_cases, BOB)
        request = TransferRequest(source.id, destination.id, eur(40), "pay-rent")
        await use_cases.transfer_funds(ALICE, request)
        another = (
            dataclasses.replace(request, amount=eur(41))
            if changed == "amount"
            else dataclasses.replace(request, destination_id=other_destination.id)
        )

        with pytest.raises(IdempotencyKeyReused):
            await use_cases.transfer_funds(ALICE, another)

        assert transfers_stored(unit_of_work) == 1
        assert await balance(use_cases, source) == 60
        assert await balance(use_cases, other_destination, BOB) == 0

    async def test_two_principals_sending_the_same_key_make_two_independent_transfers(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        """A key is its sender's own: a stranger's choice of the same one changes nothing."""
        alices, bobs = await funded(use_cases, 100), await funded(use_cases, 100, BOB)

        by_alice = await use_cases.transfer_funds(
            ALICE, TransferRequest(alices.id, bobs.id, eur(10), "same-key")
        )
        by_bob = await use_cases.transfer_funds(
            BOB, TransferRequest(bobs.id, alices.id, eur(25), "same-key")
        )

        assert (by_alice.replayed, by_bob.replayed) == (False, False)
        assert by_alice.result.id != by_bob.result.id
        assert transfers_stored(unit_of_work) == 2
        assert await balance(use_cases, alices) == 100 - 10 + 25
        assert await balance(use_cases, bobs, BOB) == 100 - 25 + 10

    async def test_a_refused_transfer_keeps_no_key_so_a_retry_after_a_deposit_succeeds(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        """Nothing was done, so nothing is replayed: the retry is judged afresh."""
        source, destination = await opened(use_cases), await opened(use_cases, BOB)
        request = TransferRequest(source.id, destination.id, eur(30), "pay-rent")
        with pytest.raises(InsufficientFunds):
            await use_cases.transfer_funds(ALICE, request)
        assert IdempotencyKey(ALICE.subject, "pay-rent") not in keys_stored(unit_of_work)
        await use_cases.deposit(TREASURER, DepositRequest(source.id, eur(30), new_key()))

        retry = await use_cases.transfer_funds(ALICE, request)

        assert not retry.replayed
        assert await balance(use_cases, destination, BOB) == 30


class TestDeposit:
    async def test_a_replay_answers_the_balance_right_after_the_deposit_not_todays(
        self, use_cases: UseCases
    ) -> None:
        account = await opened(use_cases)
        request = DepositRequest(account.id, eur(100), "first-deposit")
        first = await use_cases.deposit(TREASURER, request)
        await use_cases.deposit(TREASURER, DepositRequest(account.id, eur(50), new_key()))

        retry = await use_cases.deposit(TREASURER, request)

        assert (first.replayed, retry.replayed) == (False, True)
        assert retry.result == first.result
        assert retry.result.balance == eur(100)
        assert await balance(use_cases, account) == 150

    async def test_the_same_key_for_a_deposit_into_another_account_is_refused(
        self, use_cases: UseCases
    ) -> None:
        account, other = await opened(use_cases), await opened(use_cases)
        await use_cases.deposit(TREASURER, DepositRequest(account.id, eur(100), "deposit"))

        with pytest.raises(IdempotencyKeyReused):
            await use_cases.deposit(TREASURER, DepositRequest(other.id, eur(100), "deposit"))

        assert await balance(use_cases, account) == 100
        assert await balance(use_cases, other) == 0


class TestOpenAccount:
    async def test_a_retry_with_a_key_opens_one_account(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        request = OpenAccountRequest("a@example.com", Currency.EUR, "open-savings")

        first = await use_cases.open_account(ALICE, request)
        retry = await use_cases.open_account(ALICE, request)

        assert (first.replayed, retry.replayed) == (False, True)
        assert retry.result == first.result
        assert accounts_stored(unit_of_work) == 1

    async def test_each_request_without_a_key_opens_an_account_of_its_own(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        """Without a key nothing tells a retry from a second request."""
        request = OpenAccountRequest("a@example.com", Currency.EUR)

        first = await use_cases.open_account(ALICE, request)
        second = await use_cases.open_account(ALICE, request)

        assert (first.replayed, second.replayed) == (False, False)
        assert first.result.id != second.result.id
        assert accounts_stored(unit_of_work) == 2
        assert keys_stored(unit_of_work) == set()


class TestRetention:
    async def test_a_key_replays_until_its_retention_ends(
        self, use_cases: UseCases, clock: ManualClock
    ) -> None:
        source, destination = await funded(use_cases, 100), await opened(use_cases, BOB)
        request = TransferRequest(source.id, destination.id, eur(10), "pay-rent")
        first = await use_cases.transfer_funds(ALICE, request)
        clock.advance(RETENTION - timedelta(seconds=1))

        retry = await use_cases.transfer_funds(ALICE, request)

        assert retry.replayed
        assert retry.result == first.result
        assert await balance(use_cases, source) == 90

    async def test_after_its_retention_the_same_key_does_the_work_again(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
    ) -> None:
        """As with Stripe's keys: past the retention a key is forgotten, not refused."""
        source, destination = await funded(use_cases, 100), await opened(use_cases, BOB)
        request = TransferRequest(source.id, destination.id, eur(10), "pay-rent")
        first = await use_cases.transfer_funds(ALICE, request)
        clock.advance(RETENTION)

        again = await use_cases.transfer_funds(ALICE, request)

        assert not again.replayed
        assert again.result.id != first.result.id
        assert transfers_stored(unit_of_work) == 2
        assert await balance(use_cases, source) == 80

    async def test_after_its_retention_a_key_may_name_a_different_request(
        self, use_cases: UseCases, clock: ManualClock
    ) -> None:
        source, destination = await funded(use_cases, 100), await opened(use_cases, BOB)
        await use_cases.transfer_funds(
            ALICE, TransferRequest(source.id, destination.id, eur(10), "monthly")
        )
        clock.advance(RETENTION + timedelta(days=30))

        later = await use_cases.transfer_funds(
            ALICE, TransferRequest(source.id, destination.id, eur(25), "monthly")
        )

        assert not later.replayed
        assert await balance(use_cases, source) == 65


@dataclass(frozen=True, slots=True)
class Ask:
    subject: str
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class Tell:
    """The same fields as ``Ask``: only the type tells them apart."""

    subject: str
    idempotency_key: str | None = None


SOURCE, DESTINATION = AccountId(uuid.UUID(int=1)), AccountId(uuid.UUID(int=2))
TRANSFER = TransferRequest(SOURCE, DESTINATION, eur(40), "key-1")


class TestFingerprint:
    def test_the_same_request_has_the_same_fingerprint_every_time(self) -> None:
        rebuilt = TransferRequest(
            AccountId(uuid.UUID(int=1)), AccountId(uuid.UUID(int=2)), eur(40), "key-1"
        )

        assert fingerprint_of(rebuilt) == fingerprint_of(TRANSFER)

    def test_the_key_is_not_part_of_the_fingerprint(self) -> None:
        """So a request sent again under a new key is recognisably the same request."""
        assert fingerprint_of(dataclasses.replace(TRANSFER, idempotency_key="key-2")) == (
            fingerprint_of(TRANSFER)
        )

    @pytest.mark.parametrize(
        "changed",
        [
            dataclasses.replace(TRANSFER, source_id=DESTINATION, destination_id=SOURCE),
            dataclasses.replace(TRANSFER, destination_id=AccountId(uuid.UUID(int=3))),
            dataclasses.replace(TRANSFER, amount=eur(41)),
            dataclasses.replace(TRANSFER, amount=Money(40, Currency.USD)),
        ],
        ids=["swapped accounts", "destination", "amount", "currency"],
    )
    def test_every_other_field_is(self, changed: TransferRequest) -> None:
        assert fingerprint_of(changed) != fingerprint_of(TRANSFER)

    def test_requests_of_two_types_with_equal_fields_differ(self) -> None:
        assert fingerprint_of(Ask("alice")) != fingerprint_of(Tell("alice"))

    def test_an_account_opening_a_deposit_and_a_transfer_never_share_a_fingerprint(
        self,
    ) -> None:
        opening = OpenAccountRequest("a@example.com", Currency.EUR, "key-1")
        deposit = DepositRequest(SOURCE, eur(40), "key-1")

        fingerprints = {fingerprint_of(request) for request in (opening, deposit, TRANSFER)}

        assert len(fingerprints) == 3


class CommitsRecorded(MemoryUnitOfWorkFactory):
    """Notes how many idempotency keys are left after each commit."""

    def __init__(self) -> None:
        super().__init__()
        self.keys_after_each_commit: list[int] = []

    def __call__(self, *, read_only: bool = False) -> MemoryUnitOfWork:
        return _RecordedUnitOfWork(self.store, self.keys_after_each_commit)


class _RecordedUnitOfWork(MemoryUnitOfWork):
    def __init__(self, store: MemoryStore, record: list[int]) -> None:
        super().__init__(store)
        self._shared = store
        self._record = record

    async def commit(self) -> None:
        await super().commit()
        self._record.append(len(self._shared.committed.idempotency_keys))


async def store_keys(
    unit_of_work: MemoryUnitOfWorkFactory, count: int, *, clock: ManualClock, expires_in: timedelta
) -> list[IdempotencyKey]:
    """``count`` completed keys, claimed now and expiring ``expires_in`` from now."""
    keys = [IdempotencyKey("alice", f"key-{n}") for n in range(count)]
    async with unit_of_work() as uow:
        for key in keys:
            await uow.idempotency.claim(
                key, "fingerprint", now=clock(), expires_at=clock() + expires_in
            )
            await uow.idempotency.complete(key, "{}")
        await uow.commit()
    return keys


class TestPurgeExpiredKeys:
    async def test_deletes_the_keys_past_their_retention_and_keeps_the_others(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
    ) -> None:
        for n in range(3):
            await use_cases.open_account(
                ALICE, OpenAccountRequest("a@example.com", Currency.EUR, f"old-{n}")
            )
        clock.advance(RETENTION / 2)
        recent = OpenAccountRequest("a@example.com", Currency.EUR, "recent")
        opened_recently = await use_cases.open_account(ALICE, recent)
        clock.advance(RETENTION / 2)

        purged = await PurgeExpiredKeys(unit_of_work, clock)()

        assert purged == 3
        assert keys_stored(unit_of_work) == {IdempotencyKey(ALICE.subject, "recent")}
        replay = await use_cases.open_account(ALICE, recent)
        assert replay.replayed
        assert replay.result.id == opened_recently.result.id

    async def test_purges_a_backlog_in_batches_of_its_batch_size(self, clock: ManualClock) -> None:
        """Each batch is a short transaction of its own, never one long one."""
        unit_of_work = CommitsRecorded()
        await store_keys(unit_of_work, 23, clock=clock, expires_in=timedelta(minutes=1))
        unit_of_work.keys_after_each_commit.clear()
        clock.advance(timedelta(minutes=1))

        purged = await PurgeExpiredKeys(unit_of_work, clock, batch_size=5)()

        assert purged == 23
        assert unit_of_work.keys_after_each_commit == [18, 13, 8, 3, 0]

    async def test_a_backlog_of_whole_batches_ends_with_one_empty_batch(
        self, clock: ManualClock
    ) -> None:
        unit_of_work = CommitsRecorded()
        await store_keys(unit_of_work, 10, clock=clock, expires_in=timedelta(minutes=1))
        unit_of_work.keys_after_each_commit.clear()
        clock.advance(timedelta(minutes=1))

        purged = await PurgeExpiredKeys(unit_of_work, clock, batch_size=5)()

        assert purged == 10
        assert unit_of_work.keys_after_each_commit == [5, 0, 0]

    async def test_nothing_expired_is_one_empty_batch(
        self, unit_of_work: MemoryUnitOfWorkFactory, clock: ManualClock
    ) -> None:
        keys = await store_keys(unit_of_work, 4, clock=clock, expires_in=timedelta(minutes=1))

        purged = await PurgeExpiredKeys(unit_of_work, clock, batch_size=2)()

        assert purged == 0
        assert keys_stored(unit_of_work) == set(keys)


class Job:
    """A piece of housekeeping that counts its runs and may fail on some of them."""

    def __init__(self, *, failing_runs: frozenset[int] = frozenset()) -> None:
        self.runs = 0
        self.failing_runs = failing_runs
        self._ran = asyncio.Event()

    async def __call__(self) -> None:
        self.runs += 1
        self._ran.set()
        if self.runs in self.failing_runs:
            raise RuntimeError(f"run {self.runs} failed")

    async def wait_for_runs(self, count: int) -> None:
        async with asyncio.timeout(WAIT_SECONDS):
            while self.runs < count:
                self._ran.clear()
                await self._ran.wait()


class TestPeriodic:
    async def test_runs_its_job_again_and_again_until_stopped(self) -> None:
        job = Job()
        periodic = Periodic(job, interval=0.001, name="test-job")
        await periodic.start()

        await job.wait_for_runs(3)
        await periodic.stop()
        runs_when_stopped = job.runs
        await asyncio.sleep(0.05)

        assert job.runs == runs_when_stopped

    async def test_a_failing_run_is_logged_and_the_next_run_still_comes(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Housekeeping is retried by waiting for its next turn, never abandoned."""
        job = Job(failing_runs=frozenset({1, 2}))
        periodic = Periodic(job, interval=0.001, name="test-job")
        with caplog.at_level(logging.ERROR, logger=Periodic.__module__):
            await periodic.start()
            await job.wait_for_runs(4)
            await periodic.stop()

        failures = [record for record in caplog.records if record.exc_info is not None]
        assert len(failures) == 2
        assert all("test-job failed" in record.getMessage() for record in failures)

    async def test_stop_ends_the_wait_for_the_next_run_at_once(self) -> None:
        """A service shutting down does not sit out an interval of five minutes."""
        job = Job()
        periodic = Periodic(job, interval=3600, name="test-job")
        await periodic.start()
        await job.wait_for_runs(1)

        async with asyncio.timeout(WAIT_SECONDS):
            await periodic.stop()

        assert job.runs == 1

    async def test_stop_lets_a_run_in_progress_finish(self) -> None:
        started, release = asyncio.Event(), asyncio.Event()
        finished: list[bool] = []

        async def slow_job() -> None:
            started.set()
            await release.wait()
            finished.append(True)

        periodic = Periodic(slow_job, interval=3600, name="test-job")
        await periodic.start()
        async with asyncio.timeout(WAIT_SECONDS):
            await started.wait()
        stopping = asyncio.create_task(periodic.stop())
        await asyncio.sleep(0)
        assert not stopping.done()

        release.set()
        async with asyncio.timeout(WAIT_SECONDS):
            await stopping

        assert finished == [True]
