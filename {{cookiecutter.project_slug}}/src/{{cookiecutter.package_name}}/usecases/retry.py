"""Retry work the storage aborted because of a concurrent transaction.

A conflict (a serialization failure, a deadlock victim, a busy SQLite file) means nothing
was written, so running the whole unit of work again is safe. The number of attempts is
bounded: under a storm of conflicts the caller gets ``ConcurrencyConflict``, not a hang.
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from {{ cookiecutter.package_name }}.domain.errors import ConcurrencyConflict

DEFAULT_ATTEMPTS = 5

T = TypeVar("T")


async def retry_on_conflict(
    attempt: Callable[[], Awaitable[T]], *, attempts: int = DEFAULT_ATTEMPTS
) -> T:
    for _ in range(attempts - 1):
        try:
            return await attempt()
        except ConcurrencyConflict:
            continue
    return await attempt()
