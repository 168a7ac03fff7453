"""The FastAPI application factory. It builds nothing but HTTP plumbing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from {{ cookiecutter.package_name }}.adapters.http.errors import install_error_handlers
from {{ cookiecutter.package_name }}.adapters.http.limits import RequestLimits
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.adapters.http.routes.accounts import accounts_router
{%- endif %}
from {{ cookiecutter.package_name }}.adapters.http.routes.health import (
    ReadinessProbe,
    health_router,
)
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.adapters.http.routes.transfers import transfers_router
{%- endif %}
from {{ cookiecutter.package_name }}.adapters.http.shutdown import ShutdownSignal
from {{ cookiecutter.package_name }}.domain.ports.token_verifier import TokenVerifier
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases

DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_REQUEST_TIMEOUT_SECONDS = 30.0
CORS_METHODS = ("GET", "POST")
CORS_REQUEST_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID")
CORS_RESPONSE_HEADERS = ("Idempotent-Replayed", "X-Request-ID")


def create_http_app(
    use_cases: UseCases,
    *,
    token_verifier: TokenVerifier,
    readiness_probe: ReadinessProbe,
    on_startup: Sequence[Callable[[], Awaitable[None]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[None]]] = (),
    title: str = {{ cookiecutter.project_name | tojson }},
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    request_timeout_seconds: float = DEFAULT_REQUEST_TIMEOUT_SECONDS,
    cors_allowed_origins: Sequence[str] = (),
    serve_docs: bool = False,
) -> FastAPI:
    """An app serving ``use_cases``.

    ``on_startup`` callbacks run before the first request; ``on_shutdown`` callbacks run
    in order after the last one (uvicorn lets in-flight requests finish first). A body
    over ``max_body_bytes`` gets 413, a request over ``request_timeout_seconds`` gets 504.
    CORS stays off (browsers refuse other origins' scripts) unless origins are listed.
    Every route but the health checks needs a token ``token_verifier`` accepts; /docs,
    /redoc and /openapi.json exist only with ``serve_docs``.
    """

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        for callback in on_startup:
            await callback()
        yield
        for callback in on_shutdown:
            await callback()

    app = FastAPI(
        title=title,
        lifespan=lifespan,
        openapi_url="/openapi.json" if serve_docs else None,
        docs_url="/docs" if serve_docs else None,
        redoc_url="/redoc" if serve_docs else None,
    )
    app.state.token_verifier = token_verifier  # what adapters/http/auth.py verifies with
    app.state.shutdown = shutdown = ShutdownSignal()  # begun by adapters/http/server.py
    install_error_handlers(app)
{%- if cookiecutter.example == "ledger" %}
    app.include_router(accounts_router(use_cases))
    app.include_router(transfers_router(use_cases))
{%- endif %}
    # add_aggregate: routers
    app.include_router(health_router(readiness_probe, shutdown))
    # The last one added runs first: CORS, then the request limits.
    app.add_middleware(
        RequestLimits, max_body_bytes=max_body_bytes, timeout_seconds=request_timeout_seconds
    )
    if cors_allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_allowed_origins),
            allow_methods=CORS_METHODS,
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_RESPONSE_HEADERS,
        )
    return app
