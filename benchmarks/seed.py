"""Insert the benchmark's accounts into a migrated database (run with the baked project's Python).

    python seed.py < SPEC.json

SPEC, read from stdin: {"url": "<the service's DATABASE_URL>", "balance": 10**15,
"currency": "EUR", "owner": "<the subject the load's token speaks for>",
"account_ids": ["<uuid>", ...]}
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Column, MetaData, String, Table, Uuid
from sqlalchemy.ext.asyncio import create_async_engine

accounts = Table(
    "accounts",
    MetaData(),
    Column("id", Uuid, primary_key=True),
    Column("owner", String(255)),
    Column("owner_email", String(320)),
    Column("currency", String(3)),
    Column("balance_minor_units", BigInteger),
)


async def insert(url: str, batches: Sequence[tuple[Table, list[dict[str, Any]]]]) -> None:
    """Insert each batch of rows in one transaction, on the service's async drivers
    (``sqlite+aiosqlite://``, ``postgresql+asyncpg://``)."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for table, rows in batches:
                await connection.execute(table.insert(), rows)
    finally:
        await engine.dispose()


async def seed(spec: dict[str, Any]) -> None:
    rows = [
        {
            "id": uuid.UUID(account_id),
            "owner": spec["owner"],
            "owner_email": f"owner-{index}@example.com",
            "currency": spec["currency"],
            "balance_minor_units": spec["balance"],
        }
        for index, account_id in enumerate(spec["account_ids"])
    ]
    await insert(spec["url"], [(accounts, rows)])


if __name__ == "__main__":
    asyncio.run(seed(json.load(sys.stdin)))
