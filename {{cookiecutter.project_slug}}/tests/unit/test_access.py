"""Who may do what: a scope for each kind of action, ownership for each account.

Every use case checks the principal's scope before it touches the storage. Reading an
account, listing its transfers and moving money out of it are for its owner only; to
anyone else the account does not exist, down to the error message, so an id learnt by
chance discloses nothing. Money enters the ledger only through an administrator.
"""

from collections.abc import Awaitable, Callable

import pytest

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.errors import AccountNotFound, PermissionDenied
from {{ cookiecutter.package_name }}.domain.ids import AccountId, new_account_id
from {{ cookiecutter.package_name }}.domain.money import Currency, Money
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.deposit import DepositRequest
from {{ cookiecutter.package_name }}.usecases.list_transfers import ListTransfersRequest
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.fakes import ALICE, BOB, TREASURER
from tests.stored_state import MemoryStoredState

ACCOUNT, OTHER_ACCOUNT = new_account_id(), new_account_id()

UseCaseCall = Callable[[UseCases, Principal], Awaitable[object]]
CALLS: dict[str, tuple[Scope, UseCaseCall]] = {
    "open_account": (
        Scope.WRITE,
        lambda use_cases, principal: use_cases.open_account(
            principal, OpenAccountRequest("m@example.com", Currency.EUR)
        ),
    ),
    "deposit": (
        Scope.ADMIN,
        lambda use_cases, principal: use_cases.deposit(
            principal, DepositRequest(ACCOUNT, Money(1, Currency.EUR), "d-1")
        ),
    ),
    "transfer_funds": (
        Scope.WRITE,
        lambda use_cases, principal: use_cases.transfer_funds(
            principal, TransferRequest(ACCOUNT, OTHER_ACCOUNT, Money(1, Currency.EUR), "t-1")
        ),
    ),
    "get_account": (
        Scope.READ,
        lambda use_cases, principal: use_cases.get_account(principal, ACCOUNT),
    ),
    "list_transfers": (
        Scope.READ,
        lambda use_cases, principal: use_cases.list_transfers(
            principal, ListTransfersRequest(ACCOUNT)
        ),
    ),
}


class Untouchable(UnitOfWorkFactory):
    """Storage that fails the test as soon as a use case opens a unit of work."""

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        raise AssertionError("the use case reached the storage before checking the scope")


def eur(minor_units: int) -> Money:
    return Money(minor_units, Currency.EUR)


async def opened_by(use_cases: UseCases, owner: Principal, funds: int = 0) -> Account:
    opened = await use_cases.open_account(
        owner, OpenAccountRequest(f"{owner.subject}@example.com", Currency.EUR)
    )
    account = opened.result
    if funds:
        funding = DepositRequest(account.id, eur(funds), f"fund-{account.id}")
        account = (await use_cases.deposit(TREASURER, funding)).result
    return account


async def refusal(attempt: Awaitable[object]) -> str:
    """The message of the ``AccountNotFound`` that ``attempt`` raises."""
    with pytest.raises(AccountNotFound) as refused:
        await attempt
    return str(refused.value)


def as_if_about(message: str, unknown: AccountId, account: Account) -> str:
    """``message``, an error about the unknown id, as it would read about ``account``."""
    assert str(unknown) in message
    return message.replace(str(unknown), str(account.id))


