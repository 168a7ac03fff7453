"""The ``Idempotency-Key`` header over HTTP: a client that gets no answer retries with the
{%- if cookiecutter.example == "ledger" %}
same key, and money moves exactly once, whatever happened to the first attempt.

Requests that move money need a key; a retry answers as the first request was answered,
marked ``Idempotent-Replayed: true``; a request cut short by the deadline says that only
such a retry can tell whether it was applied, and the retry does tell, whether the commit
happened or not, and even after the service restarted.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sqlite3
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from types import TracebackType
from typing import Any, Self

import httpx
import pytest
from sqlalchemy.engine import make_url

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.bootstrap import Service, bootstrap, create_app, http_app
from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.errors import RequestInProgress
from {{ cookiecutter.package_name }}.domain.ids import AccountId
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.domain.transfer import Transfer
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.usecases.idempotency import Outcome
from {{ cookiecutter.package_name }}.usecases.transfer_funds import TransferRequest
from tests.api.api_client import client_of, running
from tests.api.tokens import api_settings, as_admin, as_owner
from tests.fakes import ManualClock

REPLAYED = "Idempotent-Replayed"
DEADLINE = 1.0
"""The request deadline of the tests that outlast it: a request here takes milliseconds,
so only the stalled one meets it, even on a busy machine."""
STALL_SECONDS = 60.0
"""Far past ``DEADLINE``: a stall that only the deadline ends."""
PURGE_INTERVAL_SECONDS = 0.05
WAIT_SECONDS = 10.0
"""The longest a test waits for background work; reached only when it is broken."""


def new_key() -> str:
    return str(uuid.uuid4())


async def open_account(client: httpx.AsyncClient, key: str | None = None) -> httpx.Response:
    headers = as_owner() | ({"Idempotency-Key": key} if key is not None else {})
    body = {"owner_email": "a@example.com", "currency": "EUR"}
    return await client.post("/accounts", json=body, headers=headers)


async def deposit(
    client: httpx.AsyncClient, account_id: str, amount: int, key: str | None
) -> httpx.Response:
    headers = as_admin() | ({"Idempotency-Key": key} if key is not None else {})
    body = {"amount_minor_units": amount, "currency": "EUR"}
    return await client.post(f"/accounts/{account_id}/deposits", json=body, headers=headers)


async def transfer(
    client: httpx.AsyncClient, source: str, destination: str, amount: int, key: str | None
) -> httpx.Response:
    headers = as_owner() | ({"Idempotency-Key": key} if key is not None else {})
    body = {
        "source_account_id": source,
        "destination_account_id": destination,
        "amount_minor_units": amount,
        "currency": "EUR",
    }
    return await client.post("/transfers", json=body, headers=headers)


async def opened(client: httpx.AsyncClient) -> str:
    response = await open_account(client)
    assert response.status_code == 201, response.text
    account_id: str = response.json()["id"]
    return account_id


async def funded_pair(client: httpx.AsyncClient, minor_units: int = 100) -> tuple[str, str]:
    """A source account holding ``minor_units`` and an empty destination, both the owner's."""
    source, destination = await opened(client), await opened(client)
    response = await deposit(client, source, minor_units, new_key())
    assert response.status_code == 200, response.text
    return source, destination


async def balance(client: httpx.AsyncClient, account_id: str) -> int:
    response = await client.get(f"/accounts/{account_id}", headers=as_owner())
    assert response.status_code == 200, response.text
    minor_units: int = response.json()["balance_minor_units"]
    return minor_units


async def transfers_of(client: httpx.AsyncClient, account_id: str) -> list[dict[str, Any]]:
    """The transfers in and out of ``account_id``, as the API answered each one."""
    response = await client.get(f"/accounts/{account_id}/transfers", headers=as_owner())
    assert response.status_code == 200, response.text
    return [item["transfer"] for item in response.json()["items"]]


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


