"""Every repository method answers the same on every implementation.

Writes go through one committed unit of work, reads through another, so what is checked
is what was stored, not an object still held in memory.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta, timezone

import pytest

from {{ cookiecutter.package_name }}.domain.audit import AuditAction, AuditEntry
from {{ cookiecutter.package_name }}.domain.errors import (
    AccountNotFound,
    NoticeNotFound,
)
from {{ cookiecutter.package_name }}.domain.ids import AccountId, AuditEntryId, new_notice_id
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.notice import PendingNotice
from {{ cookiecutter.package_name }}.domain.principal import MAX_SUBJECT_LENGTH
from tests.contract.implementations import Storage
from tests.contract.ledger import T0, account, minutes, store, transfer
from tests.contract.outbox import A_DAY, NOW, claim, deliver, fail, notice

LONGEST_SUBJECT = "ü" * MAX_SUBJECT_LENGTH
"""As long as a principal's subject may be, in characters that take two bytes in UTF-8."""


def unknown_account_id() -> AccountId:
    return AccountId(uuid.uuid4())


class TestAccountRepository:
    async def test_a_stored_account_reads_back_equal_with_its_owner(self, storage: Storage) -> None:
        stored = account(1_250, owner="reader", email="reader@example.com")
        await store(storage.unit_of_work, [stored])

        async with storage.unit_of_work(read_only=True) as uow:
            found = await uow.accounts.get(stored.id)

        assert found == stored
        assert found.owner == "reader"

    async def test_the_longest_subject_is_kept_whole_as_an_owner(self, storage: Storage) -> None:
        stored = account(owner=LONGEST_SUBJECT)
        await store(storage.unit_of_work, [stored])

        async with storage.unit_of_work() as uow:
            assert (await uow.accounts.get(stored.id)).owner == LONGEST_SUBJECT
            assert (await uow.accounts.lock_many([stored.id]))[stored.id].owner == LONGEST_SUBJECT

    async def test_get_of_a_missing_account_raises_account_not_found(
        self, storage: Storage
    ) -> None:
        async with storage.unit_of_work(read_only=True) as uow:
            with pytest.raises(AccountNotFound):
                await uow.accounts.get(unknown_account_id())

    async def test_lock_many_returns_every_account_in_id_order(self, storage: Storage) -> None:
        accounts = [account(n, owner=f"owner-{n}") for n in range(5)]
        await store(storage.unit_of_work, accounts)

        async with storage.unit_of_work() as uow:
            locked = await uow.accounts.lock_many([a.id for a in reversed(accounts)])

        assert list(locked) == sorted(a.id for a in accounts)
        assert locked == {a.id: a for a in accounts}

    async def test_lock_many_raises_account_not_found_if_any_is_missing(
        self, storage: Storage
    ) -> None:
        present = account()
        await store(storage.unit_of_work, [present])

        async with storage.unit_of_work() as uow:
            with pytest.raises(AccountNotFound):
                await uow.accounts.lock_many([present.id, unknown_account_id()])

    async def test_update_balances_stores_the_new_balances(self, storage: Storage) -> None:
        first, second = account(100), account(0)
        await store(storage.unit_of_work, [first, second])

        async with storage.unit_of_work() as uow:
            locked = await uow.accounts.lock_many([first.id, second.id])
            locked[first.id].withdraw(Money(40, first.currency))
            locked[second.id].deposit(Money(40, second.currency))
            await uow.accounts.update_balances(locked.values())
            await uow.commit()

        async with storage.unit_of_work(read_only=True) as uow:
            assert (await uow.accounts.get(first.id)).balance.minor_units == 60
            assert (await uow.accounts.get(second.id)).balance.minor_units == 40


