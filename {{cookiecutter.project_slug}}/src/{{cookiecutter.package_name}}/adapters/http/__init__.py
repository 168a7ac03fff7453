"""The HTTP entry point: a FastAPI app that drives the use cases.

Handlers only translate: JSON in, a use-case call, JSON out. Business rules stay in the
domain; domain errors become status codes in one place (``errors.py``).
"""