class TestTheKeyIsRequiredWhereMoneyMoves:
    async def test_a_transfer_without_a_key_is_a_400_and_moves_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        source, destination = await funded_pair(client)

        response = await transfer(client, source, destination, 40, key=None)

        assert response.status_code == 400
        assert error_code(response) == "idempotency_key_required"
        assert (await balance(client, source), await balance(client, destination)) == (100, 0)
        assert await transfers_of(client, source) == []

    async def test_a_deposit_without_a_key_is_a_400_and_credits_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        account = await opened(client)

        response = await deposit(client, account, 100, key=None)

        assert response.status_code == 400
        assert error_code(response) == "idempotency_key_required"
        assert await balance(client, account) == 0

    async def test_an_account_may_be_opened_without_a_key(self, client: httpx.AsyncClient) -> None:
        """No money moves: a lost answer costs at most an empty account."""
        response = await open_account(client, key=None)

        assert response.status_code == 201, response.text
        assert REPLAYED not in response.headers

    @pytest.mark.parametrize("key", ["", "has space", "\x7f", "k" * 256], ids=repr)
    async def test_a_key_that_is_not_1_to_255_printable_characters_is_a_validation_error(
        self, memory_client: httpx.AsyncClient, key: str
    ) -> None:
        account = await opened(memory_client)

        response = await deposit(memory_client, account, 100, key)

        assert response.status_code == 422
        assert error_code(response) == "validation_error"
        assert await balance(memory_client, account) == 0


class TestARetryIsAnsweredAsTheFirstRequestWas:
    async def test_a_replayed_transfer_gets_the_same_status_and_body_marked_replayed(
        self, client: httpx.AsyncClient
    ) -> None:
        source, destination = await funded_pair(client)
        key = new_key()

        first = await transfer(client, source, destination, 40, key)
        retry = await transfer(client, source, destination, 40, key)

        assert (first.status_code, retry.status_code) == (201, 201)
        assert retry.json() == first.json()
        assert REPLAYED not in first.headers
        assert retry.headers[REPLAYED] == "true"
        assert (await balance(client, source), await balance(client, destination)) == (60, 40)
        assert len(await transfers_of(client, source)) == 1

    async def test_a_replayed_deposit_answers_the_balance_right_after_it(
        self, client: httpx.AsyncClient
    ) -> None:
        """The answer the client missed, not today's balance: a later deposit is not in it."""
        account = await opened(client)
        key = new_key()

        first = await deposit(client, account, 100, key)
        await deposit(client, account, 50, new_key())
        retry = await deposit(client, account, 100, key)

        assert (first.status_code, retry.status_code) == (200, 200)
        assert retry.json() == first.json()
        assert retry.json()["balance_minor_units"] == 100
        assert REPLAYED not in first.headers
        assert retry.headers[REPLAYED] == "true"
        assert await balance(client, account) == 150

    async def test_a_replayed_account_opening_opens_no_second_account(
        self, client: httpx.AsyncClient
    ) -> None:
        key = new_key()

        first = await open_account(client, key)
        retry = await open_account(client, key)

        assert (first.status_code, retry.status_code) == (201, 201)
        assert retry.json() == first.json()
        assert REPLAYED not in first.headers
        assert retry.headers[REPLAYED] == "true"

    async def test_the_same_key_with_another_transfer_is_a_422_and_moves_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        source, destination = await funded_pair(client)
        key = new_key()
        await transfer(client, source, destination, 40, key)

        response = await transfer(client, source, destination, 41, key)

        assert response.status_code == 422
        assert error_code(response) == "idempotency_key_reused"
        assert REPLAYED not in response.headers
        assert (await balance(client, source), await balance(client, destination)) == (60, 40)

    async def test_the_same_key_with_another_deposit_is_a_422_and_credits_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        account = await opened(client)
        key = new_key()
        await deposit(client, account, 100, key)

        response = await deposit(client, account, 200, key)

        assert response.status_code == 422
        assert error_code(response) == "idempotency_key_reused"
        assert await balance(client, account) == 100


async def never_answers(_principal: Principal, _request: TransferRequest) -> Outcome[Transfer]:
    await asyncio.sleep(STALL_SECONDS)
    raise AssertionError("the deadline should have ended this request")