class TestTransferRepository:
    async def test_a_stored_transfer_reads_back_equal_with_its_requester(
        self, storage: Storage
    ) -> None:
        source, destination = account(), account()
        stored = transfer(source, destination, 75, by="requester")
        await store(storage.unit_of_work, [source, destination], [stored])

        async with storage.unit_of_work(read_only=True) as uow:
            [listed] = await uow.transfers.list_for_account(source.id, limit=10)

        assert listed == stored
        assert listed.requested_by == "requester"
        assert listed.created_at.utcoffset() is not None, "timestamps come back timezone-aware"

    async def test_the_longest_subject_is_kept_whole_as_a_requester(self, storage: Storage) -> None:
        source, destination = account(), account()
        stored = transfer(source, destination, by=LONGEST_SUBJECT)
        await store(storage.unit_of_work, [source, destination], [stored])

        async with storage.unit_of_work(read_only=True) as uow:
            [found] = await uow.transfers.list_for_account(source.id, limit=10)

        assert found == stored

    async def test_a_time_in_another_zone_reads_back_as_the_same_instant(
        self, storage: Storage
    ) -> None:
        source, destination = account(), account()
        paris_time = T0.astimezone(timezone(timedelta(hours=1)))
        in_paris = transfer(source, destination, at=paris_time)
        await store(storage.unit_of_work, [source, destination], [in_paris])

        async with storage.unit_of_work(read_only=True) as uow:
            [found] = await uow.transfers.list_for_account(source.id, limit=10)

        assert found.created_at == T0, "the instant, not the wall-clock reading, is stored"

    async def test_a_transfer_between_unknown_accounts_raises_account_not_found(
        self, storage: Storage
    ) -> None:
        known = account()
        await store(storage.unit_of_work, [known])

        for orphan in (transfer(known, account()), transfer(account(), known)):
            async with storage.unit_of_work() as uow:
                with pytest.raises(AccountNotFound):
                    await uow.transfers.add(orphan)

    async def test_transfers_without_a_key_never_collide(self, storage: Storage) -> None:
        source, destination = account(), account()
        keyless = [transfer(source, destination), transfer(source, destination)]
        await store(storage.unit_of_work, [source, destination], keyless)

        async with storage.unit_of_work(read_only=True) as uow:
            listed = await uow.transfers.list_for_account(source.id, limit=10)

        assert len(listed) == 2

    async def test_lists_both_directions_newest_first_and_nothing_else(
        self, storage: Storage
    ) -> None:
        me, other, stranger = account(), account(), account()
        outgoing = transfer(me, other, at=minutes(1))
        incoming = transfer(other, me, at=minutes(3))
        middle = transfer(me, other, at=minutes(2))
        unrelated = transfer(other, stranger, at=minutes(4))
        await store(
            storage.unit_of_work, [me, other, stranger], [outgoing, incoming, middle, unrelated]
        )

        async with storage.unit_of_work(read_only=True) as uow:
            listed = await uow.transfers.list_for_account(me.id, limit=10)
            of_nobody = await uow.transfers.list_for_account(account().id, limit=10)

        assert listed == [incoming, middle, outgoing]
        assert of_nobody == []

    async def test_ties_in_time_are_broken_by_id_descending(self, storage: Storage) -> None:
        me, other = account(), account()
        simultaneous = [transfer(me, other, at=T0) for _ in range(6)]
        await store(storage.unit_of_work, [me, other], simultaneous)

        async with storage.unit_of_work(read_only=True) as uow:
            listed = await uow.transfers.list_for_account(me.id, limit=10)

        assert listed == sorted(simultaneous, key=lambda t: t.id, reverse=True)


class TestAuditLog:
    async def test_entries_read_back_oldest_first_whatever_the_order_of_appends(
        self, storage: Storage
    ) -> None:
        subject = "subject-1"
        late = AuditEntry.record(AuditAction.DEPOSIT_MADE, subject, at=minutes(2), note="late")
        early = AuditEntry.record(AuditAction.ACCOUNT_OPENED, subject, at=minutes(1))
        tied = [
            AuditEntry(AuditEntryId(uuid.uuid4()), AuditAction.DEPOSIT_MADE, subject, minutes(3))
            for _ in range(3)
        ]
        other = AuditEntry.record(AuditAction.ACCOUNT_OPENED, "subject-2", at=minutes(0))
        await store(storage.unit_of_work, entries=[late, *tied, other, early])

        listed = await storage.stored.audit_entries(subject)
        of_nobody = await storage.stored.audit_entries("nobody")

        assert listed == [early, late, *sorted(tied, key=lambda e: e.id)]
        assert listed[1].details == {"note": "late"}
        assert of_nobody == []


