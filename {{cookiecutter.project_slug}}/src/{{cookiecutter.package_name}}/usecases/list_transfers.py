"""One page of an account's transfers, each with its counterpart account.

The counterparts are loaded with ONE batch call for the whole page, never one query per
transfer: the SQL statement count of this use case does not grow with the page size.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.transfer import Transfer

MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class ListTransfersRequest:
    account_id: AccountId
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class TransferLine:
    transfer: Transfer
    counterpart: Account
    incoming: bool


@dataclass(frozen=True, slots=True)
class TransferPage:
    lines: Sequence[TransferLine]
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class ListTransfers:
    unit_of_work: UnitOfWorkFactory

    async def __call__(self, request: ListTransfersRequest) -> TransferPage:
        limit = max(1, min(request.limit, MAX_PAGE_SIZE))
        offset = max(0, request.offset)
        async with self.unit_of_work(read_only=True) as uow:
            await uow.accounts.get(request.account_id)
            transfers = await uow.transfers.list_for_account(
                request.account_id, limit=limit, offset=offset
            )
            counterparts = await uow.accounts.get_many(
                {transfer.counterpart_of(request.account_id) for transfer in transfers}
            )
        lines = [
            TransferLine(
                transfer,
                counterparts[transfer.counterpart_of(request.account_id)],
                incoming=transfer.destination_id == request.account_id,
            )
            for transfer in transfers
        ]
        return TransferPage(lines, limit, offset)