async def never_reads(_principal: Principal, _account_id: AccountId) -> Account:
    await asyncio.sleep(STALL_SECONDS)
    raise AssertionError("the deadline should have ended this request")


async def still_running(_principal: Principal, _request: TransferRequest) -> Outcome[Transfer]:
    raise RequestInProgress("the first request sent with this Idempotency-Key is still running")


def memory_service(settings: Settings, **use_cases: Any) -> Service:
    """The service over memory storage, with some use cases replaced by stand-ins."""
    service = bootstrap(settings, unit_of_work=MemoryUnitOfWorkFactory())
    return dataclasses.replace(
        service, use_cases=dataclasses.replace(service.use_cases, **use_cases)
    )


ANY_TRANSFER = {
    "source_account_id": str(uuid.UUID(int=1)),
    "destination_account_id": str(uuid.UUID(int=2)),
    "amount_minor_units": 1,
    "currency": "EUR",
}


class TestARequestWhoseFirstAttemptIsStillRunning:
    async def test_is_a_409_that_says_when_to_retry(self) -> None:
        settings = api_settings()
        app = http_app(memory_service(settings, transfer_funds=still_running), settings)

        async with client_of(app) as client:
            response = await client.post(
                "/transfers", json=ANY_TRANSFER, headers=as_owner() | {"Idempotency-Key": "k"}
            )

        assert response.status_code == 409
        assert error_code(response) == "request_in_progress"
        assert int(response.headers["Retry-After"]) > 0


class TestTheDeadline:
    async def test_a_write_cut_short_says_its_outcome_is_unknown_and_how_to_learn_it(
        self,
    ) -> None:
        settings = api_settings(request_timeout_seconds=DEADLINE)
        app = http_app(memory_service(settings, transfer_funds=never_answers), settings)

        async with client_of(app) as client:
            response = await client.post(
                "/transfers", json=ANY_TRANSFER, headers=as_owner() | {"Idempotency-Key": "k"}
            )

        assert response.status_code == 504
        assert error_code(response) == "outcome_unknown"
        assert "retry it with the same Idempotency-Key" in response.json()["error"]["message"]

    async def test_a_read_cut_short_is_a_plain_timeout(self) -> None:
        """A read changed nothing, so there is no outcome to be unsure of."""
        settings = api_settings(request_timeout_seconds=DEADLINE)
        app = http_app(memory_service(settings, get_account=never_reads), settings)

        async with client_of(app) as client:
            response = await client.get(f"/accounts/{uuid.UUID(int=1)}", headers=as_owner())

        assert response.status_code == 504
        assert error_code(response) == "request_timeout"


class LateCommits(UnitOfWorkFactory):
    """Units of work of which the next commit, once ``armed``, stalls past any deadline:
    after committing (the work is durable, the answer late) or before (nothing is)."""

    def __init__(self, inner: UnitOfWorkFactory, *, stall_after_commit: bool) -> None:
        self.inner = inner
        self.stall_after_commit = stall_after_commit
        self.armed = False

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        return _LateCommit(self.inner(read_only=read_only), self)


class _LateCommit(UnitOfWork):
    def __init__(self, inner: UnitOfWork, late: LateCommits) -> None:
        self._inner = inner
        self._late = late

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        self.accounts = self._inner.accounts
        self.transfers = self._inner.transfers
        self.audit_log = self._inner.audit_log
        self.outbox = self._inner.outbox
        self.idempotency = self._inner.idempotency
        # add_aggregate: repositories
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, traceback)

    async def commit(self) -> None:
        stall, self._late.armed = self._late.armed, False
        if stall and not self._late.stall_after_commit:
            await asyncio.sleep(STALL_SECONDS)
        await self._inner.commit()
        if stall and self._late.stall_after_commit:
            await asyncio.sleep(STALL_SECONDS)

    async def rollback(self) -> None:
        await self._inner.rollback()


