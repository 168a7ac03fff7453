"""Prometheus metrics of the service, in a registry of their own (not the global one)."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

from {{ cookiecutter.package_name }}.adapters.observability.outbox_gauges import OutboxGauges

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
REQUEST_BUCKETS = (*LATENCY_BUCKETS, 5.0, 10.0, 30.0)
"""Up to the default ``REQUEST_TIMEOUT_SECONDS``, where a slow request is cut off."""


class Metrics:
    """The service's metrics; each instance owns a registry, so tests never share counts.

    Besides the service's own, the registry serves prometheus_client's standard
    collectors of the process (``process_cpu_seconds_total``, ``process_resident_memory_
    bytes``, ``process_open_fds``, ...), the garbage collector and the Python version.
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        # Each registers itself in the registry it is given.
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.http_request_duration = Histogram(
            "http_server_request_duration_seconds",
            "Time to answer one HTTP request, by method, route template and status code.",
            ["method", "route", "status_code"],
            buckets=REQUEST_BUCKETS,
            registry=self.registry,
        )
        self.usecase_duration = Histogram(
            "usecase_duration_seconds",
            "Time spent in one use case call.",
            ["usecase"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.repo_latency = Histogram(
            "repo_latency_seconds",
            "Time spent in one repository call.",
            ["repository", "operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "errors",
            "Errors by the layer they surfaced in (domain, usecase, adapter) and their kind.",
            ["layer", "kind"],
            registry=self.registry,
        )
        self.repo_calls = Counter(
            "repo_calls",
            "Repository calls, the denominator of the repository error rate.",
            ["repository", "operation"],
            registry=self.registry,
        )
        self.outbox = OutboxGauges(self.registry)
