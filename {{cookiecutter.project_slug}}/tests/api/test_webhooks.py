{%- set kind = "transfer.completed" if cookiecutter.example == "ledger" else "invoice.issued" -%}
"""Signed webhooks: each notice POSTed to a real receiver, which can prove who sent it.

The receiver is a real HTTP server on loopback (``tests/api/webhook_receiver.py``). It
checks each webhook with the verification snippet of the README, run as printed there:
written from the Standard Webhooks specification with the standard library alone, so it
shares no code with the signing side (the ``standardwebhooks`` library), and a receiver
who copies it gets code that these tests run.
"""

from __future__ import annotations

import asyncio
{%- if cookiecutter.example == "ledger" %}
import base64
{%- else %}
import base64
import contextlib
{%- endif %}
import json
import socket
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from {{ cookiecutter.package_name }} import __main__ as command_line
from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.adapters.notifier.webhook_notifier import (
    WebhookNotifier,
    WebhookRejected,
)
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.adapters.notifier.webhook_secret import decode_webhook_secret
{%- else %}
from {{ cookiecutter.package_name }}.adapters.notifier.webhook_secret import decode_webhook_secret
from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
{%- endif %}
from {{ cookiecutter.package_name }}.bootstrap import create_app
from {{ cookiecutter.package_name }}.domain.ids import new_notice_id
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.notice import TRANSFER_COMPLETED, Notice
{%- else %}
from {{ cookiecutter.package_name }}.domain.notice import Notice
{%- endif %}
from {{ cookiecutter.package_name }}.domain.ports.clock import utc_now
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.usecases.deliver_notices import DeliverNotices, DeliveryPolicy
{%- if cookiecutter.example == "ledger" %}
from tests.api.api_client import deposit, open_account, running, transfer
{%- else %}
from tests.api.api_client import running
from tests.api.notes import with_notes, write
{%- endif %}
from tests.api.tokens import api_settings
from tests.api.webhook_receiver import WAIT_SECONDS, WebhookReceiver
from tests.fakes import ManualClock

README = Path(__file__).parents[2] / "README.md"
Verify = Callable[[str, Mapping[str, str], bytes], bool]


def secret_of(key: bytes) -> str:
    """A secret as Standard Webhooks writes them."""
    return "whsec_" + base64.b64encode(key).decode()


SECRET = secret_of(b"shared by the service and the receiver")
ANOTHER_SECRET = secret_of(b"a secret the service does not hold")


def readme_verifier() -> Verify:
    """The ``verify`` function of the README's webhooks part, exactly as printed."""
    part = README.read_text().split("**Signed webhooks.**", 1)[1]
    snippet = part.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(snippet, namespace)  # noqa: S102 - the README's own snippet, run as a receiver would
    verify: Verify = namespace["verify"]
    return verify


verify = readme_verifier()


def a_notice(created_at: datetime | None = None) -> Notice:
    return Notice(
        new_notice_id(),
{%- if cookiecutter.example == "ledger" %}
        TRANSFER_COMPLETED,
        created_at or datetime(2030, 1, 1, 12, 30, tzinfo=UTC),
        {"transfer_id": "7d1f3b9e", "amount_minor_units": "250", "currency": "EUR"},
{%- else %}
        "invoice.issued",
        created_at or datetime(2030, 1, 1, 12, 30, tzinfo=UTC),
        {"invoice_id": "7d1f3b9e", "amount_minor_units": "250", "currency": "EUR"},
{%- endif %}
    )


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
async def notifier(receiver: WebhookReceiver) -> AsyncIterator[WebhookNotifier]:
    notifier = WebhookNotifier(receiver.url, decode_webhook_secret(SECRET), timeout=5)
    yield notifier
    await notifier.aclose()


