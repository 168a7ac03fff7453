"""Prometheus metrics of the service, in a registry of their own (not the global one)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    """The service's metrics; each instance owns a registry, so tests never share counts."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
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
