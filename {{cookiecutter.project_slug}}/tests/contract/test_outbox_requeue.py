"""Requeuing gives parked notices, and only them, a fresh start on every storage."""

from __future__ import annotations

from datetime import timedelta

from {{ cookiecutter.package_name }}.domain.ids import new_notice_id
from {{ cookiecutter.package_name }}.domain.notice import PendingNotice
from tests.contract.implementations import Storage
from tests.contract.{% if cookiecutter.example == "ledger" %}ledger{% else %}material{% endif %} import minutes, store
from tests.contract.outbox import A_DAY, claim, deliver, fail, notice, requeue


async def parked_after_failures(storage: Storage, n: int = 0, failures: int = 3) -> PendingNotice:
    made = notice(minutes(n), n)
    await store(storage.unit_of_work, notices=[made])
    for _ in range(failures - 1):
        await fail(storage, made.id, retry_after=A_DAY)
    await fail(storage, made.id, retry_after=None)
    return PendingNotice(made, failures)


async def test_a_requeued_notice_is_due_at_once_with_its_failures_forgotten(
    storage: Storage,
) -> None:
    parked = await parked_after_failures(storage)

    requeued = await requeue(storage, [parked.notice.id])

    assert list(requeued) == [parked.notice.id]
    assert await storage.stored.notice_state(parked.notice.id) == "pending"
    assert await claim(storage) == [PendingNotice(parked.notice, 0)]


async def test_only_the_parked_notices_named_are_requeued(storage: Storage) -> None:
    named, other = await parked_after_failures(storage, 1), await parked_after_failures(storage, 2)
    waiting, delivered = notice(minutes(3), 3), notice(minutes(4), 4)
    await store(storage.unit_of_work, notices=[waiting, delivered])
    await fail(storage, waiting.id, retry_after=A_DAY)
    await deliver(storage, [delivered.id])
    named_ids = [named.notice.id, waiting.id, delivered.id, new_notice_id()]

    requeued = await requeue(storage, named_ids)

    assert list(requeued) == [named.notice.id]
    assert await storage.stored.notice_state(other.notice.id) == "parked"
    assert await storage.stored.notice_state(delivered.id) == "delivered"
    assert await claim(storage) == [PendingNotice(named.notice, 0)], "the waiting one waits on"


async def test_none_requeues_every_parked_notice_and_nothing_else(storage: Storage) -> None:
    parked = [await parked_after_failures(storage, n) for n in range(3)]
    waiting = notice(minutes(5), 5)
    await store(storage.unit_of_work, notices=[waiting])
    await fail(storage, waiting.id, retry_after=A_DAY)

    requeued = await requeue(storage, None)

    assert set(requeued) == {p.notice.id for p in parked}
    assert await claim(storage) == [PendingNotice(p.notice, 0) for p in parked]


async def test_requeuing_no_ids_or_an_outbox_without_parked_notices_does_nothing(
    storage: Storage,
) -> None:
    parked = await parked_after_failures(storage)

    assert list(await requeue(storage, [])) == []
    assert await storage.stored.notice_state(parked.notice.id) == "parked"
    assert list(await requeue(storage, None)) == [parked.notice.id]
    assert list(await requeue(storage, None)) == []


async def test_a_requeued_notice_that_fails_again_gets_the_whole_schedule_again(
    storage: Storage,
) -> None:
    parked = await parked_after_failures(storage)
    await requeue(storage, [parked.notice.id])
    await claim(storage, lease=timedelta(0))

    await fail(storage, parked.notice.id, retry_after=timedelta(0))

    assert await claim(storage) == [PendingNotice(parked.notice, 1)]
