"""N+1 guards: listing an account's transfers, or marking notices delivered, costs the same
whatever the number of rows.

A listing is two reads, whatever the page size: the account (to check whose it is), then
the page. The lines name each counterpart by id, so no counterpart account is read.

Statements are counted where they leave SQLAlchemy for the driver
(``before_cursor_execute``), so an adapter that loops over rows cannot hide.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.ids import AccountId, NoticeId, new_notice_id
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.list_transfers import ListTransfersRequest
from tests.contract.implementations import Storage, sql_only
from tests.contract.ledger import OWNER, account, minutes, store, transfer
from tests.contract.observed import Observed

FEW, MANY = 3, 30


@contextmanager
def counted_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def account_with_transfers(storage: Storage, count: int) -> Account:
    """An account with ``count`` transfers, each with a different counterpart (owned by
    someone else), both ways."""
    me = account(10_000)
    counterparts = [account(owner=f"counterpart-{n}") for n in range(count)]
    made = [
        transfer(me, other, at=minutes(n)) if n % 2 else transfer(other, me, at=minutes(n))
        for n, other in enumerate(counterparts)
    ]
    await store(storage.unit_of_work, [me, *counterparts], made)
    return me


async def list_all(use_cases: UseCases, account_id: AccountId, expected: int) -> None:
    page = await use_cases.list_transfers(OWNER, ListTransfersRequest(account_id, limit=MANY))
    assert len(page.lines) == expected
    assert len({line.counterpart_id for line in page.lines}) == expected


def queries(statements: list[str]) -> list[str]:
    """The reads among ``statements`` (not the ``BEGIN`` SQLite's engine sends itself)."""
    return [each for each in statements if each.lstrip().upper().startswith("SELECT")]


@sql_only
async def test_listing_issues_a_constant_number_of_statements(storage: Storage) -> None:
    """Two reads, the account and the page, for a page of 3 lines as for one of 30."""
    assert storage.engine is not None
    few, many = (
        await account_with_transfers(storage, FEW),
        await account_with_transfers(storage, MANY),
    )
    use_cases = UseCases.wired_to(storage.unit_of_work)

    with counted_statements(storage.engine) as for_few:
        await list_all(use_cases, few.id, FEW)
    with counted_statements(storage.engine) as for_many:
        await list_all(use_cases, many.id, MANY)

    assert len(for_many) == len(for_few), "\n".join(for_many)
    assert len(queries(for_many)) == 2, "\n".join(for_many)


@sql_only
async def test_the_statement_counter_catches_an_n_plus_one_loop(storage: Storage) -> None:
    """The guard above can fail: a loop of single-account reads is counted per transfer."""
    assert storage.engine is not None
    few, many = (
        await account_with_transfers(storage, FEW),
        await account_with_transfers(storage, MANY),
    )

    async def naive_listing(account_id: AccountId) -> None:
        async with storage.unit_of_work(read_only=True) as uow:
            for made in await uow.transfers.list_for_account(account_id, limit=MANY):
                await uow.accounts.get(made.counterpart_of(account_id))

    with counted_statements(storage.engine) as for_few:
        await naive_listing(few.id)
    with counted_statements(storage.engine) as for_many:
        await naive_listing(many.id)

    assert len(for_many) - len(for_few) == MANY - FEW


async def test_listing_makes_the_same_port_calls_whatever_the_page_size(
    storage: Storage,
) -> None:
    few, many = (
        await account_with_transfers(storage, FEW),
        await account_with_transfers(storage, MANY),
    )
    for_few, for_many = Observed(storage.unit_of_work), Observed(storage.unit_of_work)

    await list_all(UseCases.wired_to(for_few), few.id, FEW)
    await list_all(UseCases.wired_to(for_many), many.id, MANY)

    assert for_many.calls == for_few.calls == ["accounts.get", "transfers.list_for_account"]


async def stored_notices(storage: Storage, count: int) -> list[NoticeId]:
    made = [Notice(new_notice_id(), "test.happened", minutes(n), {}) for n in range(count)]
    await store(storage.unit_of_work, notices=made)
    return [each.id for each in made]


@sql_only
async def test_marking_notices_delivered_issues_one_statement_per_batch(storage: Storage) -> None:
    """The relay marks what it delivered in one call; the adapter must not loop per row."""
    assert storage.engine is not None
    few, many = await stored_notices(storage, FEW), await stored_notices(storage, MANY)

    async def mark(ids: list[NoticeId]) -> None:
        async with storage.unit_of_work() as uow:
            await uow.outbox.mark_delivered(ids, at=minutes(99))
            await uow.commit()

    with counted_statements(storage.engine) as for_few:
        await mark(few)
    with counted_statements(storage.engine) as for_many:
        await mark(many)

    assert len(for_many) == len(for_few), "\n".join(for_many)
