"""``uow.rollback()`` drops the work done since the last commit, and the unit of work goes on.

Whatever was written before the rollback is gone for good: later reads in the same unit
of work do not see it, and a later commit does not make it durable. What is written after
the rollback commits as usual. Pinned for every kind of write a use case makes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from {{ cookiecutter.package_name }}.domain.errors import AccountNotFound
from {{ cookiecutter.package_name }}.domain.idempotency import (
    DEFAULT_RETENTION,
    IdempotencyKey,
    IdempotencyRecord,
)
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from tests.contract.implementations import Storage
from tests.contract.ledger import OWNER, T0, account, balances, is_stored, store

FAR_FUTURE = T0 + timedelta(days=3650)
KEY = IdempotencyKey(OWNER.subject, "rolled-back-then-reused")


def euros(amount: int) -> Money:
    return Money(amount, Currency.EUR)


def a_notice() -> Notice:
    source, destination = account(100), account()
    made = Transfer.between(source, destination, euros(1), at=T0, requested_by=OWNER.subject)
    return Notice.transfer_completed(made)


async def deliverable(uow: UnitOfWork) -> set[Notice]:
    """The notices ``uow`` could hand a relay right now.

    Claiming leases them: call it where none is expected, or roll back afterwards.
    """
    pending = await uow.outbox.claim(limit=1_000, now=FAR_FUTURE, lease=timedelta(0))
    return {p.notice for p in pending}


class TestRollback:
    async def test_an_account_added_before_a_rollback_is_gone(self, storage: Storage) -> None:
        dropped, kept = account(), account()
        async with storage.unit_of_work() as uow:
            await uow.accounts.add(dropped)
            await uow.rollback()

            with pytest.raises(AccountNotFound):
                await uow.accounts.get(dropped.id)
            await uow.accounts.add(kept)
            await uow.commit()

        assert not await is_stored(storage.unit_of_work, dropped.id)
        assert await is_stored(storage.unit_of_work, kept.id)

    async def test_a_balance_updated_before_a_rollback_is_restored(self, storage: Storage) -> None:
        held = account(100)
        await store(storage.unit_of_work, [held])
        async with storage.unit_of_work() as uow:
            changed = (await uow.accounts.lock_many([held.id]))[held.id]
            changed.deposit(euros(50))
            await uow.accounts.update_balances([changed])
            await uow.rollback()

            again = (await uow.accounts.lock_many([held.id]))[held.id]
            assert again.balance == euros(100)
            again.withdraw(euros(30))
            await uow.accounts.update_balances([again])
            await uow.commit()

        assert await balances(storage.unit_of_work, held.id) == [70]

    async def test_a_notice_put_before_a_rollback_is_never_delivered(
        self, storage: Storage
    ) -> None:
        dropped, kept = a_notice(), a_notice()
        async with storage.unit_of_work() as uow:
            await uow.outbox.put(dropped)
            await uow.rollback()

            assert await deliverable(uow) == set()
            await uow.outbox.put(kept)
            await uow.commit()

        assert await storage.stored.notice_state(dropped.id) is None
        assert await storage.stored.notice_state(kept.id) == "pending"

    async def test_a_key_claimed_before_a_rollback_is_free_again(self, storage: Storage) -> None:
        """The work a rollback drops may be run again under the same key, and only that
        second run's outcome is kept."""
        expires_at = T0 + DEFAULT_RETENTION
        async with storage.unit_of_work() as uow:
            first = await uow.idempotency.claim(KEY, "first", now=T0, expires_at=expires_at)
            assert first is None
            await uow.idempotency.complete(KEY, "first-outcome")
            await uow.rollback()

            second = await uow.idempotency.claim(KEY, "second", now=T0, expires_at=expires_at)
            assert second is None
            await uow.idempotency.complete(KEY, "second-outcome")
            await uow.commit()

        async with storage.unit_of_work() as uow:
            found = await uow.idempotency.claim(KEY, "probe", now=T0, expires_at=expires_at)
        assert found == IdempotencyRecord("second", "second-outcome")

    async def test_a_rollback_keeps_what_was_committed_before_it(self, storage: Storage) -> None:
        committed, dropped = account(), account()
        async with storage.unit_of_work() as uow:
            await uow.accounts.add(committed)
            await uow.commit()
            await uow.accounts.add(dropped)
            await uow.rollback()

            assert await uow.accounts.get(committed.id) == committed
            with pytest.raises(AccountNotFound):
                await uow.accounts.get(dropped.id)

        assert await is_stored(storage.unit_of_work, committed.id)
        assert not await is_stored(storage.unit_of_work, dropped.id)