class TestDelivery:
    async def test_a_notice_arrives_once_signed_with_its_id_as_the_webhook_id(
        self, receiver: WebhookReceiver, notifier: WebhookNotifier
    ) -> None:
        notice = a_notice()

        await notifier.notify(notice)

        [delivery] = receiver.deliveries
        assert verify(SECRET, delivery.headers, delivery.body)
        assert delivery.headers["webhook-id"] == str(notice.id)
        assert delivery.headers["content-type"] == "application/json"
        assert json.loads(delivery.body) == {
            "id": str(notice.id),
            "type": "{{ kind }}",
            "timestamp": "2030-01-01T12:30:00Z",
            "data": dict(notice.payload),
        }

    async def test_the_verifier_refuses_a_changed_body_id_or_secret(
        self, receiver: WebhookReceiver, notifier: WebhookNotifier
    ) -> None:
        """So the checks above cannot pass by accepting anything."""
        await notifier.notify(a_notice())
        [delivery] = receiver.deliveries
        tampered_body = delivery.body.replace(b'"250"', b'"999"')
        other_id = delivery.headers | {"webhook-id": str(new_notice_id())}

        assert tampered_body != delivery.body
        assert not verify(SECRET, delivery.headers, tampered_body)
        assert not verify(SECRET, other_id, delivery.body)
        assert not verify(ANOTHER_SECRET, delivery.headers, delivery.body)
        assert verify(SECRET, delivery.headers, delivery.body)

    async def test_the_timestamp_is_the_attempts_so_a_replayed_old_request_is_refused(
        self, receiver: WebhookReceiver
    ) -> None:
        """The signature covers the time of sending, which the receiver checks is recent."""
        ten_minutes_ago = utc_now() - timedelta(minutes=10)
        late = WebhookNotifier(
            receiver.url, decode_webhook_secret(SECRET), timeout=5, clock=lambda: ten_minutes_ago
        )

        await late.notify(a_notice())
        await late.aclose()

        [delivery] = receiver.deliveries
        assert delivery.headers["webhook-timestamp"] == str(int(ten_minutes_ago.timestamp()))
        assert not verify(SECRET, delivery.headers, delivery.body)


