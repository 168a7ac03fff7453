"""Relays in several processes (one per ``serve`` worker) share the outbox: every notice
delivered, none lost, none twice.

Two relays, each in its own OS process on its own engine (``relay_worker.py``), start
together on one database holding a backlog of notices. The claims' leases hide a notice
another relay holds, so the backlog is split between them. Delivery is at least once:
a notice whose lease ran out before its relay recorded the delivery would go out again,
and the test counts those (``pytest -s`` prints the figures); with leases far longer
than a batch takes, there are none.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from {{ cookiecutter.package_name }}.domain.backlog import OutboxBacklog
from {{ cookiecutter.package_name }}.domain.ids import new_notice_id
from {{ cookiecutter.package_name }}.domain.notice import Notice
from tests.contract.implementations import Storage, shared_only

NOTICES = 600
RELAYS = 2
WORKER = Path(__file__).with_name("relay_worker.py")
TIMEOUT_SECONDS = 60


async def a_backlog_of(storage: Storage, count: int) -> set[str]:
    """``count`` notices written at once, as a burst of writes would; their ids."""
    written = datetime.now(UTC)
    notices = [
        Notice(new_notice_id(), "test.happened", written, {"n": str(n)}) for n in range(count)
    ]
    async with storage.unit_of_work() as uow:
        for notice in notices:
            await uow.outbox.put(notice)
        await uow.commit()
    return {str(notice.id) for notice in notices}


async def backlog(storage: Storage) -> OutboxBacklog:
    async with storage.unit_of_work(read_only=True) as uow:
        return await uow.outbox.backlog()


@dataclass
class Relays:
    """Relay processes (``relay_worker.py``), all on one database."""

    processes: list[asyncio.subprocess.Process]

    @classmethod
    async def start(cls, database_url: str, count: int) -> Relays:
        relays = cls(
            [
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    str(WORKER),
                    database_url,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                )
                for _ in range(count)
            ]
        )
        ready = await relays._read_lines()
        if ready != ["ready"] * count:
            raise AssertionError(f"a relay did not start: {await relays._errors()}")
        return relays

    async def tell_all(self) -> None:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(b"\n")
            await process.stdin.drain()

    async def delivered(self) -> list[list[str]]:
        """Stop every relay (each drains first); the notices each one delivered."""
        await self.tell_all()
        reports = await self._read_lines()
        if "" in reports:
            raise AssertionError(f"a relay died: {await self._errors()}")
        return [json.loads(report) for report in reports]

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None and process.stdin is not None:
                process.stdin.close()
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                await asyncio.gather(*(process.wait() for process in self.processes))
        finally:
            for process in self.processes:
                if process.returncode is None:
                    process.kill()
                    await process.wait()

    async def _read_lines(self) -> list[str]:
        async def line_of(process: asyncio.subprocess.Process) -> str:
            assert process.stdout is not None
            return (await process.stdout.readline()).decode().strip()

        async with asyncio.timeout(TIMEOUT_SECONDS):
            return await asyncio.gather(*(line_of(process) for process in self.processes))

    async def _errors(self) -> str:
        await self.stop()
        stderrs = [await process.stderr.read() for process in self.processes if process.stderr]
        return "\n".join(stderr.decode() for stderr in stderrs)


async def until_nothing_is_pending(storage: Storage) -> None:
    async with asyncio.timeout(TIMEOUT_SECONDS):
        while (await backlog(storage)).pending:  # noqa: ASYNC110 - the database tells nobody
            await asyncio.sleep(0.05)


@shared_only
async def test_two_relays_in_two_processes_deliver_a_backlog_once_between_them(
    storage: Storage,
) -> None:
    assert storage.database_url is not None
    written = await a_backlog_of(storage, NOTICES)

    relays = await Relays.start(storage.database_url, RELAYS)
    try:
        await relays.tell_all()  # start, together
        await until_nothing_is_pending(storage)
        delivered = await relays.delivered()
    finally:
        await relays.stop()

    deliveries = Counter(notice_id for by_relay in delivered for notice_id in by_relay)
    twice = sum(times - 1 for times in deliveries.values())
    lost = written - set(deliveries)
    print(  # noqa: T201 - the figures, shown by pytest -s
        f"\n{storage.name}: {NOTICES} notices, {RELAYS} relay processes: delivered "
        f"{[len(by_relay) for by_relay in delivered]} by each, {len(lost)} lost, "
        f"{twice} delivered twice"
    )
    assert set(deliveries) == written, "every notice delivered, and nothing else"
    assert twice == 0, f"{twice} deliveries of notices another relay had delivered"
    assert all(delivered), "each relay took a share of the backlog"
    assert await backlog(storage) == OutboxBacklog(pending=0, oldest_pending_at=None, parked=0)
