"""The unit of work on every storage, proven with the service's own stores: the outbox,
the idempotency keys and the audit log.

What a use case writes in one unit of work commits together or not at all: leaving the
block without ``commit()``, an error inside it, or ``rollback()`` drops everything written
since the last commit, in every store at once; what is committed is durable and visible to
the next unit of work, and not before. ``make aggregate`` adds its repositories to the same
unit of work, so these hold for the team's aggregates too (their contract tests add theirs).
"""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.domain.audit import AuditAction, AuditEntry
from {{ cookiecutter.package_name }}.domain.errors import ConcurrencyConflict
from {{ cookiecutter.package_name }}.domain.idempotency import IdempotencyKey, IdempotencyRecord
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork
from {{ cookiecutter.package_name }}.usecases.retry import retry_on_conflict
from tests.contract.implementations import Storage
from tests.contract.material import OWNER, T0, minutes
from tests.contract.outbox import notice

KEY = IdempotencyKey(OWNER.subject, "k-1")


class NoteAction(AuditAction):
    """An action of the tests' own: the service starts with none."""

    NOTE_WRITTEN = "note.written"


class PowerCut(Exception):
    """A failure in the middle of a use case's work."""


async def write_everywhere(uow: UnitOfWork, made: Notice, subject: str = "s-1") -> None:
    """One use case's writes: a key claimed and completed, a notice, an audit entry."""
    assert await uow.idempotency.claim(KEY, "fp", now=T0, expires_at=minutes(60)) is None
    await uow.idempotency.complete(KEY, "answer")
    await uow.outbox.put(made)
    await uow.audit_log.append(AuditEntry.record(NoteAction.NOTE_WRITTEN, subject, at=T0))


async def what_is_stored(
    storage: Storage, made: Notice, subject: str = "s-1"
) -> tuple[IdempotencyRecord | None, str | None, int]:
    """The key's record, the notice's state and the subject's audit entries, as committed."""
    async with storage.unit_of_work() as uow:
        record = await uow.idempotency.claim(KEY, "fp", now=T0, expires_at=minutes(60))
    entries = await storage.stored.audit_entries(subject)
    return record, await storage.stored.notice_state(made.id), len(entries)


NOTHING = (None, None, 0)


async def cut_short(storage: Storage, made: Notice, *, commit_first: bool) -> None:
    """Write everywhere, commit if asked, write once more, then fail."""
    async with storage.unit_of_work() as uow:
        await write_everywhere(uow, made)
        if commit_first:
            await uow.commit()
        await uow.outbox.put(notice())
        raise PowerCut


class TestCommit:
    async def test_commits_every_store_together(self, storage: Storage) -> None:
        made = notice()
        async with storage.unit_of_work() as uow:
            await write_everywhere(uow, made)
            await uow.commit()

        record, state, entries = await what_is_stored(storage, made)

        assert record is not None
        assert (record.fingerprint, record.outcome) == ("fp", "answer")
        assert (state, entries) == ("pending", 1)

    async def test_uncommitted_work_is_invisible_to_other_units_of_work(
        self, storage: Storage
    ) -> None:
        made = notice()
        async with storage.unit_of_work() as writer:
            await writer.outbox.put(made)
            unseen = await storage.stored.notice_state(made.id)
            await writer.commit()

        assert unseen is None
        assert await storage.stored.notice_state(made.id) == "pending"


class TestRollbackByDefault:
    async def test_work_left_without_commit_is_gone_from_every_store(
        self, storage: Storage
    ) -> None:
        made = notice()
        async with storage.unit_of_work() as uow:
            await write_everywhere(uow, made)

        assert await what_is_stored(storage, made) == NOTHING

    async def test_an_error_rolls_back_and_propagates(self, storage: Storage) -> None:
        made = notice()

        with pytest.raises(PowerCut):
            await cut_short(storage, made, commit_first=False)

        assert await what_is_stored(storage, made) == NOTHING

    async def test_an_error_after_a_commit_keeps_what_was_committed(self, storage: Storage) -> None:
        made = notice()

        with pytest.raises(PowerCut):
            await cut_short(storage, made, commit_first=True)

        assert (await what_is_stored(storage, made))[1:] == ("pending", 1)


class TestRollback:
    async def test_drops_the_work_so_far_and_goes_on_in_a_fresh_transaction(
        self, storage: Storage
    ) -> None:
        dropped, kept = notice(n=1), notice(n=2)
        async with storage.unit_of_work() as uow:
            await write_everywhere(uow, dropped, "dropped")
            await uow.rollback()
            await uow.outbox.put(kept)
            await uow.commit()

        assert await what_is_stored(storage, dropped, "dropped") == NOTHING
        assert await storage.stored.notice_state(kept.id) == "pending"

    async def test_a_key_claimed_before_a_rollback_is_free_again(self, storage: Storage) -> None:
        async with storage.unit_of_work() as uow:
            await uow.idempotency.claim(KEY, "fp", now=T0, expires_at=minutes(60))
            await uow.rollback()
            again = await uow.idempotency.claim(KEY, "other", now=T0, expires_at=minutes(60))
            await uow.idempotency.complete(KEY, "second")
            await uow.commit()

        async with storage.unit_of_work() as uow:
            record = await uow.idempotency.claim(KEY, "x", now=T0, expires_at=minutes(60))

        assert again is None
        assert record is not None
        assert (record.fingerprint, record.outcome) == ("other", "second")

    async def test_keeps_what_was_committed_before_it(self, storage: Storage) -> None:
        committed, dropped = notice(n=1), notice(n=2)
        async with storage.unit_of_work() as uow:
            await uow.outbox.put(committed)
            await uow.commit()
            await uow.outbox.put(dropped)
            await uow.rollback()
            await uow.commit()

        assert await storage.stored.notice_state(committed.id) == "pending"
        assert await storage.stored.notice_state(dropped.id) is None


class TestReadOnly:
    async def test_reads_what_was_committed(self, storage: Storage) -> None:
        async with storage.unit_of_work() as uow:
            await uow.outbox.put(notice())
            await uow.commit()

        async with storage.unit_of_work(read_only=True) as uow:
            backlog = await uow.outbox.backlog()

        assert backlog.pending == 1

    async def test_refuses_to_commit(self, storage: Storage) -> None:
        async with storage.unit_of_work(read_only=True) as uow:
            with pytest.raises(RuntimeError, match="read-only"):
                await uow.commit()


class TestRetries:
    async def test_a_unit_of_work_run_again_after_a_conflict_commits_once(
        self, storage: Storage
    ) -> None:
        """``retry_on_conflict`` runs the whole unit of work again: the aborted attempt
        left nothing behind, so the work is stored once."""
        made, attempts = notice(), []

        async def attempt() -> None:
            async with storage.unit_of_work() as uow:
                await write_everywhere(uow, made)
                attempts.append(1)
                if len(attempts) == 1:
                    raise ConcurrencyConflict("a concurrent transaction got in the way")
                await uow.commit()

        await retry_on_conflict(attempt)

        assert len(attempts) == 2
        assert (await what_is_stored(storage, made))[1:] == ("pending", 1)
