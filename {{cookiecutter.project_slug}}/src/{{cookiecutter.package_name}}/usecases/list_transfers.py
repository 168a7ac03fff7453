"""One page of the transfers in and out of one of the principal's accounts, newest first.

A page starts after a position (``domain/transfer_position.py``), the one the page before
ends on, not after a number of rows: transfers made meanwhile never shift a later page,
and storage seeks the position in an index instead of reading the history up to it.

Each line names the counterpart account by id only: who owns it is none of the
principal's business. Two statements whatever the page size: the account (to check
whose it is), then the page.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from {{ cookiecutter.package_name }}.domain.transfer_position import TransferPosition
from {{ cookiecutter.package_name }}.usecases.access import owned_by, require_scope

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class ListTransfersRequest:
    account_id: AccountId
    limit: int = DEFAULT_PAGE_SIZE
    after: TransferPosition | None = None
    """The ``continues_after`` of the page before; None for the first page."""


@dataclass(frozen=True, slots=True)
class TransferLine:
    transfer: Transfer
    counterpart_id: AccountId
    incoming: bool


@dataclass(frozen=True, slots=True)
class TransferPage:
    lines: Sequence[TransferLine]
    continues_after: TransferPosition | None
    """Where the next page starts: the last line's position; None when no line follows."""


@dataclass(frozen=True, slots=True)
class ListTransfers:
    unit_of_work: UnitOfWorkFactory

    async def __call__(self, principal: Principal, request: ListTransfersRequest) -> TransferPage:
        require_scope(principal, Scope.READ)
        limit = max(1, min(request.limit, MAX_PAGE_SIZE))
        async with self.unit_of_work(read_only=True) as uow:
            owned_by(principal, await uow.accounts.get(request.account_id))
            # One more than the page, in the same statement: whether another page follows,
            # so the last page says so instead of sending the client to an empty one.
            transfers = await uow.transfers.list_for_account(
                request.account_id, limit=limit + 1, after=request.after
            )
        on_this_page = transfers[:limit]
        lines = [
            TransferLine(
                transfer,
                transfer.counterpart_of(request.account_id),
                incoming=transfer.destination_id == request.account_id,
            )
            for transfer in on_this_page
        ]
        more = len(transfers) > limit
        return TransferPage(lines, TransferPosition.of(on_this_page[-1]) if more else None)
