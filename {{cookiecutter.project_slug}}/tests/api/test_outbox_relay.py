"""The relay delivers in the background: not on a request's lifetime, and drains on stop."""

import asyncio
import logging
from datetime import timedelta

import pytest

{% if cookiecutter.example == "ledger" %}from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.adapters.relay.outbox_relay import OutboxRelay
from {{ cookiecutter.package_name }}.bootstrap import Service, bootstrap, delivery_policy
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.principal import Scope
from {{ cookiecutter.package_name }}.usecases.deliver_notices import DeliveryPolicy, DeliveryReport
from {{ cookiecutter.package_name }}.usecases.deposit import DepositRequest
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.api.tokens import ADMIN, api_settings, principal
from tests.fakes import RecordingNotifier
{% else %}from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.adapters.relay.outbox_relay import OutboxRelay
from {{ cookiecutter.package_name }}.bootstrap import Service, bootstrap, delivery_policy
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from {{ cookiecutter.package_name }}.usecases.deliver_notices import DeliveryPolicy, DeliveryReport
from tests.api.notes import WriteNote, WriteNoteRequest
from tests.api.tokens import api_settings, principal
from tests.fakes import RecordingNotifier
{% endif %}

{% if cookiecutter.example == "ledger" %}def service(notifier: RecordingNotifier, poll_interval: float) -> Service:
    settings = api_settings(outbox_poll_interval_seconds=poll_interval)
    return bootstrap(settings, unit_of_work=MemoryUnitOfWorkFactory(), notifier=notifier)


async def handle_transfer_request(app: Service, then_wait: asyncio.Event | None = None) -> None:
    """What a request handler does: the transfer, then (maybe) more work before answering."""
    use_cases, owner, admin = app.use_cases, principal(), principal(ADMIN, [Scope.ADMIN])
    source = (
        await use_cases.open_account(owner, OpenAccountRequest("s@example.com", Currency.EUR))
    ).result
    target = (
        await use_cases.open_account(owner, OpenAccountRequest("t@example.com", Currency.EUR))
    ).result
    await use_cases.deposit(admin, DepositRequest(source.id, Money(50, Currency.EUR), "d-1"))
    await use_cases.transfer_funds(
        owner, TransferRequest(source.id, target.id, Money(5, Currency.EUR), "t-1")
    )
    if then_wait is not None:
        await then_wait.wait()


class TestOutboxRelay:
    async def test_delivers_after_the_request_has_finished(self) -> None:
        notifier = RecordingNotifier()
        app = service(notifier, poll_interval=0.01)
        await app.relay.start()

        await handle_transfer_request(app)

        assert len(await notifier.wait_for(1)) == 1
        await app.relay.stop()

    async def test_a_request_cancelled_after_its_commit_does_not_cancel_delivery(self) -> None:
        notifier = RecordingNotifier()
        app = service(notifier, poll_interval=0.01)
        await app.relay.start()
        request = asyncio.create_task(handle_transfer_request(app, then_wait=asyncio.Event()))
        await asyncio.sleep(0.05)  # the transfer commits; the handler is still waiting

        request.cancel()

        with pytest.raises(asyncio.CancelledError):
            await request
        assert len(await notifier.wait_for(1)) == 1
        await app.relay.stop()

    async def test_stopping_drains_what_is_waiting(self) -> None:
        notifier = RecordingNotifier()
        app = service(notifier, poll_interval=3600)
        await app.relay.start()
        await asyncio.sleep(0)  # the relay's first run finds nothing and goes to sleep
        await handle_transfer_request(app)
        assert notifier.notices == []

        await app.relay.stop()

        assert len(notifier.notices) == 1


{% else %}def service(
    notifier: RecordingNotifier, poll_interval: float, unit_of_work: UnitOfWorkFactory
) -> Service:
    settings = api_settings(outbox_poll_interval_seconds=poll_interval)
    return bootstrap(settings, unit_of_work=unit_of_work, notifier=notifier)


async def handle_write_request(
    unit_of_work: UnitOfWorkFactory, then_wait: asyncio.Event | None = None
) -> None:
    """What a request handler does: a use case that commits a notice (the tests' note,
    ``tests/api/notes.py``), then (maybe) more work before answering."""
    await WriteNote(unit_of_work)(principal(), WriteNoteRequest("hello"))
    if then_wait is not None:
        await then_wait.wait()


class TestOutboxRelay:
    async def test_delivers_after_the_request_has_finished(self) -> None:
        notifier, unit_of_work = RecordingNotifier(), MemoryUnitOfWorkFactory()
        app = service(notifier, 0.01, unit_of_work)
        await app.relay.start()

        await handle_write_request(unit_of_work)

        assert len(await notifier.wait_for(1)) == 1
        await app.relay.stop()

    async def test_a_request_cancelled_after_its_commit_does_not_cancel_delivery(self) -> None:
        notifier, unit_of_work = RecordingNotifier(), MemoryUnitOfWorkFactory()
        app = service(notifier, 0.01, unit_of_work)
        await app.relay.start()
        request = asyncio.create_task(handle_write_request(unit_of_work, asyncio.Event()))
        await asyncio.sleep(0.05)  # the note commits; the handler is still waiting

        request.cancel()

        with pytest.raises(asyncio.CancelledError):
            await request
        assert len(await notifier.wait_for(1)) == 1
        await app.relay.stop()

    async def test_stopping_drains_what_is_waiting(self) -> None:
        notifier, unit_of_work = RecordingNotifier(), MemoryUnitOfWorkFactory()
        app = service(notifier, 3600, unit_of_work)
        await app.relay.start()
        await asyncio.sleep(0)  # the relay's first run finds nothing and goes to sleep
        await handle_write_request(unit_of_work)
        assert notifier.notices == []

        await app.relay.stop()

        assert len(notifier.notices) == 1


{% endif %}class TestPolling:
    async def test_a_full_batch_is_followed_at_once_and_a_partial_one_waits_for_the_poll(
        self,
    ) -> None:
        reports = [
            DeliveryReport(delivered=50, backlog=True),
            DeliveryReport(delivered=50, backlog=True),
            DeliveryReport(delivered=3),
        ]
        runs = 0

        async def deliver() -> DeliveryReport:
            nonlocal runs
            runs += 1
            return reports[runs - 1] if runs <= len(reports) else DeliveryReport()

        relay = OutboxRelay(deliver, poll_interval=3600, drain_timeout=1)
        await relay.start()
        await asyncio.sleep(0.05)
        runs_before_stop = runs
        await relay.stop()

        assert runs_before_stop == 3  # two full batches followed at once, then the poll
        assert runs == 4  # stopping drains: one more run finds nothing due


class TestParkedNotices:
    async def test_the_relay_warns_when_notices_are_parked_and_says_how_to_requeue(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        reports = iter([DeliveryReport(retried=1, parked=2)])

        async def deliver() -> DeliveryReport:
            return next(reports, DeliveryReport())

        relay = OutboxRelay(deliver, poll_interval=3600, drain_timeout=1)
        with caplog.at_level(logging.WARNING, logger=OutboxRelay.__module__):
            await relay.start()
            await relay.stop()

        [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert warning.startswith("2 notice(s) parked")
        assert "{{ cookiecutter.project_slug }} requeue --all" in warning


def test_the_default_settings_retry_for_about_a_day_as_documented() -> None:
    assert delivery_policy(api_settings()) == DeliveryPolicy()
    assert DeliveryPolicy().parks_after == timedelta(hours=23, seconds=4095)
