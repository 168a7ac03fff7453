"""Traces, metrics and logs, added around the use cases and the app by the composition root.

Domain and use cases import nothing from OpenTelemetry or prometheus_client (the import
contracts check it): instrumentation wraps them from the outside.
"""
