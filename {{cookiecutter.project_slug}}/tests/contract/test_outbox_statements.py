"""N+1 guard: marking notices delivered costs the same whatever the number of notices.

The relay marks what it delivered in one call per batch. Statements are counted where
they leave SQLAlchemy for the driver (``before_cursor_execute``), so an adapter that
loops over rows cannot hide.
"""

from __future__ import annotations

from {{ cookiecutter.package_name }}.domain.ids import NoticeId
from tests.contract.implementations import Storage, sql_only
from tests.contract.material import counted_statements, minutes, store
from tests.contract.outbox import notice

FEW, MANY = 3, 30


async def stored_notices(storage: Storage, count: int) -> list[NoticeId]:
    made = [notice(minutes(n), n) for n in range(count)]
    await store(storage.unit_of_work, notices=made)
    return [each.id for each in made]


async def mark(storage: Storage, ids: list[NoticeId]) -> None:
    async with storage.unit_of_work() as uow:
        await uow.outbox.mark_delivered(ids, at=minutes(99))
        await uow.commit()


@sql_only
async def test_marking_notices_delivered_issues_one_statement_per_batch(storage: Storage) -> None:
    """The relay marks what it delivered in one call; the adapter must not loop per row."""
    assert storage.engine is not None
    few, many = await stored_notices(storage, FEW), await stored_notices(storage, MANY)

    with counted_statements(storage.engine) as for_few:
        await mark(storage, few)
    with counted_statements(storage.engine) as for_many:
        await mark(storage, many)

    assert len(for_many) == len(for_few), "\n".join(for_many)


@sql_only
async def test_the_statement_counter_catches_a_loop_per_notice(storage: Storage) -> None:
    """The guard above is only as good as its counter: marking one notice at a time, as
    a per-row adapter would, shows up as more statements for more notices."""
    assert storage.engine is not None
    few, many = await stored_notices(storage, FEW), await stored_notices(storage, MANY)

    async def one_by_one(ids: list[NoticeId]) -> None:
        async with storage.unit_of_work() as uow:
            for each in ids:
                await uow.outbox.mark_delivered([each], at=minutes(99))
            await uow.commit()

    with counted_statements(storage.engine) as for_few:
        await one_by_one(few)
    with counted_statements(storage.engine) as for_many:
        await one_by_one(many)

    assert len(for_many) > len(for_few)
