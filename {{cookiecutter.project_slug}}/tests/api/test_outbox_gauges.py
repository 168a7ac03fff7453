"""The outbox's backlog in the metrics registry (what /metrics serves), measured in the
background, and the alerts on it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import generate_latest

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.adapters.observability.telemetry import Telemetry
from {{ cookiecutter.package_name }}.bootstrap import bootstrap
from {{ cookiecutter.package_name }}.domain.backlog import OutboxBacklog
from {{ cookiecutter.package_name }}.domain.ids import new_notice_id
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.usecases.measure_backlog import MeasureBacklog
from tests.api.tokens import api_settings
from tests.fakes import WAIT_SECONDS, ManualClock

ALERTS = Path(__file__).parents[2] / "deploy" / "prometheus" / "alerts.yml"


def written_at(clock: ManualClock) -> Notice:
    return Notice(new_notice_id(), "test.happened", clock())


async def store(
    unit_of_work: MemoryUnitOfWorkFactory, *, pending: list[Notice], parked: list[Notice]
) -> None:
    async with unit_of_work() as uow:
        for notice in [*pending, *parked]:
            await uow.outbox.put(notice)
        for notice in parked:
            await uow.outbox.mark_failed(notice.id, now=notice.created_at, retry_after=None)
        await uow.commit()


def sample(telemetry: Telemetry, name: str) -> float | None:
    return telemetry.metrics.registry.get_sample_value(name)


async def test_the_gauges_show_the_backlog_with_the_oldest_notice_s_age() -> None:
    telemetry, clock = Telemetry.for_service("test"), ManualClock()
    unit_of_work = MemoryUnitOfWorkFactory()
    oldest = written_at(clock)
    clock.advance(timedelta(seconds=30))
    await store(unit_of_work, pending=[oldest, written_at(clock)], parked=[written_at(clock)])
    clock.advance(timedelta(seconds=60))

    await telemetry.metrics.outbox.refresher(MeasureBacklog(unit_of_work), clock)()

    assert sample(telemetry, "outbox_pending_notices") == 2
    assert sample(telemetry, "outbox_oldest_pending_age_seconds") == 90
    assert sample(telemetry, "outbox_parked_notices") == 1


async def test_a_scrape_reads_the_last_measure_and_queries_nothing() -> None:
    telemetry, measured = Telemetry.for_service("test"), 0

    async def measure() -> OutboxBacklog:
        nonlocal measured
        measured += 1
        return OutboxBacklog(pending=0, oldest_pending_at=None, parked=3)

    await telemetry.metrics.outbox.refresher(measure, ManualClock())()
    scrapes = [generate_latest(telemetry.metrics.registry) for _ in range(3)]

    assert measured == 1
    assert all(b"outbox_parked_notices 3.0" in scrape for scrape in scrapes)


async def test_the_service_measures_from_its_start_in_the_background() -> None:
    telemetry, clock = Telemetry.for_service("test"), ManualClock()
    unit_of_work = MemoryUnitOfWorkFactory()
    await store(unit_of_work, pending=[], parked=[written_at(clock), written_at(clock)])
    settings = api_settings(outbox_gauges_interval_seconds=3600)
    service = bootstrap(settings, unit_of_work=unit_of_work, telemetry=telemetry, clock=clock)

    for start in service.on_startup:
        await start()
    try:
        # Polled, as Prometheus does: a gauge signals nothing a test could wait on.
        async with asyncio.timeout(WAIT_SECONDS):
            while sample(telemetry, "outbox_parked_notices") != 2:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    finally:
        for stop in service.on_shutdown:
            await stop()


class TestAlerts:
    def rules(self) -> dict[str, dict[str, Any]]:
        document = yaml.safe_load(ALERTS.read_text())
        return {rule["alert"]: rule for group in document["groups"] for rule in group["rules"]}

    @pytest.mark.parametrize(
        ("alert", "gauge", "expression"),
        [
            ("OutboxNoticesParked", "outbox_parked_notices", "max(outbox_parked_notices) > 0"),
            (
                "OutboxDeliveryLagging",
                "outbox_oldest_pending_age_seconds",
                "max(outbox_oldest_pending_age_seconds) > 900",
            ),
        ],
    )
    def test_an_alert_watches_each_gauge_the_service_exports(
        self, alert: str, gauge: str, expression: str
    ) -> None:
        exported = {family.name for family in Telemetry.for_service("t").metrics.registry.collect()}

        assert self.rules()[alert]["expr"].strip() == expression
        assert gauge in exported
