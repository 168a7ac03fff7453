"""Serve metrics at /metrics and trace HTTP requests on an existing FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from {{ cookiecutter.package_name }}.adapters.observability.metrics import Metrics


def tracer_provider(service_name: str) -> TracerProvider:
    """A provider for this service; add span processors/exporters to ship spans somewhere."""
    return TracerProvider(resource=Resource.create({"service.name": service_name}))


def expose(app: FastAPI, metrics: Metrics, provider: TracerProvider) -> FastAPI:
    async def scrape(_request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.add_route("/metrics", scrape, include_in_schema=False)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="metrics")
    return app
