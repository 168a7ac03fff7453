"""The FastAPI application factory. It builds nothing but HTTP plumbing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI

from {{ cookiecutter.package_name }}.adapters.http.errors import install_error_handlers
from {{ cookiecutter.package_name }}.adapters.http.routes.accounts import accounts_router
from {{ cookiecutter.package_name }}.adapters.http.routes.health import (
    ReadinessProbe,
    health_router,
)
from {{ cookiecutter.package_name }}.adapters.http.routes.transfers import transfers_router
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases


def create_http_app(
    use_cases: UseCases,
    *,
    readiness_probe: ReadinessProbe,
    on_startup: Sequence[Callable[[], Awaitable[None]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[None]]] = (),
    title: str = {{ cookiecutter.project_name | tojson }},
) -> FastAPI:
    """An app serving ``use_cases``.

    ``on_startup`` callbacks run before the first request; ``on_shutdown`` callbacks run
    in order after the last one (uvicorn lets in-flight requests finish first).
    """

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        for callback in on_startup:
            await callback()
        yield
        for callback in on_shutdown:
            await callback()

    app = FastAPI(title=title, lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(accounts_router(use_cases))
    app.include_router(transfers_router(use_cases))
    app.include_router(health_router(readiness_probe))
    return app
