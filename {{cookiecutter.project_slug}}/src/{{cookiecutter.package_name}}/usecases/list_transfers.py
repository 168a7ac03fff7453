"""One page of the transfers in and out of one of the principal's accounts.

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
from {{ cookiecutter.package_name }}.usecases.access import owned_by, require_scope

MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class ListTransfersRequest:
    account_id: AccountId
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class TransferLine:
    transfer: Transfer
    counterpart_id: AccountId
    incoming: bool


@dataclass(frozen=True, slots=True)
class TransferPage:
    lines: Sequence[TransferLine]
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class ListTransfers:
    unit_of_work: UnitOfWorkFactory

    async def __call__(self, principal: Principal, request: ListTransfersRequest) -> TransferPage:
        require_scope(principal, Scope.READ)
        limit = max(1, min(request.limit, MAX_PAGE_SIZE))
        offset = max(0, request.offset)
        async with self.unit_of_work(read_only=True) as uow:
            owned_by(principal, await uow.accounts.get(request.account_id))
            transfers = await uow.transfers.list_for_account(
                request.account_id, limit=limit, offset=offset
            )
        lines = [
            TransferLine(
                transfer,
                transfer.counterpart_of(request.account_id),
                incoming=transfer.destination_id == request.account_id,
            )
            for transfer in transfers
        ]
        return TransferPage(lines, limit, offset)
