"""Do a use case's work at most once per idempotency key, and answer retries alike.

The key is claimed in the unit of work that does the work, and the outcome stored there
too: the key, the effect and the answer commit together, or none of them does. A retry
sent while its original still runs waits for the original's transaction (see
``IdempotencyRecords.claim``) and answers with its outcome, so it never runs the work
again on the state the original left, and never refuses what the original did.

A refusal ({% if cookiecutter.example == "ledger" %}insufficient funds, an unknown account{% else %}a broken rule, a missing record{% endif %}) rolls back with the rest, key
included: the request changed nothing, and a retry with the same key is judged afresh.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from {{ cookiecutter.package_name }}.domain.errors import IdempotencyKeyReused
from {{ cookiecutter.package_name }}.domain.idempotency import DEFAULT_RETENTION, IdempotencyKey
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork
from {{ cookiecutter.package_name }}.domain.principal import Principal

T = TypeVar("T")


class Request(Protocol):
    """A use case's request: a dataclass, whose fields are what the fingerprint covers."""

    __dataclass_fields__: ClassVar[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    result: T
    replayed: bool
    """True when an earlier request with the same key did the work: ``result`` is the
    answer it got then, not a new one."""


@dataclass(frozen=True, slots=True)
class Receipt(Generic[T]):
    """How a use case stores its result under a key, and reads it back for a replay."""

    encode: Callable[[T], str]
    decode: Callable[[str], T]


@dataclass(frozen=True, slots=True)
class Idempotency:
    clock: Clock = utc_now
    retention: timedelta = DEFAULT_RETENTION
    """How long a key is kept; a retry after that runs as a new request."""

    async def run(
        self,
        uow: UnitOfWork,
        principal: Principal,
        idempotency_key: str | None,
        request: Request,
        *,
        receipt: Receipt[T],
        work: Callable[[], Awaitable[T]],
    ) -> Outcome[T]:
        """``work()`` in ``uow``, unless ``request`` was sent with this key before.

        The caller commits ``uow`` afterwards, as for any other write. Without a key
        ({% if cookiecutter.example == "ledger" %}allowed where no money moves{% else %}allowed where a route does not require one{% endif %}) the work simply runs.
        """
        if idempotency_key is None:
            return Outcome(await work(), replayed=False)
        key = IdempotencyKey(principal.subject, idempotency_key)
        fingerprint = fingerprint_of(request)
        now = self.clock()
        record = await uow.idempotency.claim(
            key, fingerprint, now=now, expires_at=now + self.retention
        )
        if record is None:
            result = await work()
            await uow.idempotency.complete(key, receipt.encode(result))
            return Outcome(result, replayed=False)
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was sent before with a different request; "
                "use a new key for a new request"
            )
        return Outcome(receipt.decode(record.outcome), replayed=True)


def fingerprint_of(request: Request) -> str:
    """SHA-256 of the request's type and fields, but for its ``idempotency_key`` field:
    the same request sent under two keys has one fingerprint."""
    fields = dataclasses.asdict(request)
    fields.pop("idempotency_key", None)
    canonical = json.dumps([type(request).__name__, fields], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
