"""A unit-of-work factory that watches, and may sabotage, every port call of a use case.

Wrap any implementation's factory in ``Observed`` and hand it to ``UseCases.wired_to``:
each repository call is logged as {% if cookiecutter.example == "ledger" %}``"accounts.lock_many"``, ``"transfers.add"``{% else %}``"outbox.put"``, ``"idempotency.claim"``{% endif %}, ...;
failures are logged with the error; and ``after_call`` runs after every successful call,
where a test may raise (a crash after a write) or wait (to force a race).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self, cast

from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

AfterCall = Callable[[str, tuple[Any, ...]], Awaitable[None]]


async def carry_on(_call: str, _args: tuple[Any, ...]) -> None:
    """The default ``after_call``: let every call through."""


@dataclass
class Observed:
    inner: UnitOfWorkFactory
    after_call: AfterCall = carry_on
    calls: list[str] = field(default_factory=list)
    failures: list[tuple[str, Exception]] = field(default_factory=list)

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        return cast(UnitOfWork, ObservedUnitOfWork(self.inner(read_only=read_only), self))

    def failed_with(self, error_type: type[Exception]) -> list[str]:
        return [call for call, error in self.failures if isinstance(error, error_type)]


class ObservedUnitOfWork:
    """Forwards the transaction methods as they are, and wraps every repository it hands out."""

    def __init__(self, inner: UnitOfWork, observer: Observed) -> None:
        self._inner = inner
        self._observer = observer

    def __getattr__(self, port: str) -> Any:
        return _Port(getattr(self._inner, port), port, self._observer)

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, traceback)

    async def commit(self) -> None:
        await self._inner.commit()

    async def rollback(self) -> None:
        await self._inner.rollback()


class _Port:
    """Stands in for one repository, forwarding every method call to it."""

    def __init__(self, inner: object, name: str, observer: Observed) -> None:
        self._inner = inner
        self._name = name
        self._observer = observer

    def __getattr__(self, method: str) -> Callable[..., Awaitable[Any]]:
        forward = getattr(self._inner, method)
        call = f"{self._name}.{method}"
        observer = self._observer

        async def observed(*args: Any, **kwargs: Any) -> Any:
            observer.calls.append(call)
            try:
                result = await forward(*args, **kwargs)
            except Exception as error:
                observer.failures.append((call, error))
                raise
            await observer.after_call(call, args)
            return result

        return observed
