"""SQLite runs on the event loop's own thread, and never makes that thread wait.

``adapters/sql/inline.py`` says why: a thread hop per call cost more than SQLite itself.
These tests keep both halves of the bargain: no statement leaves the loop's thread, and
more units of work than pooled connections all finish (a pool that made the thread wait
for a connection would wait forever, since only this thread can return one).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from sqlalchemy import event

from tests.contract.implementations import Storage, sqlite_only
from tests.contract.ledger import account, balances, store, transfer

pytestmark = sqlite_only

MORE_THAN_THE_POOL = 25


async def test_every_statement_runs_on_the_event_loop_thread(storage: Storage) -> None:
    assert storage.engine is not None
    threads: set[int] = set()

    def record(*_args: Any) -> None:
        threads.add(threading.get_ident())

    event.listen(storage.engine.sync_engine, "before_cursor_execute", record)
    try:
        source, destination = account(500), account()
        await store(storage.unit_of_work, [source, destination], [transfer(source, destination)])
        await balances(storage.unit_of_work, source.id, destination.id)
    finally:
        event.remove(storage.engine.sync_engine, "before_cursor_execute", record)

    assert threads == {threading.get_ident()}


async def test_more_units_of_work_than_pooled_connections_all_finish(storage: Storage) -> None:
    me = account(500)
    await store(storage.unit_of_work, [me])

    async def read_while_others_wait() -> int:
        async with storage.unit_of_work(read_only=True) as uow:
            await asyncio.sleep(0.01)  # hold the connection across a real await
            return (await uow.accounts.get(me.id)).balance.minor_units

    balances = await asyncio.wait_for(
        asyncio.gather(*(read_while_others_wait() for _ in range(MORE_THAN_THE_POOL))), 10
    )

    assert balances == [500] * MORE_THAN_THE_POOL
