"""Serve /metrics, tag requests with an id, and trace them, on an existing FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from {{ cookiecutter.package_name }}.adapters.observability.request_id import RequestIdMiddleware
from {{ cookiecutter.package_name }}.adapters.observability.telemetry import Telemetry


def expose(app: FastAPI, telemetry: Telemetry, *, serve_metrics: bool) -> FastAPI:
    """``serve_metrics`` off: the metrics are still recorded, but no route shows them
    (what they reveal about traffic is not for everyone who can reach the API)."""
    registry = telemetry.metrics.registry

    async def scrape(_request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    if serve_metrics:
        app.add_route("/metrics", scrape, include_in_schema=False)
    app.add_middleware(RequestIdMiddleware)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=telemetry.provider, excluded_urls="metrics"
    )
    return app
