"""Serve /metrics, tag requests with an id, record and trace them, on an existing app."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from {{ cookiecutter.package_name }}.adapters.observability.request_id import RequestIdMiddleware
from {{ cookiecutter.package_name }}.adapters.observability.served_requests import (
    ServedRequestRecorder,
)
from {{ cookiecutter.package_name }}.adapters.observability.telemetry import Telemetry


def expose(
    app: FastAPI, telemetry: Telemetry, *, serve_metrics: bool, access_log: bool = False
) -> FastAPI:
    """``serve_metrics`` off: the metrics are still recorded, but no route shows them
    (what they reveal about traffic is not for everyone who can reach the API).
    ``access_log`` on: one log line per request (``served_requests.py``)."""
    registry = telemetry.metrics.registry

    def scrape(_request: Request) -> Response:
        """A plain function, so Starlette runs it in its thread pool: collecting reads
        /proc and renders every series, which is no work for the event loop."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    if serve_metrics:
        app.add_route("/metrics", scrape, include_in_schema=False)
    # The last one added runs first: the request id is set before the request is recorded.
    app.add_middleware(
        ServedRequestRecorder,
        durations=telemetry.metrics.http_request_duration,
        access_log=access_log,
    )
    app.add_middleware(RequestIdMiddleware)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=telemetry.provider, excluded_urls="metrics"
    )
    return app
