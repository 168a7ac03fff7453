"""Through the real app and SQLite: the relay runs for the app's lifetime, not a request's."""

from collections.abc import AsyncIterator

import httpx
import pytest

from {{ cookiecutter.package_name }}.bootstrap import create_app
from {{ cookiecutter.package_name }}.settings import Settings
from tests.api.api_client import deposit, open_account, transfer
from tests.fakes import RecordingNotifier


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
async def client_with_relay(
    settings: Settings, notifier: RecordingNotifier
) -> AsyncIterator[httpx.AsyncClient]:
    fast = settings.model_copy(update={"outbox_poll_interval_seconds": 0.02})
    app = create_app(fast, notifier=notifier)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client


async def test_a_transfer_notice_is_delivered_after_the_response(
    client_with_relay: httpx.AsyncClient, notifier: RecordingNotifier
) -> None:
    alice, bob = await open_account(client_with_relay), await open_account(client_with_relay)
    await deposit(client_with_relay, alice["id"], 100)

    response = await transfer(client_with_relay, alice["id"], bob["id"], 40)

    [notice] = await notifier.wait_for(1)
    assert notice.payload["transfer_id"] == response.json()["id"]
