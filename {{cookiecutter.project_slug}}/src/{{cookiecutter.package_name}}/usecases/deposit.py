"""Put money into an account from outside the ledger: an administrator's action, done
exactly once per idempotency key."""

from dataclasses import dataclass, field

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.audit import AuditAction, AuditEntry
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.usecases import receipts
from {{ cookiecutter.package_name }}.usecases.access import require_scope
from {{ cookiecutter.package_name }}.usecases.idempotency import Idempotency, Outcome
from {{ cookiecutter.package_name }}.usecases.retry import retry_on_conflict


@dataclass(frozen=True, slots=True)
class DepositRequest:
    account_id: AccountId
    amount: Money
    idempotency_key: str
    """Required: a client that gets no answer must be able to retry without paying twice."""


@dataclass(frozen=True, slots=True)
class Deposit:
    """Money that enters the ledger is created here, so only ``ledger:admin`` may, into
    any account: the owner of an account cannot mint money into it."""

    unit_of_work: UnitOfWorkFactory
    clock: Clock = utc_now
    idempotency: Idempotency = field(default_factory=Idempotency)

    async def __call__(self, principal: Principal, request: DepositRequest) -> Outcome[Account]:
        require_scope(principal, Scope.ADMIN)
        return await retry_on_conflict(lambda: self._deposit_once(principal, request))

    async def _deposit_once(
        self, principal: Principal, request: DepositRequest
    ) -> Outcome[Account]:
        async with self.unit_of_work() as uow:
            outcome = await self.idempotency.run(
                uow,
                principal,
                request.idempotency_key,
                request,
                receipt=receipts.ACCOUNT,
                work=lambda: self._credit(uow, principal, request),
            )
            await uow.commit()
        return outcome

    async def _credit(
        self, uow: UnitOfWork, principal: Principal, request: DepositRequest
    ) -> Account:
        account = (await uow.accounts.lock_many([request.account_id]))[request.account_id]
        account.deposit(request.amount)
        await uow.accounts.update_balances([account])
        await uow.audit_log.append(
            AuditEntry.record(
                AuditAction.DEPOSIT_MADE,
                account.id,
                at=self.clock(),
                actor=principal.subject,
                amount_minor_units=str(request.amount.minor_units),
            )
        )
        return account
