"""``{{ cookiecutter.class_name }}Repository`` keeps one contract on every storage: memory, SQLite,
PostgreSQL (the ``storage`` fixture runs each test on each). On PostgreSQL, the service's
role may use the new table: migration 0006's default privileges cover it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }} import {{ cookiecutter.class_name }}, {{ cookiecutter.class_name }}NotFound, new_{{ cookiecutter.name }}_id
from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }}_position import {{ cookiecutter.class_name }}Position
from {{ cookiecutter.package_name }}.domain.principal import MAX_SUBJECT_LENGTH
from tests.contract.implementations import Storage, postgresql_only

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def {{ cookiecutter.name }}(owner: str = "alice", *, seconds: int = 0) -> {{ cookiecutter.class_name }}:
    return {{ cookiecutter.class_name }}.create(owner, f"R-{seconds}", at=T0 + timedelta(seconds=seconds))


async def store(storage: Storage, *{{ cookiecutter.plural }}: {{ cookiecutter.class_name }}) -> None:
    async with storage.unit_of_work() as uow:
        for each in {{ cookiecutter.plural }}:
            await uow.{{ cookiecutter.plural }}.add(each)
        await uow.commit()


class Test{{ cookiecutter.class_name }}Repository:
    async def test_a_stored_{{ cookiecutter.name }}_reads_back_equal(self, storage: Storage) -> None:
        stored = {{ cookiecutter.name }}(owner="x" * MAX_SUBJECT_LENGTH)
        await store(storage, stored)

        async with storage.unit_of_work(read_only=True) as uow:
            assert await uow.{{ cookiecutter.plural }}.get(stored.id) == stored

    async def test_get_of_a_missing_one_raises_not_found(self, storage: Storage) -> None:
        async with storage.unit_of_work(read_only=True) as uow:
            with pytest.raises({{ cookiecutter.class_name }}NotFound):
                await uow.{{ cookiecutter.plural }}.get(new_{{ cookiecutter.name }}_id())

    async def test_one_not_committed_is_not_stored(self, storage: Storage) -> None:
        dropped = {{ cookiecutter.name }}()
        async with storage.unit_of_work() as uow:
            await uow.{{ cookiecutter.plural }}.add(dropped)

        async with storage.unit_of_work(read_only=True) as uow:
            with pytest.raises({{ cookiecutter.class_name }}NotFound):
                await uow.{{ cookiecutter.plural }}.get(dropped.id)

    async def test_lists_the_owner_s_newest_first_from_a_position(self, storage: Storage) -> None:
        mine = [{{ cookiecutter.name }}(seconds=second) for second in (1, 2, 2, 3)]
        await store(storage, *mine, {{ cookiecutter.name }}("bob", seconds=4))
        in_order = sorted(mine, key={{ cookiecutter.class_name }}Position.of, reverse=True)

        async with storage.unit_of_work(read_only=True) as uow:
            first = await uow.{{ cookiecutter.plural }}.list_for_owner("alice", limit=2)
            rest = await uow.{{ cookiecutter.plural }}.list_for_owner(
                "alice", limit=5, after={{ cookiecutter.class_name }}Position.of(first[-1])
            )

        assert [*first, *rest] == in_order


@postgresql_only
async def test_the_service_role_may_store_read_and_list_them(as_the_service: AsyncEngine) -> None:
    unit_of_work = SqlUnitOfWorkFactory(as_the_service)
    stored = {{ cookiecutter.name }}()

    async with unit_of_work() as uow:
        await uow.{{ cookiecutter.plural }}.add(stored)
        await uow.commit()

    async with unit_of_work(read_only=True) as uow:
        assert await uow.{{ cookiecutter.plural }}.get(stored.id) == stored
        assert await uow.{{ cookiecutter.plural }}.list_for_owner("alice", limit=1) == [stored]
