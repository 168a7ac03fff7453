"""Structured logs: one JSON object per line, by python-json-logger.

Every line has ``time``, ``level``, ``logger`` and ``message``; every ``extra`` field the
call passed, as it was passed; inside a request its ``request_id``, and the ``trace_id``
and ``span_id`` of the span it was logged in; ``exception``, the traceback, when the call
logged one.
"""

from __future__ import annotations

import logging
from typing import Any

from opentelemetry import trace
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from {{ cookiecutter.package_name }}.adapters.observability.request_id import current_request_id

FIELDS = "{name}{levelname}{message}"
RENAMED = {"name": "logger", "levelname": "level", "exc_info": "exception"}
NOT_LOGGED = (*RESERVED_ATTRS, "color_message")
"""The record's own attributes, and the copy with terminal colours uvicorn adds."""


def json_formatter() -> JsonFormatter:
    return JsonFormatter(
        FIELDS, style="{", rename_fields=RENAMED, timestamp="time", reserved_attrs=NOT_LOGGED
    )


class RequestContext(logging.Filter):
    """Adds the request id and the current span's trace ids to each record it passes,
    when there are some: outside a request a line has no request id, outside a span no
    trace ids.

    A filter of the handler, not of the formatter, so the ids are read when the line is
    logged, in the request's context, even by a handler that formats it later elsewhere.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if (request_id := current_request_id.get()) is not None:
            record.request_id = request_id
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = trace.format_trace_id(context.trace_id)
            record.span_id = trace.format_span_id(context.span_id)
        return True


def log_config(level: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn's ``log_config``: JSON everywhere.

    uvicorn's access logger gets no handler and passes nothing on, whatever its level:
    ``served_requests.py`` writes the access lines, when ``ACCESS_LOG`` is on.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": json_formatter}},
        "filters": {"request_context": {"()": RequestContext}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_context"],
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"handlers": ["stdout"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"level": level.upper()},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }
