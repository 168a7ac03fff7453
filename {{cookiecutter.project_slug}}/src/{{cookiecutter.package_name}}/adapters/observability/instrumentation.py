"""Wrap every use case in a span and a latency histogram, without changing its type."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from opentelemetry.trace import Tracer

from {{ cookiecutter.package_name }}.adapters.observability.metrics import Metrics
from {{ cookiecutter.package_name }}.domain.errors import DomainError
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases

P = ParamSpec("P")
R = TypeVar("R")


def instrumented(
    name: str, use_case: Callable[P, Awaitable[R]], tracer: Tracer, metrics: Metrics
) -> Callable[P, Awaitable[R]]:
    @wraps(use_case)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        with tracer.start_as_current_span(f"usecase.{name}"):
            try:
                return await use_case(*args, **kwargs)
            except DomainError as error:
                metrics.errors.labels(layer="domain", kind=error.code).inc()
                raise
            except Exception as error:
                metrics.errors.labels(layer="usecase", kind=type(error).__name__).inc()
                raise
            finally:
                metrics.usecase_duration.labels(usecase=name).observe(time.perf_counter() - started)

    return call


def instrument_use_cases(use_cases: UseCases, tracer: Tracer, metrics: Metrics) -> UseCases:
    """The same use cases, each one traced and timed."""
    wrapped: dict[str, Any] = {
        field.name: instrumented(field.name, getattr(use_cases, field.name), tracer, metrics)
        for field in dataclasses.fields(use_cases)
    }
    return UseCases(**wrapped)