@contextlib.asynccontextmanager
async def late_commits(
    settings: Settings, *, stall_after_commit: bool
) -> AsyncIterator[tuple[httpx.AsyncClient, LateCommits]]:
    """The app over the SQLite file of ``settings``, its commits in the test's hands.

    Its lifespan is not started: the relay would commit too, and might meet the stall.
    """
    settings = settings.model_copy(update={"request_timeout_seconds": DEADLINE})
    engine = create_engine(settings.database_url)
    late = LateCommits(SqlUnitOfWorkFactory(engine), stall_after_commit=stall_after_commit)
    try:
        async with client_of(http_app(bootstrap(settings, unit_of_work=late), settings)) as client:
            yield client, late
    finally:
        await engine.dispose()


class TestACommitSlowedPastTheDeadline:
    async def test_that_committed_is_replayed_by_the_retry_and_moved_money_once(
        self, settings: Settings
    ) -> None:
        async with late_commits(settings, stall_after_commit=True) as (client, late):
            source, destination = await funded_pair(client)
            key = new_key()
            late.armed = True

            first = await transfer(client, source, destination, 40, key)
            retry = await transfer(client, source, destination, 40, key)

            [stored] = await transfers_of(client, source)
            moved = (await balance(client, source), await balance(client, destination))

        assert (first.status_code, error_code(first)) == (504, "outcome_unknown")
        assert retry.status_code == 201, retry.text
        assert retry.headers[REPLAYED] == "true"
        assert retry.json() == stored
        assert moved == (60, 40)

    async def test_that_never_committed_is_applied_by_the_retry_and_moved_money_once(
        self, settings: Settings
    ) -> None:
        async with late_commits(settings, stall_after_commit=False) as (client, late):
            source, destination = await funded_pair(client)
            key = new_key()
            late.armed = True

            first = await transfer(client, source, destination, 40, key)
            retry = await transfer(client, source, destination, 40, key)

            [stored] = await transfers_of(client, source)
            moved = (await balance(client, source), await balance(client, destination))

        assert (first.status_code, error_code(first)) == (504, "outcome_unknown")
        assert retry.status_code == 201, retry.text
        assert REPLAYED not in retry.headers
        assert retry.json() == stored
        assert moved == (60, 40)


class TestKeysOutliveTheProcess:
    async def test_a_retry_after_a_restart_is_replayed(self, settings: Settings) -> None:
        key = new_key()
        async with running(create_app(settings)) as before:
            source, destination = await funded_pair(before)
            first = await transfer(before, source, destination, 40, key)

        async with running(create_app(settings)) as after:
            retry = await transfer(after, source, destination, 40, key)
            moved = (await balance(after, source), await balance(after, destination))

        assert (first.status_code, retry.status_code) == (201, 201)
        assert retry.json() == first.json()
        assert retry.headers[REPLAYED] == "true"
        assert moved == (60, 40)


def stored_key_count(settings: Settings, key: str) -> int:
    """Rows under ``key`` in the ``idempotency_keys`` table, read beside the app."""
    path = make_url(settings.database_url).database
    assert path is not None
    with contextlib.closing(sqlite3.connect(path)) as database:
        [(count,)] = database.execute(
            "SELECT count(*) FROM idempotency_keys WHERE key = ?", (key,)
        ).fetchall()
    return int(count)


async def wait_until_purged(settings: Settings, key: str) -> None:
    """Poll the table until ``key`` is gone; fail if it is still there after a while."""
    for _ in range(round(WAIT_SECONDS / PURGE_INTERVAL_SECONDS)):
        if stored_key_count(settings, key) == 0:
            return
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)
    pytest.fail(f"the key was not purged within {WAIT_SECONDS:g} s of its expiry")


