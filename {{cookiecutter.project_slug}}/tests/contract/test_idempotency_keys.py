"""Idempotency keys are claimed, completed and forgotten in the unit of work of the work.

The contract of ``IdempotencyRecords`` on every storage: a claim is the unit of work's
until it commits or rolls back, a committed record answers later claims, a record past
its expiry counts as absent, and purging forgets expired records only. Deciding what a
record means (a replay, a reused key) is the use case's business, not the storage's.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.errors import RequestInProgress
from {{ cookiecutter.package_name }}.domain.idempotency import (
    DEFAULT_RETENTION,
    IdempotencyKey,
    IdempotencyRecord,
)
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.contract.implementations import Storage, postgresql_only
from tests.contract.{% if cookiecutter.example == "ledger" %}ledger{% else %}material{% endif %} import OWNER, T0
from tests.contract.session_bounds import bounded

KEY = IdempotencyKey(OWNER.subject, "pay-rent-2026-01")
EXPIRES = T0 + DEFAULT_RETENTION
WAIT_SECONDS = 10


async def claim(
    uow: UnitOfWork,
    key: IdempotencyKey = KEY,
    fingerprint: str = "fingerprint-1",
    *,
    now: datetime = T0,
    expires_at: datetime = EXPIRES,
) -> IdempotencyRecord | None:
    return await uow.idempotency.claim(key, fingerprint, now=now, expires_at=expires_at)


async def keep(
    unit_of_work: UnitOfWorkFactory,
    key: IdempotencyKey = KEY,
    fingerprint: str = "fingerprint-1",
    outcome: str = "outcome-1",
    *,
    now: datetime = T0,
    expires_at: datetime = EXPIRES,
) -> None:
    """Claim ``key``, complete it with ``outcome`` and commit, as a use case does."""
    async with unit_of_work() as uow:
        assert await claim(uow, key, fingerprint, now=now, expires_at=expires_at) is None
        await uow.idempotency.complete(key, outcome)
        await uow.commit()


async def record_of(
    unit_of_work: UnitOfWorkFactory,
    key: IdempotencyKey = KEY,
    *,
    now: datetime = T0,
) -> IdempotencyRecord | None:
    """What a new unit of work's claim of ``key`` finds (its own claim is rolled back)."""
    async with unit_of_work() as uow:
        return await claim(uow, key, "fingerprint-of-the-probe", now=now)


async def purge(unit_of_work: UnitOfWorkFactory, *, now: datetime, limit: int = 100) -> int:
    async with unit_of_work() as uow:
        purged = await uow.idempotency.purge_expired(now=now, limit=limit)
        await uow.commit()
    return purged


class TestClaimingAKey:
    async def test_a_new_key_is_claimed(self, storage: Storage) -> None:
        async with storage.unit_of_work() as uow:
            assert await claim(uow) is None

    async def test_a_committed_key_answers_later_claims_with_its_record(
        self, storage: Storage
    ) -> None:
        await keep(storage.unit_of_work, fingerprint="fingerprint-1", outcome="outcome-1")

        assert await record_of(storage.unit_of_work) == IdempotencyRecord(
            "fingerprint-1", "outcome-1"
        )

    async def test_a_claim_that_is_not_committed_vanishes(self, storage: Storage) -> None:
        """A request that fails leaves its key free: the retry is judged afresh."""
        async with storage.unit_of_work() as uow:
            assert await claim(uow) is None
            await uow.idempotency.complete(KEY, "outcome-never-committed")

        async with storage.unit_of_work() as uow:
            assert await claim(uow, fingerprint="fingerprint-2") is None

    async def test_keys_are_each_subjects_own(self, storage: Storage) -> None:
        """Two callers who pick the same key never see each other's work."""
        alices, bobs = IdempotencyKey("alice", "same-key"), IdempotencyKey("bob", "same-key")
        await keep(storage.unit_of_work, alices, "alice-fingerprint", "alice-outcome")

        await keep(storage.unit_of_work, bobs, "bob-fingerprint", "bob-outcome")

        assert await record_of(storage.unit_of_work, alices) == IdempotencyRecord(
            "alice-fingerprint", "alice-outcome"
        )
        assert await record_of(storage.unit_of_work, bobs) == IdempotencyRecord(
            "bob-fingerprint", "bob-outcome"
        )

    async def test_a_different_fingerprint_gets_the_record_as_stored(
        self, storage: Storage
    ) -> None:
        """The storage does not judge a reused key; the use case refuses it."""
        await keep(storage.unit_of_work, fingerprint="fingerprint-1", outcome="outcome-1")

        async with storage.unit_of_work() as uow:
            found = await claim(uow, fingerprint="another-request")

        assert found == IdempotencyRecord("fingerprint-1", "outcome-1")


class TestExpiry:
    async def test_a_record_answers_until_it_expires(self, storage: Storage) -> None:
        await keep(storage.unit_of_work, expires_at=EXPIRES)

        just_before = EXPIRES - timedelta(microseconds=1)
        assert await record_of(storage.unit_of_work, now=just_before) is not None

    async def test_an_expired_record_is_absent_and_replaced_by_the_new_claim(
        self, storage: Storage
    ) -> None:
        """From its expiry on (``now >= expires_at``) a key may be used for a new request."""
        await keep(storage.unit_of_work, fingerprint="old", outcome="old-outcome")

        later = EXPIRES + DEFAULT_RETENTION
        await keep(
            storage.unit_of_work,
            fingerprint="new",
            outcome="new-outcome",
            now=EXPIRES,
            expires_at=later,
        )

        assert await record_of(storage.unit_of_work, now=EXPIRES) == IdempotencyRecord(
            "new", "new-outcome"
        )
        assert await record_of(storage.unit_of_work, now=later) is None


