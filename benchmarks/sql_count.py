"""Count SQL statements per request, in process, through the ASGI app (httpx ASGITransport).

Runs inside the baked project's environment (``statement_counts.py`` starts it with that
project's Python). Every statement any engine sends is counted by a ``before_cursor_execute``
listener on SQLAlchemy's ``Engine`` class; transaction control the driver issues itself
(asyncpg's BEGIN/COMMIT, a pool's reset ROLLBACK) is not a cursor statement and is not
counted.

    python sql_count.py < SPEC.json

SPEC, read from stdin: {"package": "payments_service", "benchmarks": "/path/to/benchmarks",
       "urls": {"sqlite": "sqlite+aiosqlite:///...", "postgresql": "postgresql+asyncpg://..."},
       "sizes": [10, 1000],
       "auth": {"settings": {"AUTH_DEV_SIGNING_KEY": ..., "AUTH_ISSUER": ...,
                             "AUTH_AUDIENCE": ...},
                "subject": "bench-owner", "token": "<JWT>"},
       "server_logs": {"postgresql": "/path/to/server.log"}}   # optional

Every account belongs to the token's subject, and every request sends the token; the
transfer sends a new ``Idempotency-Key`` too, so it is claimed and stored, not replayed.

With a server log (the database set to ``log_statement = 'all'``), the statements the
server received are counted too: that includes the driver's BEGIN/ROLLBACK and the pool's
connection checks, which never pass through a cursor.

Prints one JSON object: {database: {"list_transfers": {size: {app: count}},
"get_account": {app: count}, "post_transfer": {app: count}}}.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from seed import insert
from sqlalchemy import event
from sqlalchemy.engine import Engine

COUNTERPARTS = 100
"""Distinct counterpart accounts: a page (at most 100 lines) names up to 100 of them."""
BALANCE = 10**12
SERVER_STATEMENT = re.compile(r"LOG:  (?:statement|execute [^:]*): (.*)")
"""A statement in a PostgreSQL log written with ``log_statement = 'all'``."""


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []
        event.listen(Engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args: Any) -> None:
        self.count += 1
        self.statements.append(" ".join(str(args[2]).split())[:60])

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()


async def seed(url: str, package: str, sizes: list[int], owner: str) -> dict[str, Any]:
    """Accounts of ``owner`` with ``size`` transfers each, their counterparts cycling over
    100 accounts (``owner``'s too: the listing must not read them, whoever owns them)."""
    tables = importlib.import_module(f"{package}.adapters.sql.tables")
    counterparts = [uuid.uuid4() for _ in range(COUNTERPARTS)]
    listed = {size: uuid.uuid4() for size in sizes}
    spare = [uuid.uuid4(), uuid.uuid4()]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    account_rows = [
        {
            "id": account_id,
            "owner": owner,
            "owner_email": f"{account_id.hex[:12]}@example.com",
            "currency": "EUR",
            "balance_minor_units": BALANCE,
        }
        for account_id in [*counterparts, *listed.values(), *spare]
    ]
    transfer_rows = []
    for size, account_id in listed.items():
        for index in range(size):
            counterpart = counterparts[index % COUNTERPARTS]
            incoming = index % 2 == 0
            transfer_rows.append(
                {
                    "id": uuid.uuid4(),
                    "source_id": counterpart if incoming else account_id,
                    "destination_id": account_id if incoming else counterpart,
                    "amount_minor_units": 1,
                    "currency": "EUR",
                    "created_at": start + timedelta(seconds=index),
                    "requested_by": owner,
                }
            )
    await insert(url, [(tables.accounts, account_rows), (tables.transfers, transfer_rows)])
    return {"listed": listed, "spare": spare}


async def settle(counter: StatementCounter) -> None:
    """Wait until no statement runs for a while (our outbox relay's first poll is over)."""
    seen = -1
    while seen != counter.count:
        seen = counter.count
        await asyncio.sleep(0.2)


def apps_in_process(database: str, url: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Ours and the two references for ``database``, as ASGI apps on ``url``, with quiet
    outbox relays and the spec's signing key, issuer and audience."""
    package = spec["package"]
    os.environ.update(spec["auth"]["settings"])  # ours' Settings and the references read them
    os.environ["DATABASE_URL"] = url
    os.environ["OUTBOX_POLL_INTERVAL_SECONDS"] = "3600"  # the references' relays too
    os.environ["SERVICE_PACKAGE"] = package  # the request limits the references mount
    bootstrap = importlib.import_module(f"{package}.bootstrap")
    settings = importlib.import_module(f"{package}.settings")
    # The outbox relay polls once at startup, then sleeps for the rest of the count.
    quiet = settings.Settings(
        database_url=url, outbox_poll_interval_seconds=3600, shutdown_drain_seconds=0
    )
    apps = {"ours": bootstrap.create_app(quiet)}
    if spec["benchmarks"] not in sys.path:
        sys.path.insert(0, spec["benchmarks"])
    flat_async = "(c) aiosqlite" if database == "sqlite" else "(b) async"
    for name, module in (("(a) sync", "reference_sync"), (flat_async, "reference_async")):
        sys.modules.pop(module, None)
        apps[name] = importlib.import_module(module).app
    return apps


async def dispose_references() -> None:
    """Close the references' engines (ours closes its own when its lifespan ends)."""
    for module in ("reference_sync", "reference_async"):
        disposed = sys.modules[module].engine.dispose()
        if asyncio.iscoroutine(disposed):
            await disposed


def client(app: Any, token: str) -> httpx.AsyncClient:
    """An in-process client of ``app`` that sends the bearer token with every request."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://bench",
        headers={"Authorization": f"Bearer {token}"},
    )


async def count_requests(
    database: str, url: str, spec: dict[str, Any], counter: StatementCounter
) -> dict[str, Any]:
    sizes = [int(size) for size in spec["sizes"]]
    seeded = await seed(url, spec["package"], sizes, spec["auth"]["subject"])
    apps = apps_in_process(database, url, spec)

    result: dict[str, Any] = {
        "list_transfers": {str(size): {} for size in sizes},
        "get_account": {},
        "post_transfer": {},
    }
    source, destination = seeded["spare"]
    transfer = {
        "source_account_id": str(source),
        "destination_account_id": str(destination),
        "amount_minor_units": 1,
        "currency": "EUR",
    }
    server_log = spec.get("server_logs", {}).get(database)

    async def observe(request: Any) -> dict[str, Any]:
        """Run one request; the statements our listener saw (and the server logged)."""
        offset = os.path.getsize(server_log) if server_log else 0
        counter.reset()
        response = await request
        response.raise_for_status()
        entry: dict[str, Any] = {"count": counter.count, "statements": list(counter.statements)}
        if server_log:
            await asyncio.sleep(0.1)  # backends write their log lines as they go
            with open(server_log, encoding="utf-8", errors="replace") as log:
                log.seek(offset)
                logged = SERVER_STATEMENT.findall(log.read())
            entry["server"] = len(logged)
            entry["server_statements"] = [" ".join(line.split())[:60] for line in logged]
        entry["response"] = response
        return entry

    for name, app in apps.items():
        async with app.router.lifespan_context(app), client(app, spec["auth"]["token"]) as http:
            for _warm in range(2):  # first requests connect and fill caches
                (await http.get(f"/accounts/{source}")).raise_for_status()
            await settle(counter)
            result["get_account"][name] = await observe(http.get(f"/accounts/{source}"))
            fresh_key = {"Idempotency-Key": uuid.uuid4().hex}
            posted = http.post("/transfers", json=transfer, headers=fresh_key)
            result["post_transfer"][name] = await observe(posted)
            for size, account_id in seeded["listed"].items():
                path = f"/accounts/{account_id}/transfers?limit=100"
                (await http.get(path)).raise_for_status()
                entry = await observe(http.get(path))
                entry["lines"] = len(entry["response"].json()["items"])
                result["list_transfers"][str(size)][name] = entry
    for entry in [
        *result["get_account"].values(),
        *result["post_transfer"].values(),
        *(entry for by_app in result["list_transfers"].values() for entry in by_app.values()),
    ]:
        entry.pop("response")
    await dispose_references()
    return result


def main() -> int:
    spec = json.load(sys.stdin)
    migrator = importlib.import_module(f"{spec['package']}.adapters.sql.migrator")
    counter = StatementCounter()
    results = {}
    for database, url in spec["urls"].items():
        migrator.upgrade(url)  # runs its own event loop: before ours starts
        results[database] = asyncio.run(count_requests(database, url, spec, counter))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
