"""Port: one database transaction, and the repositories bound to it.

``async with uow_factory() as uow:`` opens the transaction; ``await uow.commit()`` makes
the work durable; leaving the block without committing rolls everything back, whatever
the reason. ``await uow.rollback()`` drops the work done so far and goes on in a fresh
transaction. Repositories never commit on their own.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from {{ cookiecutter.package_name }}.domain.ports.storage import (
{%- if cookiecutter.example == "ledger" %}
    AccountRepository,
{%- endif %}
    AuditLog,
    IdempotencyRecords,
    Outbox,
{%- if cookiecutter.example == "ledger" %}
    TransferRepository,
{%- endif %}
)


class UnitOfWork(Protocol):
    """The repositories are bound to this unit of work's transaction once it has begun."""

{% if cookiecutter.example == "ledger" %}    accounts: AccountRepository
    transfers: TransferRepository
{% endif %}    audit_log: AuditLog
    outbox: Outbox
    idempotency: IdempotencyRecords
    # add_aggregate: repositories

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""

    async def commit(self) -> None:
        """Make the work durable; without it, leaving the block rolls everything back.

        Raise ``OutcomeUnknown`` when the storage stops answering during the commit, so
        nobody is told that work which may be durable was not done.
        """

    async def rollback(self) -> None:
        """Drop everything written since the last commit; later reads and a later
        commit in this unit of work see none of it."""


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        """Start a new unit of work.

        ``read_only`` lets the storage choose a cheaper transaction, one that takes no
        write lock; committing it is a programming error. How consistent its reads are
        is the storage's default: on PostgreSQL (read committed) two reads may see
        different commits, so a use case that needs them consistent opens a writing
        unit of work.
        """
        ...
