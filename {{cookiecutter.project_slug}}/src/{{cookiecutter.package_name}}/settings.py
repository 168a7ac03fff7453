"""Every setting of the service, read from the environment (or a ``.env`` file).

``.env.example`` lists them all. Settings are passed explicitly to the composition root;
no module reads a global settings object.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///./{{ cookiecutter.package_name }}.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///... or postgresql+asyncpg://...",
    )
    database_pool_size: int = Field(default=10, ge=1, le=200)
    database_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    outbox_poll_interval_seconds: float = Field(default=0.5, gt=0)
    notify_timeout_seconds: float = Field(default=5.0, gt=0)
    notify_max_attempts: int = Field(default=5, ge=1)
    shutdown_drain_seconds: float = Field(default=10.0, ge=0)
