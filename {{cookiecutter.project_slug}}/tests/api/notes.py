"""A keyed write for the API tests of a service that starts without an example: the HTTP
mechanisms (authentication, ``Idempotency-Key``, errors, limits) need a route to act on.

``POST /notes`` takes a text under a required ``Idempotency-Key``; its use case, built
here the way ``make aggregate`` builds one, claims the key, puts one notice in the outbox
and answers a fresh id, in one unit of work. The outbox's backlog then counts how many
times the work really ran. The route is added to the real app only in these tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from fastapi import APIRouter, FastAPI, HTTPException, Response, status

from {{ cookiecutter.package_name }}.adapters.http.auth import Caller
from {{ cookiecutter.package_name }}.adapters.http.idempotency import (
    RequiredIdempotencyKey,
    mark_replayed,
)
from {{ cookiecutter.package_name }}.adapters.http.responses import (
    AUTHENTICATED,
    IDEMPOTENT,
    KEY_REQUIRED,
    REFUSED,
    STORAGE,
    VALIDATED,
    WITH_A_BODY,
    Responses,
    declared,
    replayable,
)
from {{ cookiecutter.package_name }}.adapters.http.schemas import Body, ErrorOut
from {{ cookiecutter.package_name }}.domain.idempotency import DEFAULT_RETENTION
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.domain.ports.clock import Clock, utc_now
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.usecases.access import require_scope
from {{ cookiecutter.package_name }}.usecases.idempotency import Idempotency, Outcome, Receipt
from tests.api.tokens import as_owner

NOTE_WRITTEN = "note.written"
NOT_KEPT: Responses = {404: {"model": ErrorOut, "description": "Notes are not kept (http_404)"}}


@dataclass(frozen=True, slots=True)
class WriteNoteRequest:
    text: str
    idempotency_key: str | None = None


def _same(note_id: str) -> str:
    return note_id


NOTE = Receipt(encode=_same, decode=_same)
"""The answer kept under a key: the id the note got."""


@dataclass(frozen=True, slots=True)
class WriteNote:
    unit_of_work: UnitOfWorkFactory
    clock: Clock = utc_now
    idempotency: Idempotency = field(default_factory=Idempotency)

    async def __call__(self, principal: Principal, request: WriteNoteRequest) -> Outcome[str]:
        require_scope(principal, Scope.WRITE)
        async with self.unit_of_work() as uow:
            outcome = await self.idempotency.run(
                uow,
                principal,
                request.idempotency_key,
                request,
                receipt=NOTE,
                work=lambda: self._write(uow, request),
            )
            await uow.commit()
        return outcome

    async def _write(self, uow: UnitOfWork, request: WriteNoteRequest) -> str:
        note_id = str(uuid.uuid4())
        await uow.outbox.put(
            Notice.new(NOTE_WRITTEN, at=self.clock(), id=note_id, text=request.text)
        )
        return note_id


class NoteBody(Body):
    text: str


class NoteOut(Body):
    id: str
    text: str


WriteNoteCall = Callable[[Principal, WriteNoteRequest], Awaitable[Outcome[str]]]


def notes_router(
    write_note: WriteNoteCall, unit_of_work: UnitOfWorkFactory | None = None
) -> APIRouter:
    """``POST /notes``; with ``unit_of_work``, also ``GET /notes/{note_id}``, which reads
    through a unit of work and answers 404: notes are not kept."""
    router = APIRouter(prefix="/notes")

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        operation_id="write_note",
        responses=declared(
            AUTHENTICATED,
            WITH_A_BODY,
            VALIDATED,
            REFUSED,
            STORAGE,
            IDEMPOTENT,
            KEY_REQUIRED,
            replayable(status.HTTP_201_CREATED),
        ),
    )
    async def write_note_route(
        caller: Caller,
        body: NoteBody,
        idempotency_key: RequiredIdempotencyKey,
        response: Response,
    ) -> NoteOut:
        outcome = await write_note(caller, WriteNoteRequest(body.text, idempotency_key))
        mark_replayed(response, outcome)
        return NoteOut(id=outcome.result, text=body.text)

    if unit_of_work is None:
        return router
    reads = unit_of_work

    @router.get(
        "/{note_id}",
        operation_id="read_note",
        responses=declared(AUTHENTICATED, VALIDATED, STORAGE, NOT_KEPT),
    )
    async def read_note_route(caller: Caller, note_id: uuid.UUID) -> NoteOut:
        require_scope(caller, Scope.READ)
        async with reads(read_only=True) as uow:
            await uow.outbox.backlog()
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"note {note_id} is not kept")

    return router


def with_notes(
    app: FastAPI,
    unit_of_work: UnitOfWorkFactory,
    clock: Clock = utc_now,
    retention: timedelta = DEFAULT_RETENTION,
) -> FastAPI:
    """``app`` with ``/notes`` over ``unit_of_work``, keeping keys for ``retention``."""
    idempotency = Idempotency(clock, retention)
    write_note = WriteNote(unit_of_work, clock, idempotency)
    app.include_router(notes_router(write_note, unit_of_work))
    return app


async def write(
    client: httpx.AsyncClient, text: str = "hello", key: str | None = "k-1", **headers: str
) -> httpx.Response:
    """``POST /notes`` as the owner, under ``key`` (None: without one)."""
    sent = as_owner() | headers | ({"Idempotency-Key": key} if key is not None else {})
    return await client.post("/notes", json={"text": text}, headers=sent)


async def written(unit_of_work: UnitOfWorkFactory) -> int:
    """How many notes were really written: the notices waiting in the outbox."""
    async with unit_of_work(read_only=True) as uow:
        return (await uow.outbox.backlog()).pending