class TestOutbox:
    """Each due notice goes to one relay at a time, and each outcome is kept.

    ``tests/contract/outbox.py`` says how one suite covers storages that schedule by the
    caller's clock and by the database's.
    """

    async def test_claims_due_notices_oldest_first_up_to_the_limit(self, storage: Storage) -> None:
        first, second, third, not_yet = (notice(minutes(n), n) for n in (1, 2, 3, 0))
        await store(storage.unit_of_work, notices=[third, not_yet, first, second])
        await fail(storage, not_yet.id, retry_after=A_DAY)

        claimed = await claim(storage, limit=2)

        assert claimed == [PendingNotice(first, 0), PendingNotice(second, 0)]
        assert await claim(storage) == [PendingNotice(third, 0)]

    async def test_a_claimed_notice_is_hidden_while_its_lease_lasts(self, storage: Storage) -> None:
        made = notice()
        await store(storage.unit_of_work, notices=[made])

        assert await claim(storage, lease=A_DAY) == [PendingNotice(made, 0)]
        assert await claim(storage) == []

    async def test_a_notice_whose_lease_ended_goes_to_the_next_claim(
        self, storage: Storage
    ) -> None:
        made = notice()
        await store(storage.unit_of_work, notices=[made])

        assert await claim(storage, lease=timedelta(0)) == [PendingNotice(made, 0)]
        assert await claim(storage) == [PendingNotice(made, 0)]

    async def test_a_delivered_notice_is_never_claimed_again(self, storage: Storage) -> None:
        made = notice()
        await store(storage.unit_of_work, notices=[made])
        await claim(storage, lease=timedelta(0))

        await deliver(storage, [made.id])

        assert await claim(storage) == []
        assert await storage.stored.notice_state(made.id) == "delivered"

    async def test_a_batch_is_marked_delivered_in_one_call(self, storage: Storage) -> None:
        made = [notice(minutes(n), n) for n in range(3)]
        await store(storage.unit_of_work, notices=made)
        await claim(storage, lease=timedelta(0))

        async with storage.unit_of_work() as uow:
            await uow.outbox.mark_delivered([made[0].id, made[2].id], at=minutes(6))
            await uow.outbox.mark_delivered([], at=minutes(6))
            await uow.commit()

        assert await claim(storage) == [PendingNotice(made[1], 0)]

    async def test_a_batch_with_an_unknown_notice_raises_and_commits_nothing(
        self, storage: Storage
    ) -> None:
        made = notice()
        await store(storage.unit_of_work, notices=[made])

        async with storage.unit_of_work() as uow:
            with pytest.raises(NoticeNotFound):
                await uow.outbox.mark_delivered([made.id, new_notice_id()], at=T0)

        assert await storage.stored.notice_state(made.id) == "pending"

    async def test_a_failed_notice_waits_for_its_retry(self, storage: Storage) -> None:
        made = notice()
        await store(storage.unit_of_work, notices=[made])
        await claim(storage)

        await fail(storage, made.id, retry_after=A_DAY)

        assert await storage.stored.notice_state(made.id) == "pending"
        assert await claim(storage) == []

    async def test_a_failed_notice_comes_back_when_due_with_the_failure_counted(
        self, storage: Storage
    ) -> None:
        made = notice()
        await store(storage.unit_of_work, notices=[made])
        await claim(storage)

        await fail(storage, made.id, retry_after=timedelta(0))

        assert await claim(storage) == [PendingNotice(made, 1)]

    async def test_a_notice_failed_without_a_retry_is_parked(self, storage: Storage) -> None:
        made = notice()
        async with storage.unit_of_work() as uow:
            await uow.outbox.put(made)
            await uow.outbox.mark_failed(made.id, now=NOW, retry_after=None)
            await uow.commit()

        assert await claim(storage, now=NOW + A_DAY * 365) == []
        assert await storage.stored.notice_state(made.id) == "parked"

    async def test_an_unknown_notice_raises_notice_not_found(self, storage: Storage) -> None:
        unknown = new_notice_id()
        async with storage.unit_of_work() as uow:
            with pytest.raises(NoticeNotFound):
                await uow.outbox.mark_delivered([unknown], at=T0)
            with pytest.raises(NoticeNotFound):
                await uow.outbox.mark_failed(unknown, now=NOW, retry_after=None)

    async def test_concurrent_claims_never_share_a_notice(self, storage: Storage) -> None:
        made = [notice(minutes(n), n) for n in range(6)]
        await store(storage.unit_of_work, notices=made)

        batches = await asyncio.gather(*(claim(storage, limit=2) for _ in range(3)))

        claimed = [pending.notice.id for batch in batches for pending in batch]
        assert len(claimed) == len(set(claimed)), "one notice went to two relays"
        assert set(claimed) == {each.id for each in made}
