"""Run the service's outbox relay in a separate OS process, for ``test_relays_share_work``.

    python relay_worker.py DATABASE_URL

Builds what each ``serve`` worker builds for delivery (``DeliverNotices`` on its own
engine, in an ``OutboxRelay``), with a notifier that only records which notices it was
given, after a short wait that stands for a receiver's answer. Writes ``ready`` once
connected; starts the relay on the first line read from stdin, stops it (a draining
stop, as at shutdown) on the next, and writes one JSON line: the ids of the notices it
delivered, in order.
"""

from __future__ import annotations

import asyncio
import json
import sys

from {{ cookiecutter.package_name }}.adapters.relay.outbox_relay import OutboxRelay
from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.usecases.deliver_notices import DeliverNotices, DeliveryPolicy

RECEIVER_SECONDS = 0.005
"""How long the receiver takes to answer each notice."""
BATCH_SIZE = 20
POLL_SECONDS = 0.05
DRAIN_SECONDS = 5.0


class RecordingNotifier:
    def __init__(self) -> None:
        self.delivered: list[str] = []

    async def notify(self, notice: Notice) -> None:
        await asyncio.sleep(RECEIVER_SECONDS)
        self.delivered.append(str(notice.id))


async def next_line() -> str:
    return await asyncio.to_thread(sys.stdin.readline)


async def run(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=2)
    try:
        notifier = RecordingNotifier()
        deliver = DeliverNotices(
            SqlUnitOfWorkFactory(engine), notifier, DeliveryPolicy(batch_size=BATCH_SIZE)
        )
        relay = OutboxRelay(deliver, poll_interval=POLL_SECONDS, drain_timeout=DRAIN_SECONDS)
        async with engine.connect():  # connected, so both relays start alike
            pass
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        await next_line()
        await relay.start()
        await next_line()
        await relay.stop()
        sys.stdout.write(json.dumps(notifier.delivered) + "\n")
        sys.stdout.flush()
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    [database_url] = argv
    asyncio.run(run(database_url))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