class TestExpiredKeysArePurgedByTheRunningService:
    async def test_a_key_is_kept_for_its_retention_then_deleted_in_the_background(
        self, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A pinned clock decides when the key expires, the retention of the settings how
        long it lives; the service's own purge, running every
        ``IDEMPOTENCY_KEY_PURGE_INTERVAL_SECONDS``, deletes it."""
        monkeypatch.setenv("IDEMPOTENCY_KEY_RETENTION_HOURS", "2")
        monkeypatch.setenv("IDEMPOTENCY_KEY_PURGE_INTERVAL_SECONDS", str(PURGE_INTERVAL_SECONDS))
        settings = api_settings(database_url=settings.database_url)
        clock = ManualClock()
        key = new_key()

        async with running(http_app(bootstrap(settings, clock=clock), settings)) as client:
            first = await open_account(client, key)
            clock.advance(timedelta(hours=2) - timedelta(seconds=1))
            await asyncio.sleep(5 * PURGE_INTERVAL_SECONDS)  # purges that must not touch it
            kept = stored_key_count(settings, key)
            clock.advance(timedelta(seconds=1))
            await wait_until_purged(settings, key)

            again = await open_account(client, key)

        assert first.status_code == 201, first.text
        assert kept == 1
        assert again.status_code == 201, again.text
        assert REPLAYED not in again.headers
        assert again.json()["id"] != first.json()["id"]


@pytest.fixture(scope="module")
def operations() -> dict[str, dict[str, Any]]:
    """The operations of the schema /openapi.json serves, by id; building it connects to
    nothing."""
    schema = create_app(api_settings()).openapi()
    return {
        operation["operationId"]: operation
        for by_method in schema["paths"].values()
        for operation in by_method.values()
    }


class TestTheSchema:
    @staticmethod
    def key_parameter(operation: dict[str, Any]) -> dict[str, Any]:
        parameter: dict[str, Any]
        [parameter] = [
            parameter
            for parameter in operation["parameters"]
            if parameter["in"] == "header" and parameter["name"] == "Idempotency-Key"
        ]
        return parameter

    @pytest.mark.parametrize("operation_id", ["transfer_funds", "deposit"])
    def test_operations_that_move_money_require_a_key_and_declare_what_it_may_answer(
        self, operations: dict[str, dict[str, Any]], operation_id: str
    ) -> None:
        operation = operations[operation_id]
        responses = operation["responses"]

        assert self.key_parameter(operation)["required"] is True
        assert "idempotency_key_required" in responses["400"]["description"]
        assert "request_in_progress" in responses["409"]["description"]
        assert "idempotency_key_reused" in responses["422"]["description"]
        assert "outcome_unknown" in responses["504"]["description"]

    def test_opening_an_account_takes_a_key_but_does_not_require_one(
        self, operations: dict[str, dict[str, Any]]
    ) -> None:
        operation = operations["open_account"]
        responses = operation["responses"]

        assert self.key_parameter(operation).get("required", False) is False
        assert "idempotency_key_required" not in responses["400"]["description"]
        assert "request_in_progress" in responses["409"]["description"]
        assert "idempotency_key_reused" in responses["422"]["description"]
        assert "outcome_unknown" in responses["504"]["description"]

    @pytest.mark.parametrize("operation_id", ["get_account", "list_transfers"])
    def test_reads_take_no_key(
        self, operations: dict[str, dict[str, Any]], operation_id: str
    ) -> None:
        parameters = operations[operation_id].get("parameters", [])

        assert "Idempotency-Key" not in {parameter["name"] for parameter in parameters}

    @pytest.mark.parametrize(
        ("operation_id", "success"),
        [("open_account", "201"), ("deposit", "200"), ("transfer_funds", "201")],
    )
    def test_keyed_operations_declare_the_headers_a_retry_may_read(
        self, operations: dict[str, dict[str, Any]], operation_id: str, success: str
    ) -> None:
        """Declared, so generated clients expose them and the fuzz tier's
        ``response_headers_conformance`` check holds the answers to them."""
        responses = operations[operation_id]["responses"]

        assert responses[success]["headers"]["Idempotent-Replayed"]["schema"]["enum"] == ["true"]
        assert responses["409"]["headers"]["Retry-After"]["schema"]["type"] == "integer"
{%- else %}
same key, and the work is done exactly once, whatever happened to the first attempt. The
route is the tests' own ``POST /notes`` (``tests/api/notes.py``).

A route that requires a key refuses a request without one; a retry answers as the first
request was answered, marked ``Idempotent-Replayed: true``; a request cut short by the
deadline says that only such a retry can tell whether it was applied, and the retry does
tell, whether the commit happened or not, and even after the service restarted.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from types import TracebackType
from typing import Any, Self

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.bootstrap import bootstrap, http_app
from {{ cookiecutter.package_name }}.domain.errors import RequestInProgress
from {{ cookiecutter.package_name }}.domain.ports.clock import utc_now
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.usecases.idempotency import Outcome
from tests.api.api_client import client_of, new_key, running
from tests.api.notes import WriteNoteRequest, notes_router, with_notes, write, written
from tests.api.tokens import api_settings, as_owner
from tests.fakes import ManualClock

REPLAYED = "Idempotent-Replayed"
DEADLINE = 1.0
"""The request deadline of the tests that outlast it: a request here takes milliseconds,
so only the stalled one meets it, even on a busy machine."""
STALL_SECONDS = 60.0
"""Far past ``DEADLINE``: a stall that only the deadline ends."""
PURGE_INTERVAL_SECONDS = 0.05
WAIT_SECONDS = 10.0
"""The longest a test waits for background work; reached only when it is broken."""


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def notes_app(
    settings: Settings | None = None, unit_of_work: UnitOfWorkFactory | None = None
) -> tuple[FastAPI, UnitOfWorkFactory]:
    """The service's app with ``POST /notes``, over ``unit_of_work`` (memory by default)."""
    settings = settings or api_settings()
    unit_of_work = unit_of_work or MemoryUnitOfWorkFactory()
    app = http_app(bootstrap(settings, unit_of_work=unit_of_work), settings)
    return with_notes(app, unit_of_work), unit_of_work


class TestTheKeyIsRequiredWhereTheRouteSaysSo:
    async def test_a_write_without_a_key_is_a_400_and_does_nothing(self) -> None:
        app, unit_of_work = notes_app()

        async with client_of(app) as client:
            response = await write(client, key=None)

        assert response.status_code == 400
        assert error_code(response) == "idempotency_key_required"
        assert await written(unit_of_work) == 0

    @pytest.mark.parametrize("key", ["", "has space", "\x7f", "k" * 256], ids=repr)
    async def test_a_key_that_is_not_1_to_255_printable_characters_is_a_validation_error(
        self, key: str
    ) -> None:
        app, unit_of_work = notes_app()

        async with client_of(app) as client:
            response = await write(client, key=key)

        assert response.status_code == 422
        assert error_code(response) == "validation_error"
        assert await written(unit_of_work) == 0


class TestARetryIsAnsweredAsTheFirstRequestWas:
    async def test_a_replay_gets_the_same_status_and_body_marked_replayed(self) -> None:
        app, unit_of_work = notes_app()
        key = new_key()

        async with client_of(app) as client:
            first = await write(client, key=key)
            retry = await write(client, key=key)

        assert (first.status_code, retry.status_code) == (201, 201)
        assert retry.json() == first.json()
        assert REPLAYED not in first.headers
        assert retry.headers[REPLAYED] == "true"
        assert await written(unit_of_work) == 1

    async def test_the_same_key_with_another_request_is_a_422_and_does_nothing(self) -> None:
        app, unit_of_work = notes_app()
        key = new_key()

        async with client_of(app) as client:
            await write(client, "first", key=key)
            response = await write(client, "second", key=key)

        assert response.status_code == 422
        assert error_code(response) == "idempotency_key_reused"
        assert REPLAYED not in response.headers
        assert await written(unit_of_work) == 1

    async def test_keys_are_the_caller_s_own(self) -> None:
        """Another subject's request under the same key is a request of its own."""
        app, unit_of_work = notes_app()

        async with client_of(app) as client:
            alices = await write(client, key="shared")
            bobs = await write(client, key="shared", **as_owner("bob"))

        assert (alices.status_code, bobs.status_code) == (201, 201)
        assert bobs.json()["id"] != alices.json()["id"]
        assert await written(unit_of_work) == 2


async def still_running(_principal: Principal, _request: WriteNoteRequest) -> Outcome[str]:
    raise RequestInProgress("the first request sent with this Idempotency-Key is still running")


class TestARequestWhoseFirstAttemptIsStillRunning:
    async def test_is_a_409_that_says_when_to_retry(self) -> None:
        settings = api_settings()
        app = http_app(bootstrap(settings, unit_of_work=MemoryUnitOfWorkFactory()), settings)
        app.include_router(notes_router(still_running))

        async with client_of(app) as client:
            response = await write(client)

        assert response.status_code == 409
        assert error_code(response) == "request_in_progress"
        assert int(response.headers["Retry-After"]) > 0


class LateCommits(UnitOfWorkFactory):
    """Units of work of which the next commit, once ``armed``, stalls past any deadline:
    after committing (the work is durable, the answer late) or before (nothing is)."""

    def __init__(self, inner: UnitOfWorkFactory, *, stall_after_commit: bool) -> None:
        self.inner = inner
        self.stall_after_commit = stall_after_commit
        self.armed = False

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        return _LateCommit(self.inner(read_only=read_only), self)


class _LateCommit(UnitOfWork):
    def __init__(self, inner: UnitOfWork, late: LateCommits) -> None:
        self._inner = inner
        self._late = late

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        self.audit_log = self._inner.audit_log
        self.outbox = self._inner.outbox
        self.idempotency = self._inner.idempotency
        # add_aggregate: repositories
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, traceback)

    async def commit(self) -> None:
        stall, self._late.armed = self._late.armed, False
        if stall and not self._late.stall_after_commit:
            await asyncio.sleep(STALL_SECONDS)
        await self._inner.commit()
        if stall and self._late.stall_after_commit:
            await asyncio.sleep(STALL_SECONDS)

    async def rollback(self) -> None:
        await self._inner.rollback()


