"""The composition root: settings -> engine -> unit of work -> use cases -> app.

The only module that knows every concrete class. Nothing is built at import time:
``create_app`` is the factory uvicorn calls (``--factory``), and tests call ``bootstrap``
with keyword overrides, for example ``bootstrap(unit_of_work=MemoryUnitOfWorkFactory())``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta

from fastapi import FastAPI
from pydantic import SecretStr

from {{ cookiecutter.package_name }}.adapters.auth.dev_tokens import DEV_ALGORITHM
from {{ cookiecutter.package_name }}.adapters.auth.jwt_token_verifier import JwtTokenVerifier
from {{ cookiecutter.package_name }}.adapters.auth.signing_keys import (
    ConfiguredKey,
    JwksKeys,
    SigningKeys,
)
from {{ cookiecutter.package_name }}.adapters.http.app import create_http_app
from {{ cookiecutter.package_name }}.adapters.http.routes.health import ReadinessProbe
from {{ cookiecutter.package_name }}.adapters.notifier.logging_notifier import LoggingNotifier
from {{ cookiecutter.package_name }}.adapters.notifier.webhook_notifier import WebhookNotifier
from {{ cookiecutter.package_name }}.adapters.notifier.webhook_secret import decode_webhook_secret
{%- if cookiecutter.observability == "opentelemetry" %}
from {{ cookiecutter.package_name }}.adapters.observability.exposition import expose
from {{ cookiecutter.package_name }}.adapters.observability.instrumentation import (
    TracedUnitOfWorkFactory,
    instrument_use_cases,
)
from {{ cookiecutter.package_name }}.adapters.observability.telemetry import Telemetry
{%- endif %}
from {{ cookiecutter.package_name }}.adapters.relay.outbox_relay import OutboxRelay
from {{ cookiecutter.package_name }}.adapters.relay.periodic import Periodic
from {{ cookiecutter.package_name }}.adapters.sql import migrator
from {{ cookiecutter.package_name }}.adapters.sql.engine import (
    SessionBounds,
    create_engine,
    create_probe_engine,
    with_password,
)
from {{ cookiecutter.package_name }}.adapters.sql.health import DatabaseProbe
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.ids import NoticeId
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.notifier import Notifier
from {{ cookiecutter.package_name }}.domain.ports.token_verifier import TokenVerifier
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.deliver_notices import DeliverNotices, DeliveryPolicy
{%- if cookiecutter.observability == "opentelemetry" %}
from {{ cookiecutter.package_name }}.usecases.measure_backlog import MeasureBacklog
{%- endif %}
from {{ cookiecutter.package_name }}.usecases.purge_expired_keys import PurgeExpiredKeys
from {{ cookiecutter.package_name }}.usecases.requeue_notices import RequeueNotices, RequeueReport

Callback = Callable[[], Awaitable[None]]


class StartupRefused(Exception):
    """The settings cannot run the service safely; the message says what to set."""


@dataclass(frozen=True, slots=True)
class Service:
    """Everything an entry point needs: use cases, who callers are, a readiness probe,
    start and stop."""

    use_cases: UseCases
    token_verifier: TokenVerifier
    readiness_probe: ReadinessProbe
    relay: OutboxRelay
    on_startup: Sequence[Callback] = ()
    on_shutdown: Sequence[Callback] = ()


async def always_ready() -> None:
    """Readiness of storage that lives in the process (the memory adapter)."""


def bootstrap(
    settings: Settings | None = None,
    *,
    unit_of_work: UnitOfWorkFactory | None = None,
    notifier: Notifier | None = None,
    token_verifier: TokenVerifier | None = None,
    clock: Clock = utc_now,
{%- if cookiecutter.observability == "opentelemetry" %}
    telemetry: Telemetry | None = None,
{%- endif %}
) -> Service:
    """Wire the service; any keyword given replaces the part built from settings."""
    settings = settings or Settings()
    token_verifier = token_verifier or jwt_token_verifier(settings)
    readiness_probe: ReadinessProbe = always_ready
    close_storage: list[Callback] = []
    if unit_of_work is None:
        engine = create_engine(
            service_database_url(settings),
            pool_size=settings.database_pool_size,
            connect_timeout=settings.database_connect_timeout_seconds,
            pool_timeout=settings.database_pool_timeout_seconds,
            bounds=session_bounds(settings),
        )
        unit_of_work = SqlUnitOfWorkFactory(engine)
        probe_engine = create_probe_engine(
            service_database_url(settings), timeout=settings.readiness_timeout_seconds
        )
        head, known = migrator.revisions()
        readiness_probe = DatabaseProbe(
            probe_engine, timeout=settings.readiness_timeout_seconds, head=head, known=known
        )
        close_storage += [engine.dispose, probe_engine.dispose]
{%- if cookiecutter.observability == "opentelemetry" %}
    if telemetry is not None:
        unit_of_work = TracedUnitOfWorkFactory(unit_of_work, telemetry)
{%- endif %}
    key_retention = timedelta(hours=settings.idempotency_key_retention_hours)
    use_cases = UseCases.wired_to(unit_of_work, clock=clock, key_retention=key_retention)
{%- if cookiecutter.observability == "opentelemetry" %}
    if telemetry is not None:
        use_cases = instrument_use_cases(use_cases, telemetry)
{%- endif %}
    close_notifier: list[Callback] = []
    if notifier is None and settings.webhook_url:
        webhooks = webhook_notifier(settings, settings.webhook_url)
        notifier = webhooks
        close_notifier.append(webhooks.aclose)
    deliver = DeliverNotices(
        unit_of_work, notifier or LoggingNotifier(), delivery_policy(settings), clock
    )
    relay = OutboxRelay(
        deliver,
        poll_interval=settings.outbox_poll_interval_seconds,
        drain_timeout=settings.shutdown_drain_seconds,
    )
    key_purge = Periodic(
        PurgeExpiredKeys(unit_of_work, clock),
        interval=settings.idempotency_key_purge_interval_seconds,
        name="idempotency-key-purge",
    )
    background = [key_purge]
{%- if cookiecutter.observability == "opentelemetry" %}
    if telemetry is not None:
        gauges = telemetry.metrics.outbox.refresher(MeasureBacklog(unit_of_work), clock)
        interval = settings.outbox_gauges_interval_seconds
        background.append(Periodic(gauges, interval=interval, name="outbox-gauges"))
{%- endif %}
    return Service(
        use_cases,
        token_verifier,
        readiness_probe,
        relay,
        on_startup=[relay.start, *(task.start for task in background)],
        on_shutdown=[
            *(task.stop for task in background),
            relay.stop,
            *close_notifier,
            *close_storage,
        ],
    )


def jwt_token_verifier(settings: Settings) -> JwtTokenVerifier:
    """Tokens checked against the configured issuer, audience and keys."""
    keys, algorithms = signing_keys(settings)
    issuer, audience = settings.auth_issuer, settings.auth_audience
    if not issuer or not audience:  # settings.py fills them in development
        raise StartupRefused("set AUTH_ISSUER and AUTH_AUDIENCE")
    return JwtTokenVerifier(
        keys,
        issuer=issuer,
        audience=audience,
        algorithms=algorithms,
        leeway=timedelta(seconds=settings.auth_clock_skew_seconds),
    )


def signing_keys(settings: Settings) -> tuple[SigningKeys, Sequence[str]]:
    """The one key source the settings name, and the algorithms allowed with it."""
    if settings.auth_jwks_url:
        return JwksKeys(settings.auth_jwks_url), settings.auth_algorithms
    if settings.auth_public_key:
        try:
            key = ConfiguredKey.from_pem(settings.auth_public_key)
        except ValueError as error:
            raise StartupRefused(f"AUTH_PUBLIC_KEY cannot be used: {error}") from None
        return key, settings.auth_algorithms
    if settings.auth_dev_signing_key:
        return ConfiguredKey(settings.auth_dev_signing_key.get_secret_value()), [DEV_ALGORITHM]
    raise StartupRefused(
        "no way to verify tokens: set AUTH_JWKS_URL or AUTH_PUBLIC_KEY (your identity "
        "provider's), or in development AUTH_DEV_SIGNING_KEY in .env (any 32 or more "
        "random characters, e.g. from: python -c 'import secrets; print(secrets.token_hex())')"
    )


def service_database_url(settings: Settings) -> str:
    """Where the service connects: ``DATABASE_URL`` as its own role, with its password."""
    return with_password(settings.database_url, _revealed(settings.database_password))


def _revealed(secret: SecretStr | None) -> str | None:
    return None if secret is None else secret.get_secret_value()


def session_bounds(settings: Settings) -> SessionBounds:
    return SessionBounds(
        statement_timeout=settings.database_statement_timeout_seconds,
        lock_timeout=settings.database_lock_timeout_seconds,
        idle_in_transaction_timeout=settings.database_idle_in_transaction_timeout_seconds,
    )


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    return DeliveryPolicy(
        timeout=timedelta(seconds=settings.notify_timeout_seconds),
        max_attempts=settings.notify_max_attempts,
        first_backoff=timedelta(seconds=settings.notify_first_backoff_seconds),
        max_backoff=timedelta(seconds=settings.notify_max_backoff_seconds),
    )


async def requeue_notices(
    settings: Settings, notice_ids: Collection[NoticeId] | None
) -> RequeueReport:
    """The ``requeue`` command, on the database of ``DATABASE_URL``: the parked notices
    among ``notice_ids``, or every parked notice when it is None."""
    engine = create_engine(
        service_database_url(settings),
        pool_size=1,
        connect_timeout=settings.database_connect_timeout_seconds,
        bounds=session_bounds(settings),
    )
    requeue = RequeueNotices(SqlUnitOfWorkFactory(engine))
    try:
        if notice_ids is None:
            return await requeue.every_parked_notice()
        return await requeue(notice_ids)
    finally:
        await engine.dispose()


def webhook_notifier(settings: Settings, url: str) -> WebhookNotifier:
    """Notices POSTed to ``url``, signed with ``WEBHOOK_SECRET``, each call bounded by the
    relay's own timeout; its clock is the real one, which receivers check it against."""
    if settings.webhook_secret is None:  # settings.py refuses that already
        raise StartupRefused("WEBHOOK_URL needs WEBHOOK_SECRET")
    key = decode_webhook_secret(settings.webhook_secret.get_secret_value())
    return WebhookNotifier(url, key, timeout=settings.notify_timeout_seconds)


def create_app(settings: Settings | None = None, *, notifier: Notifier | None = None) -> FastAPI:
    """The ASGI app, for uvicorn's ``--factory`` and for tests."""
    settings = settings or Settings()
{%- if cookiecutter.observability == "opentelemetry" %}
    telemetry = Telemetry.for_service("{{ cookiecutter.project_slug }}")
    service = bootstrap(settings, notifier=notifier, telemetry=telemetry)
    return expose(
        http_app(service, settings),
        telemetry,
        serve_metrics=settings.serves_metrics,
        access_log=settings.access_log,
    )
{%- else %}
    service = bootstrap(settings, notifier=notifier)
    return http_app(service, settings)
{%- endif %}


def http_app(service: Service, settings: Settings) -> FastAPI:
    return create_http_app(
        service.use_cases,
        token_verifier=service.token_verifier,
        readiness_probe=service.readiness_probe,
        on_startup=service.on_startup,
        on_shutdown=service.on_shutdown,
        max_body_bytes=settings.max_request_body_bytes,
        request_timeout_seconds=settings.request_timeout_seconds,
        cors_allowed_origins=settings.cors_allowed_origins,
        serve_docs=settings.serves_docs,
    )