class TestFailures:
    @pytest.mark.parametrize("status", [500, 404, 308])
    async def test_an_answer_other_than_2xx_raises_and_a_redirect_is_not_followed(
        self,
        receiver: WebhookReceiver,
        notifier: WebhookNotifier,
        status: int,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        receiver.answers = [status]
        notice = a_notice()

        with pytest.raises(WebhookRejected) as rejected:
            await notifier.notify(notice)

        assert rejected.value.status_code == status
        assert len(receiver.deliveries) == 1
        assert f"webhook {notice.id} ({{ kind }}): the receiver answered {status}" in (
            caplog.messages
        )

    async def test_the_relay_retries_a_refused_notice_under_the_same_webhook_id(
        self, receiver: WebhookReceiver, notifier: WebhookNotifier
    ) -> None:
        clock = ManualClock()
        unit_of_work = MemoryUnitOfWorkFactory()
        notice = a_notice(created_at=clock())
        async with unit_of_work() as uow:
            await uow.outbox.put(notice)
            await uow.commit()
        deliver = DeliverNotices(unit_of_work, notifier, DeliveryPolicy(), clock)
        receiver.answers = [500]

        first = await deliver()
        clock.advance(timedelta(minutes=1))  # past the backoff
        second = await deliver()

        assert (first.retried, second.delivered) == (1, 1)
        ids = [delivery.headers["webhook-id"] for delivery in receiver.deliveries]
        assert ids == [str(notice.id), str(notice.id)]
        assert all(verify(SECRET, d.headers, d.body) for d in receiver.deliveries)

    async def test_a_receiver_that_is_down_makes_notify_raise(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        notice = a_notice()
        with socket.socket() as bound_but_not_listening:
            bound_but_not_listening.bind(("127.0.0.1", 0))
            port = bound_but_not_listening.getsockname()[1]
            notifier = WebhookNotifier(
                f"http://127.0.0.1:{port}/", decode_webhook_secret(SECRET), timeout=5
            )

            with pytest.raises(httpx.ConnectError):
                await notifier.notify(notice)
            await notifier.aclose()

        [logged] = caplog.messages
        assert logged.startswith(f"webhook {notice.id} ({{ kind }}) not delivered:")

    async def test_a_receiver_that_never_answers_is_cut_off_by_the_timeout(
        self, receiver: WebhookReceiver
    ) -> None:
        receiver.hang = True  # until the test is over: only the timeout ends the call
        notifier = WebhookNotifier(receiver.url, decode_webhook_secret(SECRET), timeout=0.1)

        async with asyncio.timeout(WAIT_SECONDS):  # without the notifier's own: fails here
            with pytest.raises(httpx.ReadTimeout):
                await notifier.notify(a_notice())
        await notifier.aclose()

        assert len(receiver.deliveries) == 1


class TestTheService:
    @pytest.fixture
    def webhook_settings(self, settings: Settings, receiver: WebhookReceiver) -> Settings:
        """The API tier's settings, over its migrated SQLite copy, with webhooks on."""
        return api_settings(
            database_url=settings.database_url,
            webhook_url=receiver.url,
            webhook_secret=SecretStr(SECRET),
            outbox_poll_interval_seconds=0.01,
        )
{%- if cookiecutter.example == "ledger" %}

    @staticmethod
    async def pay_and_wait_for_the_webhook(
        client: httpx.AsyncClient, receiver: WebhookReceiver
    ) -> httpx.Response:
        """Alice pays Bob 250 through the API; return once the receiver has the notice."""
        source = await open_account(client, "a@example.com")
        destination = await open_account(client, "b@example.com")
        await deposit(client, source["id"], 1000)
        paid = await transfer(client, source["id"], destination["id"], 250)
        assert paid.status_code == 201, paid.text
        await asyncio.to_thread(receiver.wait_until, lambda r: len(r.deliveries) >= 1)
        return paid

    async def test_a_committed_transfer_reaches_the_receiver_signed(
        self, webhook_settings: Settings, receiver: WebhookReceiver
    ) -> None:
        async with running(create_app(webhook_settings)) as client:
            paid = await self.pay_and_wait_for_the_webhook(client, receiver)

        [delivery] = receiver.deliveries
        assert verify(SECRET, delivery.headers, delivery.body)
        sent = json.loads(delivery.body)
        assert sent["type"] == "transfer.completed"
        assert sent["data"]["transfer_id"] == paid.json()["id"]
        assert sent["data"]["amount_minor_units"] == "250"

    async def test_shutting_down_closes_the_connections_to_the_receiver(
        self, webhook_settings: Settings, receiver: WebhookReceiver
    ) -> None:
        async with running(create_app(webhook_settings)) as client:
            await self.pay_and_wait_for_the_webhook(client, receiver)
            assert receiver.closed_connections == 0  # kept open for the next notice
{%- else %}

    @staticmethod
    @contextlib.asynccontextmanager
    async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
        """The service ``create_app`` builds, relay and webhooks included, with the tests'
        ``POST /notes`` writing to its database."""
        engine = create_engine(settings.database_url)
        try:
            app = with_notes(create_app(settings), SqlUnitOfWorkFactory(engine))
            async with running(app) as client:
                yield client
        finally:
            await engine.dispose()

    @staticmethod
    async def write_and_wait_for_the_webhook(
        client: httpx.AsyncClient, receiver: WebhookReceiver
    ) -> httpx.Response:
        """A note written through the API; return once the receiver has its notice."""
        written = await write(client, "hello")
        assert written.status_code == 201, written.text
        await asyncio.to_thread(receiver.wait_until, lambda r: len(r.deliveries) >= 1)
        return written

    async def test_a_committed_notice_reaches_the_receiver_signed(
        self, webhook_settings: Settings, receiver: WebhookReceiver
    ) -> None:
        async with self.serving(webhook_settings) as client:
            written = await self.write_and_wait_for_the_webhook(client, receiver)

        [delivery] = receiver.deliveries
        assert verify(SECRET, delivery.headers, delivery.body)
        sent = json.loads(delivery.body)
        assert sent["type"] == "note.written"
        assert sent["data"] == {"id": written.json()["id"], "text": "hello"}

    async def test_shutting_down_closes_the_connections_to_the_receiver(
        self, webhook_settings: Settings, receiver: WebhookReceiver
    ) -> None:
        async with self.serving(webhook_settings) as client:
            await self.write_and_wait_for_the_webhook(client, receiver)
            assert receiver.closed_connections == 0  # kept open for the next notice
{%- endif %}

        await asyncio.to_thread(receiver.wait_until, lambda r: r.closed_connections == 1)


class TestSettings:
    def test_a_webhook_url_needs_a_secret(self) -> None:
        with pytest.raises(ValidationError, match="WEBHOOK_URL needs WEBHOOK_SECRET"):
            api_settings(webhook_url="https://receiver.example.com/hooks")

    @pytest.mark.parametrize(
        ("secret", "problem"),
        [
            (base64.b64encode(bytes(32)).decode(), "must start with whsec_"),
            ("whsec_not base64!", "is not whsec_ followed by base64"),
            (secret_of(bytes(23)), "must carry 24 to 64 random bytes, not 23"),
            (secret_of(bytes(65)), "must carry 24 to 64 random bytes, not 65"),
        ],
    )
    def test_a_secret_not_in_the_standard_format_is_refused(
        self, secret: str, problem: str
    ) -> None:
        with pytest.raises(ValidationError, match=problem):
            api_settings(
                webhook_url="https://receiver.example.com/hooks", webhook_secret=SecretStr(secret)
            )

    def test_a_secret_without_base64_padding_is_taken(self) -> None:
        unpadded = secret_of(bytes(32)).rstrip("=")

        settings = api_settings(
            webhook_url="https://receiver.example.com/hooks", webhook_secret=SecretStr(unpadded)
        )

        assert settings.webhook_secret is not None

    @pytest.mark.parametrize("url", ["ftp://receiver.example.com/", "receiver.example.com"])
    def test_the_url_must_be_http_or_https(self, url: str) -> None:
        with pytest.raises(ValidationError, match="is not an http:// or https:// URL"):
            api_settings(webhook_url=url, webhook_secret=SecretStr(SECRET))

    def test_the_refusal_names_the_problem_and_never_the_secret(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        short_secret = secret_of(b"sixteen bytes...")  # 16
        monkeypatch.chdir(tmp_path)  # no .env there
        monkeypatch.setenv("WEBHOOK_URL", "https://receiver.example.com/hooks")
        monkeypatch.setenv("WEBHOOK_SECRET", short_secret)

        with pytest.raises(SystemExit) as refused:
            command_line.main(["migrate"])

        message = str(refused.value)
        assert message.startswith("cannot start: WEBHOOK_SECRET: must carry 24 to 64"), message
        assert short_secret.removeprefix("whsec_") not in message


PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "auth_issuer": "https://id.example.com/",
    "auth_audience": "https://ledger.example.com",
    "auth_jwks_url": "https://id.example.com/.well-known/jwks.json",  # never fetched here
    "webhook_secret": SecretStr(SECRET),
}


class TestProduction:
    def test_sends_webhooks_over_https(self) -> None:
        settings = Settings(
            _env_file=None, **PRODUCTION, webhook_url="https://receiver.example.com/hooks"
        )

        assert settings.webhook_url == "https://receiver.example.com/hooks"

    def test_refuses_plain_http_to_another_machine(self) -> None:
        with pytest.raises(ValidationError, match="production sends webhooks over https only"):
            Settings(_env_file=None, **PRODUCTION, webhook_url="http://receiver.example.com/")

    @pytest.mark.parametrize(
        "url", ["http://localhost:9000/hooks", "http://127.0.0.1:9000/", "http://[::1]:9000/"]
    )
    def test_allows_plain_http_to_this_machine(self, url: str) -> None:
        assert Settings(_env_file=None, **PRODUCTION, webhook_url=url).webhook_url == url

    def test_development_allows_plain_http_anywhere(self) -> None:
        settings = api_settings(
            webhook_url="http://receiver:9000/hooks", webhook_secret=SecretStr(SECRET)
        )

        assert settings.webhook_url == "http://receiver:9000/hooks"