@contextlib.asynccontextmanager
async def late_commits(
    settings: Settings, *, stall_after_commit: bool
) -> AsyncIterator[tuple[httpx.AsyncClient, LateCommits]]:
    """The app over the SQLite file of ``settings``, its commits in the test's hands.

    Its lifespan is not started: the relay would commit too, and might meet the stall.
    """
    settings = settings.model_copy(update={"request_timeout_seconds": DEADLINE})
    engine = create_engine(settings.database_url)
    late = LateCommits(SqlUnitOfWorkFactory(engine), stall_after_commit=stall_after_commit)
    try:
        app, _ = notes_app(settings, late)
        async with client_of(app) as client:
            yield client, late
    finally:
        await engine.dispose()


class TestACommitSlowedPastTheDeadline:
    async def test_that_committed_is_replayed_by_the_retry_and_done_once(
        self, settings: Settings
    ) -> None:
        async with late_commits(settings, stall_after_commit=True) as (client, late):
            key = new_key()
            late.armed = True

            first = await write(client, key=key)
            retry = await write(client, key=key)

            done = await written(late.inner)

        assert (first.status_code, error_code(first)) == (504, "outcome_unknown")
        assert "retry it with the same Idempotency-Key" in first.json()["error"]["message"]
        assert retry.status_code == 201, retry.text
        assert retry.headers[REPLAYED] == "true"
        assert done == 1

    async def test_that_never_committed_is_applied_by_the_retry_and_done_once(
        self, settings: Settings
    ) -> None:
        async with late_commits(settings, stall_after_commit=False) as (client, late):
            key = new_key()
            late.armed = True

            first = await write(client, key=key)
            retry = await write(client, key=key)

            done = await written(late.inner)

        assert (first.status_code, error_code(first)) == (504, "outcome_unknown")
        assert retry.status_code == 201, retry.text
        assert REPLAYED not in retry.headers
        assert done == 1


