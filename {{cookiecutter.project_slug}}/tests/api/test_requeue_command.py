"""``requeue``, as an operator types it: parked notices in the configured database are due
again, and the command says which it requeued and which it could not."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.adapters.sql.engine import create_engine
from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.ids import NoticeId, new_notice_id
from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.settings import Settings
from tests.contract.sql_stored_state import SqlStoredState

WRITTEN = datetime(2030, 1, 1, tzinfo=UTC)


async def park(database_url: str, count: int) -> list[NoticeId]:
    """Store ``count`` notices whose every attempt failed."""
    engine = create_engine(database_url)
    made = [Notice(new_notice_id(), "test.happened", WRITTEN) for _ in range(count)]
    try:
        async with SqlUnitOfWorkFactory(engine)() as uow:
            for notice in made:
                await uow.outbox.put(notice)
                await uow.outbox.mark_failed(notice.id, now=WRITTEN, retry_after=None)
            await uow.commit()
    finally:
        await engine.dispose()
    return [notice.id for notice in made]


async def states(database_url: str, notice_ids: Sequence[NoticeId]) -> list[str | None]:
    engine = create_engine(database_url)
    try:
        return [await SqlStoredState(engine).notice_state(each) for each in notice_ids]
    finally:
        await engine.dispose()


@pytest.fixture
def database_url(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The migrated database the command finds in ``DATABASE_URL``; no ``.env`` is read."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    return settings.database_url


def test_requeues_the_notices_named_and_prints_their_ids(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    named, other = asyncio.run(park(database_url, 2))

    assert main(["requeue", str(named)]) == 0

    assert capsys.readouterr().out.split() == [str(named)]
    assert asyncio.run(states(database_url, [named, other])) == ["pending", "parked"]


def test_all_requeues_every_parked_notice(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parked = asyncio.run(park(database_url, 3))

    assert main(["requeue", "--all"]) == 0

    assert sorted(capsys.readouterr().out.split()) == sorted(map(str, parked))
    assert asyncio.run(states(database_url, parked)) == ["pending"] * 3


def test_an_id_of_no_parked_notice_fails_the_command_and_is_named(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    [parked] = asyncio.run(park(database_url, 1))
    unknown = new_notice_id()

    with pytest.raises(SystemExit, match=str(unknown)) as failure:
        main(["requeue", str(parked), str(unknown)])

    assert failure.value.code != 0
    assert capsys.readouterr().out.split() == [str(parked)], "the parked one is requeued"
    assert asyncio.run(states(database_url, [parked])) == ["pending"]


@pytest.mark.parametrize("arguments", [[], ["--all", str(new_notice_id())], ["not-an-id"]])
def test_wants_ids_or_all_and_nothing_else(
    database_url: str, arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as refusal:
        main(["requeue", *arguments])

    assert refusal.value.code == 2
    assert "usage:" in capsys.readouterr().err
