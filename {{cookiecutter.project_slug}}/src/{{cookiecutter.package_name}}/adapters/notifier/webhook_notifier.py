"""Deliver each notice as a signed webhook: a JSON POST, per Standard Webhooks.

https://www.standardwebhooks.com/ is what receivers already know how to check: the
headers ``webhook-id`` (the notice id, the same on every retry: receivers deduplicate on
it), ``webhook-timestamp`` (this attempt's unix time: receivers refuse stale ones, so a
captured request cannot be replayed later) and ``webhook-signature`` (``v1,`` and the
base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}`` under the shared secret). The signature
comes from ``standardwebhooks``, the specification's own reference library.

Delivered means a 2xx answer. Any other status (a redirect too: the specification asks
senders not to follow them), a transport error or a timeout raises, and the relay retries
the notice with its backoff. One ``httpx.AsyncClient`` for the process keeps connections
to the receiver open between notices; ``aclose`` at shutdown closes them.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import httpx
from standardwebhooks import Webhook

from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.notifier import Notifier

log = logging.getLogger("notices")


class WebhookRejected(Exception):
    """The receiver answered with a status other than 2xx: not delivered."""

    def __init__(self, notice: Notice, status_code: int) -> None:
        super().__init__(
            f"webhook {notice.id} ({notice.kind}): the receiver answered {status_code}"
        )
        self.status_code = status_code


def webhook_body(notice: Notice) -> bytes:
    """The notice in the payload shape the specification recommends: ``type`` (the event),
    ``timestamp`` (when it happened, not when it was sent) and ``data``; plus the ``id``,
    so a body stored without its headers still says which notice it was."""
    happened_at = notice.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    body = {
        "id": str(notice.id),
        "type": notice.kind,
        "timestamp": happened_at,
        "data": dict(notice.payload),
    }
    return json.dumps(body, separators=(",", ":")).encode()


class WebhookNotifier(Notifier):
    def __init__(self, url: str, key: bytes, *, timeout: float, clock: Clock = utc_now) -> None:
        """``key``: the HMAC key (``decode_webhook_secret`` of ``WEBHOOK_SECRET``).

        ``timeout`` bounds each phase of a call (connecting, sending, waiting for the
        answer), so a receiver that hangs cannot hold a call for ever, whoever makes it.
        ``bootstrap.py`` gives it ``NOTIFY_TIMEOUT_SECONDS``, the deadline the relay sets
        for a whole batch: a bigger value would never be reached inside the relay, a
        smaller one would cut off a receiver the relay was still willing to wait for.
        """
        self._url = url
        self._signer = Webhook(key)
        self._clock = clock
        self._client = httpx.AsyncClient(timeout=timeout)

    async def notify(self, notice: Notice) -> None:
        body = webhook_body(notice)
        try:
            response = await self._client.post(
                self._url, content=body, headers=self._headers(notice, body)
            )
        except httpx.TransportError as error:  # refused, reset, timed out...
            log.warning("webhook %s (%s) not delivered: %r", notice.id, notice.kind, error)
            raise
        if not response.is_success:
            rejected = WebhookRejected(notice, response.status_code)
            log.warning("%s", rejected)
            raise rejected

    def _headers(self, notice: Notice, body: bytes) -> dict[str, str]:
        webhook_id = str(notice.id)
        timestamp = int(self._clock().timestamp())  # signed exactly as sent: whole seconds
        signature = self._signer.sign(webhook_id, datetime.fromtimestamp(timestamp, UTC), body)
        return {
            "content-type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature,
        }

    async def aclose(self) -> None:
        """Close the connections to the receiver: after the relay's last delivery."""
        await self._client.aclose()
