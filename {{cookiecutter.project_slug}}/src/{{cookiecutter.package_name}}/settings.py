"""Every setting of the service, read from the environment (or a ``.env`` file).

``.env.example`` lists them all. Settings are passed explicitly to the composition root;
no module reads a global settings object. A secret (a password, a token, an API key) is
a ``SecretStr`` field without a default value (``None`` at most, for a feature that is
off without it), and tests/architecture/test_secrets.py keeps it that way.

``ENVIRONMENT=production`` closes what development leaves open: no development signing
key, an issuer and an audience required, no /docs or /metrics unless asked for, webhooks
over https only. Settings that break those rules stop every command at start, with a
message that says what to set.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from {{ cookiecutter.package_name }}.adapters.notifier.webhook_secret import (
    HOW_TO_MAKE_ONE,
    decode_webhook_secret,
)

ORIGIN = re.compile(r"^https?://[^/\s?#]+$")
DEVELOPMENT_ISSUER = "{{ cookiecutter.project_slug }}-development"
DEVELOPMENT_AUDIENCE = "{{ cookiecutter.project_slug }}"
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
MIN_DEV_KEY_LENGTH = 32


class Settings(BaseSettings):
    # env_ignore_empty: ``NAME=`` (as .env.example writes them) means "the default".
    # hide_input_in_errors: a refused value (a secret among them) never reaches a message.
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
        hide_input_in_errors=True,
    )

    environment: Literal["development", "production"] = Field(
        default="development",
        description="production refuses development keys and closes /docs and /metrics",
    )
    auth_issuer: str | None = Field(
        default=None,
        description="the identity provider tokens must come from (their iss claim); "
        "required in production, a local name in development",
    )
    auth_audience: str | None = Field(
        default=None,
        description="this API's identifier at the identity provider (the tokens' aud "
        "claim); required in production",
    )
    auth_jwks_url: str | None = Field(
        default=None, description="where the identity provider publishes its public keys"
    )
    auth_public_key: str | None = Field(
        default=None, description="a PEM public key to verify tokens with, instead of a JWKS"
    )
    auth_algorithms: Annotated[tuple[str, ...], NoDecode] = Field(
        default=("RS256", "ES256"),
        description="comma-separated signature algorithms accepted with AUTH_JWKS_URL or "
        "AUTH_PUBLIC_KEY (asymmetric ones only)",
    )
    auth_dev_signing_key: SecretStr | None = Field(
        default=None,
        description="development only: the secret that signs and verifies tokens "
        "from the token command; refused in production",
    )
    auth_clock_skew_seconds: int = Field(
        default=30, ge=0, le=300, description="tolerance for the issuer's clock"
    )
    docs_enabled: bool | None = Field(
        default=None,
        description="serve /docs, /redoc and /openapi.json; default: on in development only",
    )
{%- if cookiecutter.observability == "opentelemetry" %}
    metrics_enabled: bool | None = Field(
        default=None, description="serve /metrics; default: on in development only"
    )
{%- endif %}

    database_url: str = Field(
        default="sqlite+aiosqlite:///./{{ cookiecutter.package_name }}.db",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path.db or postgresql+asyncpg://...; "
        "on PostgreSQL, the service's own role, with data rights only",
    )
    database_password: SecretStr | None = Field(
        default=None, description="the password of DATABASE_URL's user, kept out of the URL"
    )
    migration_database_url: str | None = Field(
        default=None,
        description="PostgreSQL: the tables' owner, whom the migrate command connects as "
        "(default: DATABASE_URL)",
    )
    migration_database_password: SecretStr | None = Field(
        default=None, description="the password of MIGRATION_DATABASE_URL's user"
    )
    database_pool_size: int = Field(default=10, ge=1, le=200)
    database_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    database_lock_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="PostgreSQL: the longest a statement waits for a row lock (then it is "
        "retried, or a retry racing its original gets 409 request_in_progress)",
    )
    database_statement_timeout_seconds: float = Field(
        default=10.0, gt=0, description="PostgreSQL: the longest a statement may run"
    )
    database_idle_in_transaction_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="PostgreSQL: a transaction idle this long is ended by the server",
    )
    database_pool_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        description="the longest a request waits for a pooled connection (then 503 with "
        "Retry-After)",
    )
    idempotency_key_retention_hours: float = Field(
        default=24.0,
        gt=0,
        description="how long an Idempotency-Key replays its first answer (then the service "
        "deletes it, and the key may be used again)",
    )
    idempotency_key_purge_interval_seconds: float = Field(
        default=300.0, gt=0, description="how often the service deletes expired keys"
    )
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    access_log: bool = Field(
        default=False,
        description="one log line per request; off by default: errors are logged anyway",
    )
    outbox_poll_interval_seconds: float = Field(default=0.5, gt=0)
    notify_timeout_seconds: float = Field(default=5.0, gt=0)
    notify_max_attempts: int = Field(
        default=36,
        ge=1,
        description="attempts before a notice is parked; with the backoffs below, the "
        "last one comes about 24 h after the first",
    )
    notify_first_backoff_seconds: float = Field(
        default=1.0, gt=0, description="the wait after a first failed attempt; doubles after each"
    )
    notify_max_backoff_seconds: float = Field(
        default=3600.0, gt=0, description="the longest wait between two attempts"
    )
{%- if cookiecutter.observability == "opentelemetry" %}
    outbox_gauges_interval_seconds: float = Field(
        default=10.0, gt=0, description="how often the outbox gauges of /metrics are measured"
    )
{%- endif %}
    webhook_url: str | None = Field(
        default=None,
        description="where notices are POSTed as signed webhooks (Standard Webhooks); "
        "unset: notices are only logged. Production sends them over https only, but to "
        "localhost",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="signs the webhooks: whsec_ and the base64 of 24 to 64 random bytes; "
        "required with WEBHOOK_URL",
    )
    shutdown_grace_seconds: int = Field(
        default=20,
        ge=1,
        description="on SIGTERM, the longest in-flight requests get to finish; with "
        "SHUTDOWN_DRAIN_SECONDS, within Kubernetes' default 30 s grace period",
    )
    shutdown_drain_seconds: float = Field(
        default=5.0, ge=0, description="then, the longest the outbox relay drains"
    )
    max_request_body_bytes: int = Field(
        default=64 * 1024, ge=1, description="larger request bodies are refused with 413"
    )
    request_timeout_seconds: float = Field(
        default=30.0, gt=0, description="requests not answered by then get 504"
    )
    cors_allowed_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="comma-separated origins (https://app.example.com) whose browser "
        "scripts may call the API; empty: CORS off",
    )

    @field_validator("cors_allowed_origins", "auth_algorithms", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(item.strip() for item in value.split(",") if item.strip())
        return value

    @field_validator("auth_algorithms")
    @classmethod
    def _check_algorithms(cls, algorithms: tuple[str, ...]) -> tuple[str, ...]:
        refused = [name for name in algorithms if name not in ASYMMETRIC_ALGORITHMS]
        if refused or not algorithms:
            raise ValueError(
                f"{refused or 'nothing'}: list asymmetric algorithms only, from "
                f"{sorted(ASYMMETRIC_ALGORITHMS)} (a public key must never verify an HMAC)"
            )
        return algorithms

    @field_validator("auth_dev_signing_key")
    @classmethod
    def _check_dev_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and len(key.get_secret_value()) < MIN_DEV_KEY_LENGTH:
            raise ValueError(f"use at least {MIN_DEV_KEY_LENGTH} random characters")
        return key

    @model_validator(mode="after")
    def _check_authentication(self) -> Self:
        sources = [
            name
            for name, value in (
                ("AUTH_JWKS_URL", self.auth_jwks_url),
                ("AUTH_PUBLIC_KEY", self.auth_public_key),
                ("AUTH_DEV_SIGNING_KEY", self.auth_dev_signing_key),
            )
            if value
        ]
        if len(sources) > 1:
            raise ValueError(f"set only one of {', '.join(sources)}: tokens have one source")
        if self.environment == "development":
            self.auth_issuer = self.auth_issuer or DEVELOPMENT_ISSUER
            self.auth_audience = self.auth_audience or DEVELOPMENT_AUDIENCE
            return self
        if self.auth_dev_signing_key is not None:
            raise ValueError(
                "ENVIRONMENT=production refuses AUTH_DEV_SIGNING_KEY: anyone holding it "
                "can sign tokens; set AUTH_JWKS_URL or AUTH_PUBLIC_KEY of your identity "
                "provider instead"
            )
        missing = [
            name
            for name, value in (
                ("AUTH_ISSUER", self.auth_issuer),
                ("AUTH_AUDIENCE", self.auth_audience),
            )
            if not value
        ]
        if not sources:
            missing.append("AUTH_JWKS_URL or AUTH_PUBLIC_KEY")
        if missing:
            raise ValueError(f"ENVIRONMENT=production needs {', '.join(missing)}")
        return self

    @property
    def migration_login(self) -> tuple[str, SecretStr | None]:
        """Whom schema changes connect as: the tables' owner (``MIGRATION_DATABASE_URL``),
        or ``DATABASE_URL`` when none is set (SQLite, development); each with its password."""
        if self.migration_database_url is not None:
            return self.migration_database_url, self.migration_database_password
        return self.database_url, self.database_password

    @property
    def serves_docs(self) -> bool:
        return self._open_unless_production(self.docs_enabled)
{%- if cookiecutter.observability == "opentelemetry" %}

    @property
    def serves_metrics(self) -> bool:
        return self._open_unless_production(self.metrics_enabled)
{%- endif %}

    def _open_unless_production(self, choice: bool | None) -> bool:
        """What was chosen, or by default: on in development, off in production."""
        return self.environment == "development" if choice is None else choice

    @field_validator("cors_allowed_origins")
    @classmethod
    def _check_origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        for origin in origins:
            if not ORIGIN.match(origin):
                raise ValueError(
                    f"{origin!r} is not an origin: scheme://host[:port], no path or slash"
                )
        return origins

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, url: str | None) -> str | None:
        if url is not None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("is not an http:// or https:// URL")
        return url

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None:
            decode_webhook_secret(secret.get_secret_value())  # its ValueError says what is wrong
        return secret

    @model_validator(mode="after")
    def _check_webhooks(self) -> Self:
        if self.webhook_url is None:
            return self
        if self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_URL needs WEBHOOK_SECRET, which signs the webhooks (give the "
                f"receiver the same one); make one with: {HOW_TO_MAKE_ONE}"
            )
        url = urlsplit(self.webhook_url)
        plain_http_elsewhere = url.scheme != "https" and not is_loopback(url.hostname)
        if self.environment == "production" and plain_http_elsewhere:
            raise ValueError(
                "ENVIRONMENT=production sends webhooks over https only (http to "
                "localhost alone): the signature proves who sent a notice, it does not "
                "hide the {% if cookiecutter.example == "ledger" %}accounts and amounts{% else %}data{% endif %} in it"
            )
        return self


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` is this machine (a receiver beside the service, in the same pod)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:  # a name, not an address
        return False
