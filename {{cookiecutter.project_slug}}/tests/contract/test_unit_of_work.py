"""A unit of work is one transaction: nothing is kept unless committed, all or nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.domain.audit import AuditAction, AuditEntry
from {{ cookiecutter.package_name }}.domain.errors import AccountNotFound, ConcurrencyConflict
from {{ cookiecutter.package_name }}.domain.idempotency import IdempotencyKey
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.contract.implementations import Storage
from tests.contract.ledger import OWNER, T0, account, balances, is_stored, store, transfer
from tests.contract.observed import Observed

FAR_FUTURE = T0 + timedelta(days=3650)


async def claim(uow: UnitOfWork, key: str) -> bool:
    """Claim the owner's ``key`` in ``uow``; whether it was free."""
    the_key = IdempotencyKey(OWNER.subject, key)
    return (
        await uow.idempotency.claim(the_key, "fingerprint", now=T0, expires_at=FAR_FUTURE) is None
    )


async def is_free(unit_of_work: UnitOfWorkFactory, key: str) -> bool:
    """Whether no committed work holds the owner's ``key`` (the claim is not kept)."""
    async with unit_of_work() as uow:
        return await claim(uow, key)


class PowerCut(Exception):
    """Stands for anything that stops a use case halfway: a crash, a bug, a cancellation."""


class TestRollbackByDefault:
    async def test_work_left_without_commit_is_gone(self, storage: Storage) -> None:
        source, destination = account(), account()
        entry = AuditEntry.record(AuditAction.ACCOUNT_OPENED, source.id, at=T0)
        async with storage.unit_of_work() as uow:
            await uow.accounts.add(source)
            await uow.accounts.add(destination)
            await uow.transfers.add(transfer(source, destination))
            await uow.audit_log.append(entry)
            await claim(uow, "uncommitted")

        assert not await is_stored(storage.unit_of_work, source.id)
        assert not await is_stored(storage.unit_of_work, destination.id)
        async with storage.unit_of_work(read_only=True) as uow:
            assert await uow.transfers.list_for_account(source.id, limit=1) == []
        assert await storage.stored.audit_entries(str(source.id)) == []
        assert await is_free(storage.unit_of_work, "uncommitted")

    async def test_an_error_rolls_back_and_propagates(self, storage: Storage) -> None:
        doomed = account()

        async def add_then_fail() -> None:
            async with storage.unit_of_work() as uow:
                await uow.accounts.add(doomed)
                raise PowerCut

        with pytest.raises(PowerCut):
            await add_then_fail()

        assert not await is_stored(storage.unit_of_work, doomed.id)

    async def test_uncommitted_work_is_invisible_to_other_units_of_work(
        self, storage: Storage
    ) -> None:
        pending = account()
        async with storage.unit_of_work() as writer:
            await writer.accounts.add(pending)
            async with storage.unit_of_work(read_only=True) as reader:
                with pytest.raises(AccountNotFound):
                    await reader.accounts.get(pending.id)
            await writer.commit()

        async with storage.unit_of_work(read_only=True) as reader:
            assert await reader.accounts.get(pending.id) == pending

    async def test_a_read_only_unit_of_work_refuses_to_commit(self, storage: Storage) -> None:
        async with storage.unit_of_work(read_only=True) as uow:
            with pytest.raises(RuntimeError):
                await uow.commit()


async def notices_about(storage: Storage, made: Transfer) -> list[Notice]:
    """The outbox notices that announce ``made`` (claimed, then rolled back: no trace)."""
    async with storage.unit_of_work() as uow:
        pending = await uow.outbox.claim(limit=1_000, now=FAR_FUTURE, lease=timedelta(0))
    return [p.notice for p in pending if p.notice.payload.get("transfer_id") == str(made.id)]


async def calls_of_a_transfer(storage: Storage) -> list[str]:
    """The port calls one transfer makes, in order, as observed on a successful one."""
    source, destination = account(500), account(0)
    await store(storage.unit_of_work, [source, destination])
    observed = Observed(storage.unit_of_work)
    await UseCases.wired_to(observed).transfer_funds(
        OWNER, TransferRequest(source.id, destination.id, Money(1, Currency.EUR), "k-observed")
    )
    return observed.calls


async def crash_a_transfer_after(storage: Storage, position: int) -> None:
    """Run a transfer that dies right after its port call number ``position``."""
    source, destination = account(500), account(0)
    await store(storage.unit_of_work, [source, destination])
    attempted: list[Transfer] = []

    async def crash(call: str, args: tuple[Any, ...]) -> None:
        if call == "transfers.add":
            attempted.append(args[0])
        if len(observed.calls) - 1 == position:
            raise PowerCut(f"after {call}")

    observed = Observed(storage.unit_of_work, crash)
    key = f"k-{position}"
    with pytest.raises(PowerCut):
        await UseCases.wired_to(observed).transfer_funds(
            OWNER, TransferRequest(source.id, destination.id, Money(200, Currency.EUR), key)
        )

    crashed_after = observed.calls[position]
    assert await balances(storage.unit_of_work, source.id, destination.id) == [500, 0], (
        f"balances changed by a transfer that crashed after {crashed_after}"
    )
    assert await is_free(storage.unit_of_work, key), f"key kept after {crashed_after}"
    async with storage.unit_of_work(read_only=True) as uow:
        assert await uow.transfers.list_for_account(source.id, limit=10) == []
    for made in attempted:
        assert await storage.stored.audit_entries(str(made.id)) == [], crashed_after
        assert await notices_about(storage, made) == [], crashed_after


class TestAtomicityAcrossRepositories:
    async def test_a_transfer_that_fails_after_any_of_its_writes_leaves_no_trace(
        self, storage: Storage
    ) -> None:
        calls = await calls_of_a_transfer(storage)
        first_write = calls.index("idempotency.claim")
        assert {
            "accounts.update_balances",
            "transfers.add",
            "audit_log.append",
            "outbox.put",
            "idempotency.complete",
        } <= set(calls[first_write:])

        for position in range(first_write, len(calls)):
            await crash_a_transfer_after(storage, position)

    async def test_a_conflict_after_the_first_write_is_retried_and_applied_once(
        self, storage: Storage
    ) -> None:
        source, destination = account(500), account(0)
        await store(storage.unit_of_work, [source, destination])
        conflicts = ["once"]

        async def conflict_once(call: str, _args: tuple[Any, ...]) -> None:
            if call == "transfers.add" and conflicts:
                conflicts.pop()
                raise ConcurrencyConflict("a concurrent transaction won")

        observed = Observed(storage.unit_of_work, conflict_once)
        outcome = await UseCases.wired_to(observed).transfer_funds(
            OWNER, TransferRequest(source.id, destination.id, Money(200, Currency.EUR), "k-2")
        )

        assert observed.calls.count("transfers.add") == 2, "the whole unit of work ran again"
        assert await balances(storage.unit_of_work, source.id, destination.id) == [300, 200]
        async with storage.unit_of_work(read_only=True) as uow:
            listed = await uow.transfers.list_for_account(source.id, limit=10)
        audit = await storage.stored.audit_entries(str(outcome.result.id))
        assert listed == [outcome.result]
        assert len(audit) == 1
        assert len(await notices_about(storage, outcome.result)) == 1
