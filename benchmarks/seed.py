"""Insert the benchmark's accounts into a migrated database (run with the baked project's Python).

    python seed.py SPEC.json

SPEC: {"url": "<the service's DATABASE_URL>", "balance": 10**15, "currency": "EUR",
       "account_ids": ["<uuid>", ...]}
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Column, MetaData, String, Table, Uuid, create_engine
from sqlalchemy.ext.asyncio import create_async_engine

accounts = Table(
    "accounts",
    MetaData(),
    Column("id", Uuid, primary_key=True),
    Column("owner_email", String(320)),
    Column("currency", String(3)),
    Column("balance_minor_units", BigInteger),
)


async def insert(url: str, batches: Sequence[tuple[Table, list[dict[str, Any]]]]) -> None:
    """Insert each batch of rows in one transaction; ``url`` is a service DATABASE_URL.

    The service runs SQLite on the sync ``sqlite3`` module and PostgreSQL on asyncpg, so a
    SQLite URL gets a sync engine and any other an async one.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url)
        with engine.begin() as connection:
            for table, rows in batches:
                connection.execute(table.insert(), rows)
        engine.dispose()
        return
    async_engine = create_async_engine(url)
    async with async_engine.begin() as async_connection:
        for table, rows in batches:
            await async_connection.execute(table.insert(), rows)
    await async_engine.dispose()


async def seed(spec: dict[str, object]) -> None:
    rows = [
        {
            "id": uuid.UUID(account_id),
            "owner_email": f"owner-{index}@example.com",
            "currency": spec["currency"],
            "balance_minor_units": spec["balance"],
        }
        for index, account_id in enumerate(spec["account_ids"])  # type: ignore[call-overload]
    ]
    await insert(str(spec["url"]), [(accounts, rows)])


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as file:
        asyncio.run(seed(json.load(file)))
