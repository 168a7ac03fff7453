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
from contextlib import AbstractContextManager, contextmanager, nullcontext

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, OTELResourceDetector, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Status, StatusCode

from {{ cookiecutter.package_name }}.adapters.observability.metrics import Metrics
from {{ cookiecutter.package_name }}.adapters.observability.trace_export import span_exporter
from {{ cookiecutter.package_name }}.domain.errors import DomainError, StorageError

COUNTED = "_counted_by_telemetry"


class Telemetry:
    def __init__(self, provider: TracerProvider, metrics: Metrics) -> None:
        self.provider = provider
        self.metrics = metrics
        self.tracer = provider.get_tracer(__name__)

    @classmethod
    def for_service(cls, service_name: str) -> Telemetry:
        """Telemetry as the standard ``OTEL_*`` variables configure it.

        Spans are exported in batches, from a thread of their own, where
        ``trace_export.py`` says (nowhere by default); the provider flushes what is left
        when the process exits. ``OTEL_SERVICE_NAME`` and ``OTEL_RESOURCE_ATTRIBUTES``
        name the service in place of ``service_name``; ``OTEL_TRACES_SAMPLER`` samples.
        Nothing starts before this is called: importing the module builds nothing.
        """
        named = Resource.create({SERVICE_NAME: service_name})
        provider = TracerProvider(resource=named.merge(OTELResourceDetector().detect()))
        if (exporter := span_exporter()) is not None:
            provider.add_span_processor(BatchSpanProcessor(exporter))
        return cls(provider, Metrics())

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
        """Every call is timed and counted; it is a span only within a trace that is
        already going (a request's, a use case's). The background tasks query the outbox
        several times a second, and a trace for each of their calls would bury the traces
        of the requests among thousands an hour of an idle service."""
        started = time.perf_counter()
        self.metrics.repo_calls.labels(repository=repository, operation=operation).inc()
        with self._child_span(f"repository.{repository}.{operation}"):
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

    def _child_span(self, name: str) -> AbstractContextManager[object]:
        if trace.get_current_span().get_span_context().is_valid:
            return self.tracer.start_as_current_span(name)
        return nullcontext()

    def _count(self, error: Exception, layer: str, kind: str) -> None:
        if not getattr(error, COUNTED, False):
            setattr(error, COUNTED, True)
            self.metrics.errors.labels(layer=layer, kind=kind).inc()
