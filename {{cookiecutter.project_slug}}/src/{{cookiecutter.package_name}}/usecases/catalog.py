"""Every use case of the service, wired to one unit-of-work factory.

Entry points (the HTTP adapter, a CLI, a worker) receive this object and call use cases
through it; they never build one themselves. Every use case takes the ``Principal``
asking first and decides itself what that principal may do. Each field is typed as a
plain async callable so the composition root may wrap one (tracing, metrics) without
changing any caller.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

{% if cookiecutter.example == "ledger" %}from {{ cookiecutter.package_name }}.domain.account import Account
{% endif %}from {{ cookiecutter.package_name }}.domain.idempotency import DEFAULT_RETENTION
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.ids import AccountId
{%- endif %}
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from {{ cookiecutter.package_name }}.usecases.deposit import Deposit, DepositRequest
from {{ cookiecutter.package_name }}.usecases.get_account import GetAccount
{%- endif %}
from {{ cookiecutter.package_name }}.usecases.idempotency import Idempotency, Outcome
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.usecases.list_transfers import (
    ListTransfers,
    ListTransfersRequest,
    TransferPage,
)
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccount, OpenAccountRequest
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferFunds, TransferRequest
{%- endif %}


@dataclass(frozen=True, slots=True)
class UseCases:
{%- if cookiecutter.example == "ledger" %}
    open_account: Callable[[Principal, OpenAccountRequest], Awaitable[Outcome[Account]]]
    deposit: Callable[[Principal, DepositRequest], Awaitable[Outcome[Account]]]
    transfer_funds: Callable[[Principal, TransferRequest], Awaitable[Outcome[Transfer]]]
    get_account: Callable[[Principal, AccountId], Awaitable[Account]]
    list_transfers: Callable[[Principal, ListTransfersRequest], Awaitable[TransferPage]]
{%- endif %}
    # add_aggregate: use cases

    @classmethod
    def wired_to(
        cls,
        unit_of_work: UnitOfWorkFactory,
        *,
        clock: Clock = utc_now,
        key_retention: timedelta = DEFAULT_RETENTION,
    ) -> UseCases:
        idempotency = Idempotency(clock, key_retention)
        return cls(
{%- if cookiecutter.example == "ledger" %}
            open_account=OpenAccount(unit_of_work, clock, idempotency),
            deposit=Deposit(unit_of_work, clock, idempotency),
            transfer_funds=TransferFunds(unit_of_work, clock, idempotency),
            get_account=GetAccount(unit_of_work),
            list_transfers=ListTransfers(unit_of_work),
{%- endif %}
            # add_aggregate: wiring
        )
