"""The composition root: settings -> engine -> unit of work -> use cases -> app.

The only module that knows every concrete class. Nothing is built at import time:
``create_app`` is the factory uvicorn calls (``--factory``), and tests call ``bootstrap``
with keyword overrides, for example ``bootstrap(unit_of_work=MemoryUnitOfWorkFactory())``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from fastapi import FastAPI

from {{ cookiecutter.package_name }}.adapters.http.app import create_http_app
from {{ cookiecutter.package_name }}.adapters.http.routes.health import ReadinessProbe
{%- if cookiecutter.observability == "opentelemetry" %}
from {{ cookiecutter.package_name }}.adapters.observability.exposition import expose
from {{ cookiecutter.package_name }}.adapters.observability.instrumentation import (
    TracedUnitOfWorkFactory,
    instrument_use_cases,
)
from {{ cookiecutter.package_name }}.adapters.observability.telemetry import Telemetry
{%- endif %}
from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.health import DatabaseProbe
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.usecases.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Service:
    """Everything an entry point needs: the use cases, a readiness probe, a way to stop."""

    use_cases: UseCases
    readiness_probe: ReadinessProbe
    on_shutdown: Sequence[Callable[[], Awaitable[None]]] = ()


async def always_ready() -> None:
    """Readiness of storage that lives in the process (the memory adapter)."""


def bootstrap(
    settings: Settings | None = None,
    *,
    unit_of_work: UnitOfWorkFactory | None = None,
    clock: Clock = utc_now,
{%- if cookiecutter.observability == "opentelemetry" %}
    telemetry: Telemetry | None = None,
{%- endif %}
) -> Service:
    """Wire the service; any keyword given replaces the part built from settings."""
    readiness_probe: ReadinessProbe = always_ready
    on_shutdown: list[Callable[[], Awaitable[None]]] = []
    if unit_of_work is None:
        settings = settings or Settings()
        engine = create_engine(
            settings.database_url,
            pool_size=settings.database_pool_size,
            connect_timeout=settings.database_connect_timeout_seconds,
        )
        unit_of_work = SqlUnitOfWorkFactory(engine)
        readiness_probe = DatabaseProbe(engine, timeout=settings.readiness_timeout_seconds)
        on_shutdown.append(engine.dispose)
{%- if cookiecutter.observability == "opentelemetry" %}
    if telemetry is not None:
        unit_of_work = TracedUnitOfWorkFactory(unit_of_work, telemetry)
        use_cases = instrument_use_cases(UseCases.wired_to(unit_of_work, clock=clock), telemetry)
        return Service(use_cases, readiness_probe, on_shutdown)
{%- endif %}
    return Service(UseCases.wired_to(unit_of_work, clock=clock), readiness_probe, on_shutdown)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app, for uvicorn's ``--factory`` and for tests."""
{%- if cookiecutter.observability == "opentelemetry" %}
    telemetry = Telemetry.for_service("{{ cookiecutter.project_slug }}")
    service = bootstrap(settings, telemetry=telemetry)
    app = create_http_app(
        service.use_cases,
        readiness_probe=service.readiness_probe,
        on_shutdown=service.on_shutdown,
    )
    return expose(app, telemetry)
{%- else %}
    service = bootstrap(settings)
    return create_http_app(
        service.use_cases,
        readiness_probe=service.readiness_probe,
        on_shutdown=service.on_shutdown,
    )
{%- endif %}