@contextlib.asynccontextmanager
async def sqlite_notes(
    settings: Settings, clock: ManualClock | None = None
) -> AsyncIterator[tuple[httpx.AsyncClient, UnitOfWorkFactory]]:
    """The service with ``POST /notes`` over the SQLite file of ``settings``, running."""
    engine = create_engine(settings.database_url)
    unit_of_work = SqlUnitOfWorkFactory(engine)
    service = bootstrap(settings, unit_of_work=unit_of_work, clock=clock or utc_now)
    retention = timedelta(hours=settings.idempotency_key_retention_hours)
    app = with_notes(http_app(service, settings), unit_of_work, clock or utc_now, retention)
    try:
        async with running(app) as client:
            yield client, unit_of_work
    finally:
        await engine.dispose()


class TestKeysOutliveTheProcess:
    async def test_a_retry_after_a_restart_is_replayed(self, settings: Settings) -> None:
        key = new_key()
        async with sqlite_notes(settings) as (before, _):
            first = await write(before, key=key)

        async with sqlite_notes(settings) as (after, _):
            retry = await write(after, key=key)

        assert (first.status_code, retry.status_code) == (201, 201)
        assert retry.json() == first.json()
        assert retry.headers[REPLAYED] == "true"


def stored_key_count(settings: Settings, key: str) -> int:
    """Rows under ``key`` in the ``idempotency_keys`` table, read beside the app."""
    path = make_url(settings.database_url).database
    assert path is not None
    with contextlib.closing(sqlite3.connect(path)) as database:
        [(count,)] = database.execute(
            "SELECT count(*) FROM idempotency_keys WHERE key = ?", (key,)
        ).fetchall()
    return int(count)


