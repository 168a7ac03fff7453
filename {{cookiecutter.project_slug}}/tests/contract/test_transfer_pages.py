"""Pages of an account's transfers, on every storage: each page starts past the position
of the last transfer of the page before.

Walking the pages gives the whole history once, newest first, however the page size
falls among transfers made at the same instant, and transfers made during the walk never
shift the pages still to come.
"""

from __future__ import annotations

from datetime import timedelta, timezone

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from {{ cookiecutter.package_name }}.domain.transfer_position import TransferPosition
from tests.contract.implementations import Storage
from tests.contract.ledger import T0, account, minutes, store, transfer

MICROSECOND = timedelta(microseconds=1)
MAX_PAGES = 20
"""More than any test here needs: a position that does not move the walk on loops."""


def newest_first(transfers: list[Transfer]) -> list[Transfer]:
    return sorted(transfers, key=TransferPosition.of, reverse=True)


async def page_after(
    storage: Storage, me: Account, after: TransferPosition | None, *, limit: int
) -> list[Transfer]:
    async with storage.unit_of_work(read_only=True) as uow:
        return list(await uow.transfers.list_for_account(me.id, limit=limit, after=after))


async def every_page(storage: Storage, me: Account, *, limit: int) -> list[list[Transfer]]:
    """Each page, in its own unit of work as a client's requests are, until one comes back
    empty (that empty one is left out). A walk that never ends fails instead."""
    pages: list[list[Transfer]] = []
    after = None
    while page := await page_after(storage, me, after, limit=limit):
        pages.append(page)
        after = TransferPosition.of(page[-1])
        assert len(pages) <= MAX_PAGES, f"still walking after {MAX_PAGES} pages: {pages[-2:]}"
    return pages


async def test_the_pages_hold_the_whole_history_once_newest_first(storage: Storage) -> None:
    me, other = account(), account()
    made = [
        transfer(me, other, at=minutes(n % 5)) if n % 3 else transfer(other, me, at=minutes(n))
        for n in range(11)
    ]
    await store(storage.unit_of_work, [me, other], made)

    pages = await every_page(storage, me, limit=3)

    assert [len(page) for page in pages] == [3, 3, 3, 2]
    assert [each for page in pages for each in page] == newest_first(made)


async def test_a_page_can_end_between_transfers_made_at_the_same_instant(
    storage: Storage,
) -> None:
    """The position's id decides where the next page starts among equal times."""
    me, other = account(), account()
    simultaneous = [transfer(me, other, at=T0) for _ in range(5)]
    a_microsecond_apart = [
        transfer(other, me, at=T0 - MICROSECOND),
        transfer(other, me, at=T0 + MICROSECOND),
    ]
    await store(storage.unit_of_work, [me, other], [*simultaneous, *a_microsecond_apart])

    pages = await every_page(storage, me, limit=2)

    assert [each for page in pages for each in page] == [
        a_microsecond_apart[1],
        *newest_first(simultaneous),
        a_microsecond_apart[0],
    ]


async def test_one_direction_may_fill_pages_while_the_other_waits(storage: Storage) -> None:
    """Transfers out and in are read apart and merged: neither side may crowd out or skip
    the other."""
    me, other = account(), account()
    older_incoming = [transfer(other, me, at=minutes(n)) for n in range(4)]
    newer_outgoing = [transfer(me, other, at=minutes(10 + n)) for n in range(5)]
    await store(storage.unit_of_work, [me, other], [*older_incoming, *newer_outgoing])

    pages = await every_page(storage, me, limit=2)

    assert [each for page in pages for each in page] == [
        *newest_first(newer_outgoing),
        *newest_first(older_incoming),
    ]


async def test_transfers_made_during_the_walk_do_not_shift_the_pages_to_come(
    storage: Storage,
) -> None:
    me, other = account(), account()
    made = [transfer(me, other, at=minutes(n)) for n in range(6)]
    await store(storage.unit_of_work, [me, other], made)
    first = await page_after(storage, me, None, limit=3)

    newer = [transfer(other, me, at=minutes(10)), transfer(me, other, at=minutes(11))]
    await store(storage.unit_of_work, transfers=newer)
    second = await page_after(storage, me, TransferPosition.of(first[-1]), limit=3)

    assert first == newest_first(made)[:3]
    assert second == newest_first(made)[3:]


async def test_a_position_is_an_instant_whatever_the_zone_it_is_written_in(
    storage: Storage,
) -> None:
    me, other = account(), account()
    made = [transfer(me, other, at=minutes(n)) for n in range(3)]
    await store(storage.unit_of_work, [me, other], made)
    in_utc = TransferPosition.of(made[1])
    in_new_york = TransferPosition(
        in_utc.created_at.astimezone(timezone(-timedelta(hours=5))), in_utc.id
    )

    assert await page_after(storage, me, in_new_york, limit=10) == [made[0]]


async def test_past_the_oldest_transfer_comes_an_empty_page(storage: Storage) -> None:
    me, other = account(), account()
    made = transfer(me, other)
    await store(storage.unit_of_work, [me, other], [made])

    assert await page_after(storage, me, TransferPosition.of(made), limit=10) == []
