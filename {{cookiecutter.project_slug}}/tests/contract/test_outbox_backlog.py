"""The backlog an operator watches reads the same on every storage, in one query."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.domain.backlog import OutboxBacklog
from tests.contract.implementations import Storage, sql_only
{%- if cookiecutter.example == "ledger" %}
from tests.contract.ledger import minutes, store
from tests.contract.outbox import A_DAY, claim, deliver, fail, notice
from tests.contract.test_queries import counted_statements
{%- else %}
from tests.contract.material import counted_statements, minutes, store
from tests.contract.outbox import A_DAY, claim, deliver, fail, notice
{%- endif %}


async def backlog(storage: Storage) -> OutboxBacklog:
    async with storage.unit_of_work(read_only=True) as uow:
        return await uow.outbox.backlog()


async def test_an_empty_outbox_has_no_backlog(storage: Storage) -> None:
    assert await backlog(storage) == OutboxBacklog(pending=0, oldest_pending_at=None, parked=0)


async def test_counts_pending_and_parked_notices_and_dates_the_oldest_pending_one(
    storage: Storage,
) -> None:
    delivered, parked, waiting, leased, due = (notice(minutes(n), n) for n in range(5))
    await store(storage.unit_of_work, notices=[delivered, parked, waiting, leased, due])
    await deliver(storage, [delivered.id])
    await fail(storage, parked.id, retry_after=None)
    await fail(storage, waiting.id, retry_after=A_DAY)
    assert [p.notice for p in await claim(storage, limit=1)] == [leased]

    assert await backlog(storage) == OutboxBacklog(
        pending=3, oldest_pending_at=waiting.created_at, parked=1
    )


@sql_only
async def test_is_one_statement_however_many_notices_wait(storage: Storage) -> None:
    assert storage.engine is not None
    await store(storage.unit_of_work, notices=[notice(minutes(n), n) for n in range(30)])

    with counted_statements(storage.engine) as statements:
        await backlog(storage)

    assert len([s for s in statements if "outbox" in s]) == 1, "\n".join(statements)
