"""Insert the benchmark's accounts into a migrated database (run with the baked project's Python).

    python seed.py SPEC.json

SPEC: {"url": "<async SQLAlchemy URL>", "balance": 10**15, "currency": "EUR",
       "account_ids": ["<uuid>", ...]}
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid

from sqlalchemy import BigInteger, Column, MetaData, String, Table, Uuid
from sqlalchemy.ext.asyncio import create_async_engine

accounts = Table(
    "accounts",
    MetaData(),
    Column("id", Uuid, primary_key=True),
    Column("owner_email", String(320)),
    Column("currency", String(3)),
    Column("balance_minor_units", BigInteger),
)


async def seed(spec: dict[str, object]) -> None:
    engine = create_async_engine(str(spec["url"]))
    rows = [
        {
            "id": uuid.UUID(account_id),
            "owner_email": f"owner-{index}@example.com",
            "currency": spec["currency"],
            "balance_minor_units": spec["balance"],
        }
        for index, account_id in enumerate(spec["account_ids"])  # type: ignore[call-overload]
    ]
    async with engine.begin() as connection:
        await connection.execute(accounts.insert(), rows)
    await engine.dispose()


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as file:
        asyncio.run(seed(json.load(file)))