class TestPurgingExpiredKeys:
    async def test_only_expired_records_are_purged_and_counted(self, storage: Storage) -> None:
        for number in range(3):
            key = IdempotencyKey(OWNER.subject, f"expired-{number}")
            await keep(storage.unit_of_work, key, expires_at=T0 + timedelta(minutes=number))
        live = IdempotencyKey(OWNER.subject, "live")
        await keep(storage.unit_of_work, live, expires_at=T0 + timedelta(minutes=3))

        purge_time = T0 + timedelta(minutes=2)  # the last expired record expires right then
        assert await purge(storage.unit_of_work, now=purge_time) == 3

        assert await purge(storage.unit_of_work, now=purge_time) == 0, "purged twice"
        assert await record_of(storage.unit_of_work, live, now=purge_time) == IdempotencyRecord(
            "fingerprint-1", "outcome-1"
        )

    async def test_a_purge_deletes_no_more_than_its_limit(self, storage: Storage) -> None:
        for number in range(5):
            await keep(storage.unit_of_work, IdempotencyKey(OWNER.subject, f"expired-{number}"))

        batches = [await purge(storage.unit_of_work, now=EXPIRES, limit=2) for _ in range(4)]

        assert batches == [2, 2, 1, 0]

    async def test_a_purge_is_undone_without_commit(self, storage: Storage) -> None:
        await keep(storage.unit_of_work)
        async with storage.unit_of_work() as uow:
            assert await uow.idempotency.purge_expired(now=EXPIRES, limit=100) == 1

        assert await purge(storage.unit_of_work, now=EXPIRES) == 1


async def until_a_backend_waits_for_a_lock(storage: Storage) -> None:
    """Return once a session of the test database waits for a lock (PostgreSQL).

    Polls ``pg_stat_activity``: the test then knows the second claim is blocked on the
    first's key, instead of hoping a sleep was long enough.
    """
    assert storage.engine is not None
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with asyncio.timeout(WAIT_SECONDS), storage.engine.connect() as connection:
        # The database signals nothing a test could await: ask it until it says so, each
        # time in a new transaction (a transaction sees one snapshot of pg_stat_activity).
        while not (await connection.execute(waiting)).scalar_one():
            await connection.rollback()
            await asyncio.sleep(0.01)


class TestAClaimHeldByAnotherUnitOfWork:
    @postgresql_only
    async def test_a_claim_that_outwaits_the_lock_timeout_is_request_in_progress(
        self, storage: Storage
    ) -> None:
        """The original still runs: the retry is told so, not run, and not kept waiting."""
        assert storage.database_url is not None
        impatient = create_engine(storage.database_url, bounds=bounded(lock_timeout=0.2))
        try:
            async with storage.unit_of_work() as original:
                assert await claim(original) is None

                async with SqlUnitOfWorkFactory(impatient)() as retry:
                    with pytest.raises(RequestInProgress):
                        await claim(retry)
        finally:
            await impatient.dispose()

    @postgresql_only
    async def test_a_claim_waits_for_the_holder_and_gets_its_record_once_committed(
        self, storage: Storage
    ) -> None:
        """A retry racing its original answers with the original's outcome."""

        async def retry() -> IdempotencyRecord | None:
            async with storage.unit_of_work() as uow:
                return await claim(uow, fingerprint="fingerprint-1")

        async with storage.unit_of_work() as original:
            assert await claim(original) is None
            waiting = asyncio.create_task(retry())
            await until_a_backend_waits_for_a_lock(storage)
            assert not waiting.done()
            await original.idempotency.complete(KEY, "outcome-1")
            await original.commit()

        async with asyncio.timeout(WAIT_SECONDS):
            assert await waiting == IdempotencyRecord("fingerprint-1", "outcome-1")

    @postgresql_only
    async def test_a_claim_waiting_for_a_holder_that_rolls_back_gets_the_key(
        self, storage: Storage
    ) -> None:
        """An original that failed changed nothing: its retry does the work."""

        async def retry() -> IdempotencyRecord | None:
            async with storage.unit_of_work() as uow:
                return await claim(uow, fingerprint="fingerprint-2")

        async with storage.unit_of_work() as original:
            assert await claim(original) is None
            waiting = asyncio.create_task(retry())
            await until_a_backend_waits_for_a_lock(storage)
            await original.rollback()

        async with asyncio.timeout(WAIT_SECONDS):
            assert await waiting is None

    async def test_a_claim_after_the_holder_commits_gets_its_record_on_every_storage(
        self, storage: Storage
    ) -> None:
        """Writers that queue (memory, SQLite) or wait on the row (PostgreSQL) alike see
        the committed record, never a second claim of the key."""

        async def retry() -> IdempotencyRecord | None:
            async with storage.unit_of_work() as uow:
                return await claim(uow, fingerprint="fingerprint-1")

        async with storage.unit_of_work() as original:
            assert await claim(original) is None
            waiting = asyncio.create_task(retry())
            await asyncio.sleep(0)  # let the retry start and queue behind the original
            await original.idempotency.complete(KEY, "outcome-1")
            await original.commit()

        async with asyncio.timeout(WAIT_SECONDS):
            assert await waiting == IdempotencyRecord("fingerprint-1", "outcome-1")
