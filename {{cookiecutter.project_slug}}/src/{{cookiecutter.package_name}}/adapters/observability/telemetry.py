"""Tracing and metrics together: what every instrumented call records.

An error is counted once, as the layer it belongs to: a storage failure in a repository
call (``StorageError`` or any non-domain exception) as ``adapter``; a business answer such
as "no such account", wherever it was raised, as ``domain``; any other exception escaping
a use case as ``usecase``. So ``errors_total{layer="adapter"}`` over ``repo_calls_total``
is the repository error rate the alert rules watch.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Status, StatusCode

from {{ cookiecutter.package_name }}.adapters.observability.metrics import Metrics
from {{ cookiecutter.package_name }}.domain.errors import DomainError, StorageError

COUNTED = "_counted_by_telemetry"


class Telemetry:
    def __init__(self, provider: TracerProvider, metrics: Metrics) -> None:
        self.provider = provider
        self.metrics = metrics
        self.tracer = provider.get_tracer(__name__)

    @classmethod
    def for_service(cls, service_name: str) -> Telemetry:
        """Spans go nowhere until a span processor is added to ``provider``."""
        resource = Resource.create({"service.name": service_name})
        return cls(TracerProvider(resource=resource), Metrics())

    @contextmanager
    def usecase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        with self.tracer.start_as_current_span(f"usecase.{name}") as span:
            try:
                yield
            except DomainError as error:
                self._count(error, "domain", error.code)
                span.set_status(Status(StatusCode.ERROR, error.code))
                raise
            except Exception as error:
                self._count(error, "usecase", type(error).__name__)
                raise
            finally:
                elapsed = time.perf_counter() - started
                self.metrics.usecase_duration.labels(usecase=name).observe(elapsed)

    @contextmanager
    def repository_call(self, repository: str, operation: str) -> Iterator[None]:
        started = time.perf_counter()
        self.metrics.repo_calls.labels(repository=repository, operation=operation).inc()
        with self.tracer.start_as_current_span(f"repository.{repository}.{operation}"):
            try:
                yield
            except StorageError as error:
                self._count(error, "adapter", error.code)
                raise
            except DomainError:
                raise
            except Exception as error:
                self._count(error, "adapter", type(error).__name__)
                raise
            finally:
                elapsed = time.perf_counter() - started
                latency = self.metrics.repo_latency.labels(
                    repository=repository, operation=operation
                )
                latency.observe(elapsed)

    def _count(self, error: Exception, layer: str, kind: str) -> None:
        if not getattr(error, COUNTED, False):
            setattr(error, COUNTED, True)
            self.metrics.errors.labels(layer=layer, kind=kind).inc()