class TestScopes:
    @pytest.mark.parametrize("use_case", CALLS)
    async def test_without_its_scope_a_use_case_is_refused_before_touching_storage(
        self, use_case: str
    ) -> None:
        """Every other scope granted, so only the missing one can be the reason."""
        needed, call = CALLS[use_case]
        principal = Principal("mallory", frozenset(Scope) - {needed})

        with pytest.raises(PermissionDenied) as refused:
            await call(UseCases.wired_to(Untouchable()), principal)

        assert refused.value.scope == needed

    async def test_reading_needs_the_read_scope_and_nothing_else(self, use_cases: UseCases) -> None:
        account = await opened_by(use_cases, Principal.of("carol", "ledger:write"), funds=5)
        reader = Principal.of("carol", "ledger:read")

        assert (await use_cases.get_account(reader, account.id)).balance == eur(5)
        assert (
            await use_cases.list_transfers(reader, ListTransfersRequest(account.id))
        ).lines == []

    async def test_moving_money_needs_the_write_scope_and_nothing_else(
        self, use_cases: UseCases
    ) -> None:
        writer = Principal.of("carol", "ledger:write")
        source, destination = await opened_by(use_cases, writer, 5), await opened_by(use_cases, BOB)

        outcome = await use_cases.transfer_funds(
            writer, TransferRequest(source.id, destination.id, eur(5), "t-1")
        )

        assert outcome.result.amount == eur(5)


class TestOwnership:
    async def test_an_account_belongs_to_the_subject_who_opened_it(
        self, use_cases: UseCases
    ) -> None:
        account = await opened_by(use_cases, ALICE)

        assert account.owner == ALICE.subject
        assert (await use_cases.get_account(ALICE, account.id)).owner == ALICE.subject

    async def test_another_subjects_account_reads_as_missing(self, use_cases: UseCases) -> None:
        alices, unknown = await opened_by(use_cases, ALICE), new_account_id()

        hidden = await refusal(use_cases.get_account(BOB, alices.id))
        missing = await refusal(use_cases.get_account(BOB, unknown))

        assert hidden == as_if_about(missing, unknown, alices)

    async def test_another_subjects_transfers_read_as_missing(self, use_cases: UseCases) -> None:
        alices, unknown = await opened_by(use_cases, ALICE, 10), new_account_id()
        bobs = await opened_by(use_cases, BOB)
        await use_cases.transfer_funds(ALICE, TransferRequest(alices.id, bobs.id, eur(1), "t-2"))

        hidden = await refusal(use_cases.list_transfers(BOB, ListTransfersRequest(alices.id)))
        missing = await refusal(use_cases.list_transfers(BOB, ListTransfersRequest(unknown)))

        assert hidden == as_if_about(missing, unknown, alices)

    async def test_money_cannot_leave_another_subjects_account(self, use_cases: UseCases) -> None:
        alices, bobs, unknown = (
            await opened_by(use_cases, ALICE, 100),
            await opened_by(use_cases, BOB),
            new_account_id(),
        )

        hidden = await refusal(
            use_cases.transfer_funds(BOB, TransferRequest(alices.id, bobs.id, eur(100), "t-3"))
        )
        missing = await refusal(
            use_cases.transfer_funds(BOB, TransferRequest(unknown, bobs.id, eur(100), "t-4"))
        )

        assert hidden == as_if_about(missing, unknown, alices)
        assert (await use_cases.get_account(ALICE, alices.id)).balance == eur(100)
        assert (await use_cases.get_account(BOB, bobs.id)).balance == eur(0)
        assert (await use_cases.list_transfers(ALICE, ListTransfersRequest(alices.id))).lines == []

    async def test_money_may_go_to_anyone_s_account(self, use_cases: UseCases) -> None:
        alices, bobs = await opened_by(use_cases, ALICE, 100), await opened_by(use_cases, BOB)

        await use_cases.transfer_funds(ALICE, TransferRequest(alices.id, bobs.id, eur(30), "t-5"))

        assert (await use_cases.get_account(BOB, bobs.id)).balance == eur(30)

    async def test_an_administrator_deposits_into_anyone_s_account(
        self, use_cases: UseCases
    ) -> None:
        alices, bobs = await opened_by(use_cases, ALICE), await opened_by(use_cases, BOB)

        await use_cases.deposit(TREASURER, DepositRequest(alices.id, eur(7), "d-2"))
        await use_cases.deposit(TREASURER, DepositRequest(bobs.id, eur(9), "d-3"))

        assert (await use_cases.get_account(ALICE, alices.id)).balance == eur(7)
        assert (await use_cases.get_account(BOB, bobs.id)).balance == eur(9)


