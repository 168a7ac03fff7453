"""Every setting of the service, read from the environment (or a ``.env`` file).

``.env.example`` lists them all. Settings are passed explicitly to the composition root;
no module reads a global settings object. A secret (a password, a token, an API key) is
a ``SecretStr`` field without a default: the service refuses to start until the
environment provides it, and tests/architecture/test_secrets.py keeps it that way.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ORIGIN = re.compile(r"^https?://[^/\s?#]+$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///./{{ cookiecutter.package_name }}.db",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path.db or postgresql+asyncpg://...",
    )
    database_pool_size: int = Field(default=10, ge=1, le=200)
    database_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    access_log: bool = Field(
        default=False,
        description="uvicorn's line per request; off by default: errors are logged anyway",
    )
    outbox_poll_interval_seconds: float = Field(default=0.5, gt=0)
    notify_timeout_seconds: float = Field(default=5.0, gt=0)
    notify_max_attempts: int = Field(default=5, ge=1)
    shutdown_drain_seconds: float = Field(default=10.0, ge=0)
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

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(origin.strip() for origin in value.split(",") if origin.strip())
        return value

    @field_validator("cors_allowed_origins")
    @classmethod
    def _check_origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        for origin in origins:
            if not ORIGIN.match(origin):
                raise ValueError(
                    f"{origin!r} is not an origin: scheme://host[:port], no path or slash"
                )
        return origins
