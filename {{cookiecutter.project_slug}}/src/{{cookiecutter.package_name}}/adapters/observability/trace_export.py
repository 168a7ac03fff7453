"""Where spans go: to an OTLP collector when OpenTelemetry's standard variables say so.

The variables are the SDK's own (https://opentelemetry.io/docs/specs/otel/configuration/
sdk-environment-variables/), read from the process environment, not from ``.env``:

- ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` (the full URL, ``.../v1/traces``) or
  ``OTEL_EXPORTER_OTLP_ENDPOINT`` (the collector's base URL): export there, over OTLP/HTTP
  with protobuf (a collector's port 4318). ``OTEL_EXPORTER_OTLP_HEADERS``, ``..._TIMEOUT``,
  ``..._COMPRESSION`` and the certificate variables apply as the exporter documents them.
- ``OTEL_TRACES_EXPORTER``: ``otlp`` exports (to ``http://localhost:4318`` without an
  endpoint), ``none`` does not, whatever the endpoint.
- ``OTEL_SDK_DISABLED=true``: no spans at all.

One departure from the SDK's defaults: with none of them set, nothing is exported. The
SDK would export to localhost:4318 and, with no collector there, log an error every few
seconds in every environment that does not run one.
"""

from __future__ import annotations

import logging
import os

from opentelemetry.environment_variables import OTEL_TRACES_EXPORTER
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.environment_variables import (
    OTEL_EXPORTER_OTLP_ENDPOINT,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    OTEL_SDK_DISABLED,
)
from opentelemetry.sdk.trace.export import SpanExporter

OTLP, NONE = "otlp", "none"

logger = logging.getLogger(__name__)


def span_exporter() -> SpanExporter | None:
    """The exporter the environment asks for, or ``None``: spans are then dropped."""
    if os.environ.get(OTEL_SDK_DISABLED, "").strip().lower() == "true":
        return None
    names = {name.strip() for name in os.environ.get(OTEL_TRACES_EXPORTER, "").split(",")}
    names.discard("")
    if not names and _endpoint_is_set():
        names = {OTLP}
    if unsupported := sorted(names - {OTLP, NONE}):
        logger.warning(
            "%s=%s: not supported, no spans are exported that way; use %s or %s",
            OTEL_TRACES_EXPORTER,
            ",".join(unsupported),
            OTLP,
            NONE,
        )
    return OTLPSpanExporter() if OTLP in names else None


def _endpoint_is_set() -> bool:
    endpoints = (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT)
    return any(os.environ.get(name) for name in endpoints)
