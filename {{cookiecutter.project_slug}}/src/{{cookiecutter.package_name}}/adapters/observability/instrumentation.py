"""Wrap use cases and repositories from the outside, keeping the types callers see.

The composition root applies these wrappers; nothing inside the domain, the use cases
or the other adapters knows they exist.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable
from functools import wraps
from types import TracebackType
from typing import Any, ParamSpec, Self, TypeVar, cast

from {{ cookiecutter.package_name }}.adapters.observability.telemetry import Telemetry
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases

P = ParamSpec("P")
R = TypeVar("R")
Port = TypeVar("Port")


def traced_use_case(
    name: str, use_case: Callable[P, Awaitable[R]], telemetry: Telemetry
) -> Callable[P, Awaitable[R]]:
    @wraps(use_case)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        with telemetry.usecase(name):
            return await use_case(*args, **kwargs)

    return call


def instrument_use_cases(use_cases: UseCases, telemetry: Telemetry) -> UseCases:
    """The same use cases, each one traced and timed."""
    wrapped: dict[str, Any] = {
        field.name: traced_use_case(field.name, getattr(use_cases, field.name), telemetry)
        for field in dataclasses.fields(use_cases)
    }
    return UseCases(**wrapped)


class TracedRepository:
    """Times and traces every coroutine method of the repository it wraps."""

    def __init__(self, inner: object, name: str, telemetry: Telemetry) -> None:
        self._inner = inner
        self._name = name
        self._telemetry = telemetry

    def __getattr__(self, operation: str) -> Any:
        method = getattr(self._inner, operation)
        if not inspect.iscoroutinefunction(method):
            return method

        async def call(*args: Any, **kwargs: Any) -> Any:
            with self._telemetry.repository_call(self._name, operation):
                return await method(*args, **kwargs)

        return call


def traced(repository: Port, name: str, telemetry: Telemetry) -> Port:
    return cast(Port, TracedRepository(repository, name, telemetry))


class TracedUnitOfWork(UnitOfWork):
    """A unit of work whose repositories are traced; transactions are the inner one's."""

    def __init__(self, inner: UnitOfWork, telemetry: Telemetry) -> None:
        self._inner = inner
        self._telemetry = telemetry

    async def __aenter__(self) -> Self:
        with self._telemetry.repository_call("unit_of_work", "begin"):
            await self._inner.__aenter__()
        inner, telemetry = self._inner, self._telemetry
{%- if cookiecutter.example == "ledger" %}
        self.accounts = traced(inner.accounts, "accounts", telemetry)
        self.transfers = traced(inner.transfers, "transfers", telemetry)
{%- endif %}
        self.audit_log = traced(inner.audit_log, "audit_log", telemetry)
        self.outbox = traced(inner.outbox, "outbox", telemetry)
        self.idempotency = traced(inner.idempotency, "idempotency", telemetry)
        # add_aggregate: repositories
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, traceback)

    async def commit(self) -> None:
        with self._telemetry.repository_call("unit_of_work", "commit"):
            await self._inner.commit()

    async def rollback(self) -> None:
        with self._telemetry.repository_call("unit_of_work", "rollback"):
            await self._inner.rollback()


class TracedUnitOfWorkFactory(UnitOfWorkFactory):
    def __init__(self, inner: UnitOfWorkFactory, telemetry: Telemetry) -> None:
        self._inner = inner
        self._telemetry = telemetry

    def __call__(self, *, read_only: bool = False) -> TracedUnitOfWork:
        return TracedUnitOfWork(self._inner(read_only=read_only), self._telemetry)