async def wait_until_purged(settings: Settings, key: str) -> None:
    """Poll the table until ``key`` is gone; fail if it is still there after a while."""
    for _ in range(round(WAIT_SECONDS / PURGE_INTERVAL_SECONDS)):
        if stored_key_count(settings, key) == 0:
            return
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)
    pytest.fail(f"the key was not purged within {WAIT_SECONDS:g} s of its expiry")


class TestExpiredKeysArePurgedByTheRunningService:
    async def test_a_key_is_kept_for_its_retention_then_deleted_in_the_background(
        self, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A pinned clock decides when the key expires, the retention of the settings how
        long it lives; the service's own purge, running every
        ``IDEMPOTENCY_KEY_PURGE_INTERVAL_SECONDS``, deletes it."""
        monkeypatch.setenv("IDEMPOTENCY_KEY_RETENTION_HOURS", "2")
        monkeypatch.setenv("IDEMPOTENCY_KEY_PURGE_INTERVAL_SECONDS", str(PURGE_INTERVAL_SECONDS))
        settings = api_settings(database_url=settings.database_url)
        clock = ManualClock()
        key = new_key()

        async with sqlite_notes(settings, clock) as (client, _):
            first = await write(client, key=key)
            clock.advance(timedelta(hours=2) - timedelta(seconds=1))
            await asyncio.sleep(5 * PURGE_INTERVAL_SECONDS)  # purges that must not touch it
            kept = stored_key_count(settings, key)
            clock.advance(timedelta(seconds=1))
            await wait_until_purged(settings, key)

            again = await write(client, key=key)

        assert first.status_code == 201, first.text
        assert kept == 1
        assert again.status_code == 201, again.text
        assert REPLAYED not in again.headers
        assert again.json()["id"] != first.json()["id"]


@pytest.fixture(scope="module")
def operation() -> dict[str, Any]:
    """``POST /notes`` in the schema the app serves; building it connects to nothing."""
    app, _ = notes_app()
    operation: dict[str, Any] = app.openapi()["paths"]["/notes"]["post"]
    return operation


class TestTheSchema:
    def test_a_route_that_requires_a_key_declares_it_and_what_it_may_answer(
        self, operation: dict[str, Any]
    ) -> None:
        responses = operation["responses"]
        [key] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]

        assert (key["in"], key["required"]) == ("header", True)
        assert "idempotency_key_required" in responses["400"]["description"]
        assert "request_in_progress" in responses["409"]["description"]
        assert "idempotency_key_reused" in responses["422"]["description"]
        assert "outcome_unknown" in responses["504"]["description"]

    def test_it_declares_the_headers_a_retry_may_read(self, operation: dict[str, Any]) -> None:
        """Declared, so generated clients expose them and the fuzz tier's
        ``response_headers_conformance`` check holds the answers to them."""
        responses = operation["responses"]

        assert responses["201"]["headers"]["Idempotent-Replayed"]["schema"]["enum"] == ["true"]
        assert responses["409"]["headers"]["Retry-After"]["schema"]["type"] == "integer"
{%- endif %}