class TestIdempotencyKeysAreEachSubjectsOwn:
    async def test_the_same_key_from_two_subjects_makes_two_transfers(
        self, use_cases: UseCases
    ) -> None:
        alices, bobs = await opened_by(use_cases, ALICE, 100), await opened_by(use_cases, BOB, 100)

        from_alice = await use_cases.transfer_funds(
            ALICE, TransferRequest(alices.id, bobs.id, eur(10), idempotency_key="order-1")
        )
        from_bob = await use_cases.transfer_funds(
            BOB, TransferRequest(bobs.id, alices.id, eur(3), idempotency_key="order-1")
        )

        assert (from_alice.replayed, from_bob.replayed) == (False, False)
        assert from_alice.result.id != from_bob.result.id
        assert (await use_cases.get_account(ALICE, alices.id)).balance == eur(93)
        assert (await use_cases.get_account(BOB, bobs.id)).balance == eur(107)

    async def test_the_same_key_from_the_same_subject_replays_its_outcome(
        self, use_cases: UseCases
    ) -> None:
        alices, bobs = await opened_by(use_cases, ALICE, 100), await opened_by(use_cases, BOB)
        request = TransferRequest(alices.id, bobs.id, eur(10), idempotency_key="order-1")

        first = await use_cases.transfer_funds(ALICE, request)
        again = await use_cases.transfer_funds(ALICE, request)

        assert (again.replayed, again.result) == (True, first.result)
        assert (await use_cases.get_account(ALICE, alices.id)).balance == eur(90)

    async def test_replaying_another_subjects_request_and_key_reveals_nothing(
        self, use_cases: UseCases
    ) -> None:
        """Bob, who guessed Alice's key and accounts, gets no replay of her transfer."""
        alices, bobs = await opened_by(use_cases, ALICE, 100), await opened_by(use_cases, BOB)
        request = TransferRequest(alices.id, bobs.id, eur(10), idempotency_key="order-1")
        await use_cases.transfer_funds(ALICE, request)

        with pytest.raises(AccountNotFound):
            await use_cases.transfer_funds(BOB, request)

        assert (await use_cases.get_account(ALICE, alices.id)).balance == eur(90)


class TestWhatIsDisclosedAndRecorded:
    async def test_a_listing_names_the_counterpart_account_by_id_only(
        self, use_cases: UseCases
    ) -> None:
        alices, bobs = await opened_by(use_cases, ALICE, 100), await opened_by(use_cases, BOB)
        await use_cases.transfer_funds(ALICE, TransferRequest(alices.id, bobs.id, eur(10), "t-6"))

        page = await use_cases.list_transfers(ALICE, ListTransfersRequest(alices.id))

        assert [line.counterpart_id for line in page.lines] == [bobs.id]
        assert bobs.owner_email not in repr(page), "the counterpart's owner was disclosed"

    async def test_every_audit_entry_names_the_subject_who_acted(
        self, use_cases: UseCases, unit_of_work: MemoryUnitOfWorkFactory
    ) -> None:
        alices, bobs = await opened_by(use_cases, ALICE, 100), await opened_by(use_cases, BOB)
        made = await use_cases.transfer_funds(
            ALICE, TransferRequest(alices.id, bobs.id, eur(1), "t-7")
        )

        stored = MemoryStoredState(unit_of_work.store)
        of_account = await stored.audit_entries(str(alices.id))
        of_transfer = await stored.audit_entries(str(made.result.id))

        assert {(entry.action, entry.details["actor"]) for entry in of_account} == {
            ("account.opened", ALICE.subject),
            ("deposit.made", TREASURER.subject),
        }
        assert [(entry.action, entry.details["actor"]) for entry in of_transfer] == [
            ("transfer.completed", ALICE.subject)
        ]
