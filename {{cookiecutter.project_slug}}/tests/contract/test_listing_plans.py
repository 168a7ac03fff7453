"""A page of an account's transfers costs the page, never the account's whole history.

Each database is asked how it runs the very statement the repository sends, on an account
with a long history: every read of ``transfers`` must be a range of one of the listing's
indexes, stopped by a limit, so no sort ever sees more than two pages' worth of rows.
A plan that reads the account's transfers in full to sort them (``WHERE source_id = ? OR
destination_id = ?``, or an index without the listing's order) fails, whichever of the
good plans the planner picks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.adapters.sql.tables import transfers
from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.transfer_position import TransferPosition
from tests.contract.implementations import Storage, postgresql_only, sqlite_only
from tests.contract.ledger import account, minutes, store, transfer

HISTORY = 3_000
"""The listed account's transfers, half out and half in; as many again between others."""
PAGE = 51
LISTING_INDEXES = {
    "ix_transfers_source_id_created_at_id",
    "ix_transfers_destination_id_created_at_id",
}

Statement = tuple[str, Any]


@contextmanager
def sent_statements(engine: AsyncEngine) -> Iterator[list[Statement]]:
    """The SQL and parameters of every statement sent to the driver meanwhile."""
    sent: list[Statement] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", keep)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", keep)


async def account_with_a_long_history(storage: Storage) -> Account:
    """Its transfers go straight into the table in one batch: thousands of port calls
    would take seconds. Several share an instant, as they do in a busy ledger."""
    assert storage.engine is not None
    me, others = account(), [account(owner=f"other-{n}") for n in range(10)]
    await store(storage.unit_of_work, [me, *others])
    mine = [
        transfer(me, others[n % 10], at=minutes(n // 3))
        if n % 2
        else transfer(others[n % 10], me, at=minutes(n // 3))
        for n in range(HISTORY)
    ]
    theirs = [transfer(others[n % 10], others[(n + 1) % 10], at=minutes(n)) for n in range(HISTORY)]
    rows = [
        {
            "id": made.id,
            "source_id": made.source_id,
            "destination_id": made.destination_id,
            "amount_minor_units": made.amount.minor_units,
            "currency": made.amount.currency.value,
            "created_at": made.created_at,
            "requested_by": made.requested_by,
        }
        for made in [*mine, *theirs]
    ]
    async with storage.engine.begin() as connection:
        await connection.execute(insert(transfers), rows)
        await connection.exec_driver_sql("ANALYZE")
    return me


async def listing_statements(storage: Storage, me: Account) -> list[Statement]:
    """What the repository sends for the first page, then for a page halfway down the
    history: a position that is a filter rather than where the index is entered would
    cost the half above it."""
    assert storage.engine is not None
    async with storage.unit_of_work(read_only=True) as uow:
        upper_half = await uow.transfers.list_for_account(me.id, limit=HISTORY // 2)
        halfway = TransferPosition.of(upper_half[-1])
        with sent_statements(storage.engine) as sent:
            await uow.transfers.list_for_account(me.id, limit=PAGE)
            await uow.transfers.list_for_account(me.id, limit=PAGE, after=halfway)
    assert len(sent) == 2, sent
    return sent


def nodes(
    plan: dict[str, Any], above: tuple[str, ...] = ()
) -> Iterator[tuple[dict[str, Any], tuple[str, ...]]]:
    """Every node of a PostgreSQL JSON plan, with the types of the nodes above it."""
    yield plan, above
    for child in plan.get("Plans", []):
        yield from nodes(child, (*above, plan["Node Type"]))


@postgresql_only
async def test_postgresql_reads_a_page_from_the_indexes_not_the_history(storage: Storage) -> None:
    assert storage.engine is not None
    me = await account_with_a_long_history(storage)

    for statement, parameters in await listing_statements(storage, me):
        async with storage.engine.connect() as connection:
            explained = await connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters
            )
            [[document]] = explained.all()
        [root] = json.loads(document) if isinstance(document, str) else document
        shown = json.dumps(root["Plan"], indent=1)
        reads = [
            (node, above)
            for node, above in nodes(root["Plan"])
            if node.get("Relation Name") == "transfers"
        ]

        assert reads, shown
        for node, above in reads:
            assert node["Node Type"] in {"Index Scan", "Index Only Scan"}, shown
            assert node["Index Name"] in LISTING_INDEXES, shown
            assert "Limit" in above, shown
        rows_read = sum(
            (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node["Actual Loops"]
            for node, _ in reads
        )
        assert rows_read <= 2 * PAGE, f"{rows_read} rows read for a page of {PAGE}\n{shown}"


def same_query_ancestors(plan: list[tuple[int, int, str]], node: int) -> set[int]:
    """The nodes of an SQLite plan above ``node``, up to the subquery it is part of."""
    parent_of = {id_: parent for id_, parent, _ in plan}
    detail_of = {id_: detail for id_, _, detail in plan}
    above: set[int] = set()
    at = parent_of[node]
    while at:
        above.add(at)
        if detail_of[at].startswith(("CO-ROUTINE", "MATERIALIZE")) or "SUBQUERY" in detail_of[at]:
            return above
        at = parent_of[at]
    return {*above, 0}


@sqlite_only
async def test_sqlite_reads_a_page_from_the_indexes_not_the_history(storage: Storage) -> None:
    """SQLite's plan has no row counts: what it shows is where it sorts. A temporary
    B-tree in the same query as a read of ``transfers`` sorts all that read: the history."""
    assert storage.engine is not None
    me = await account_with_a_long_history(storage)

    first_page, halfway_down = await listing_statements(storage, me)
    for (statement, parameters), from_a_position in ((first_page, False), (halfway_down, True)):
        async with storage.engine.connect() as connection:
            explained = await connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters
            )
            plan = [(row.id, row.parent, row.detail) for row in explained]
        shown = "\n".join(f"{id_:>4} {parent:>4} {detail}" for id_, parent, detail in plan)
        reads = [(id_, detail) for id_, _, detail in plan if " transfers " in f"{detail} "]
        sorts = {parent for _, parent, detail in plan if detail.startswith("USE TEMP B-TREE")}

        assert reads, shown
        for id_, detail in reads:
            assert detail.startswith("SEARCH transfers USING INDEX "), shown
            assert detail.split()[4] in LISTING_INDEXES, shown
            assert not same_query_ancestors(plan, id_) & sorts, f"sorts a whole read\n{shown}"
            if from_a_position:
                assert "created_at" in detail, f"the position is not sought in the index\n{shown}"
