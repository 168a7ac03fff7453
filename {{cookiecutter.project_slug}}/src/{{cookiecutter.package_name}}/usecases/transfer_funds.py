"""Move money out of one of the principal's accounts, exactly once per idempotency key.

Both accounts are locked with one batch call in id order, so two opposite transfers
running at the same time wait for each other instead of deadlocking. The idempotency key,
the balances, the transfer, its audit entry, its "transfer completed" notice and the
answer are written in one unit of work: all of them or none.

A missing source and a source that is not the principal's are the same ``AccountNotFound``,
whether the destination exists or not; a missing destination, from a source that is the
principal's, is ``CounterpartNotFound``: the request was valid, the ledger has no such
account to pay.
"""

from dataclasses import dataclass, field

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.audit import AuditAction, AuditEntry
from {{ cookiecutter.package_name }}.domain.errors import AccountNotFound, CounterpartNotFound
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from {{ cookiecutter.package_name }}.usecases import receipts
from {{ cookiecutter.package_name }}.usecases.access import owned_by, require_scope
from {{ cookiecutter.package_name }}.usecases.idempotency import Idempotency, Outcome
from {{ cookiecutter.package_name }}.usecases.retry import retry_on_conflict


@dataclass(frozen=True, slots=True)
class TransferRequest:
    source_id: AccountId
    destination_id: AccountId
    amount: Money
    idempotency_key: str
    """Required: a client that gets no answer must be able to retry without paying twice."""


@dataclass(frozen=True, slots=True)
class TransferFunds:
    unit_of_work: UnitOfWorkFactory
    clock: Clock = utc_now
    idempotency: Idempotency = field(default_factory=Idempotency)

    async def __call__(self, principal: Principal, request: TransferRequest) -> Outcome[Transfer]:
        require_scope(principal, Scope.WRITE)
        return await retry_on_conflict(lambda: self._transfer_once(principal, request))

    async def _transfer_once(
        self, principal: Principal, request: TransferRequest
    ) -> Outcome[Transfer]:
        async with self.unit_of_work() as uow:
            outcome = await self.idempotency.run(
                uow,
                principal,
                request.idempotency_key,
                request,
                receipt=receipts.TRANSFER,
                work=lambda: self._move(uow, principal, request),
            )
            await uow.commit()
        return outcome

    async def _move(
        self, uow: UnitOfWork, principal: Principal, request: TransferRequest
    ) -> Transfer:
        accounts = await self._lock_both(uow, principal, request)
        transfer = Transfer.between(
            owned_by(principal, accounts[request.source_id]),
            accounts[request.destination_id],
            request.amount,
            at=self.clock(),
            requested_by=principal.subject,
        )
        await uow.accounts.update_balances(list(accounts.values()))
        await uow.transfers.add(transfer)
        await uow.audit_log.append(
            AuditEntry.record(
                AuditAction.TRANSFER_COMPLETED,
                transfer.id,
                at=transfer.created_at,
                actor=principal.subject,
                source_id=str(transfer.source_id),
                destination_id=str(transfer.destination_id),
                amount_minor_units=str(transfer.amount.minor_units),
            )
        )
        await uow.outbox.put(Notice.transfer_completed(transfer))
        return transfer

    @staticmethod
    async def _lock_both(
        uow: UnitOfWork, principal: Principal, request: TransferRequest
    ) -> dict[AccountId, Account]:
        """Both accounts, locked with one batch call in id order; or the reason one is missing.

        Telling a missing source from a missing destination costs one more read, made only
        when the batch call already failed: the source, whose owner decides which error the
        principal may see.
        """
        try:
            return await uow.accounts.lock_many([request.source_id, request.destination_id])
        except AccountNotFound:
            owned_by(principal, await uow.accounts.get(request.source_id))
        raise CounterpartNotFound(f"no account {request.destination_id} to transfer to")
