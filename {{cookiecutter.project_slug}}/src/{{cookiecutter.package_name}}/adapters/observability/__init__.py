"""Tracing and metrics, added around the use cases by the composition root.

Domain and use cases import nothing from OpenTelemetry or prometheus_client (the import
contracts check it): instrumentation wraps them from the outside.
"""
