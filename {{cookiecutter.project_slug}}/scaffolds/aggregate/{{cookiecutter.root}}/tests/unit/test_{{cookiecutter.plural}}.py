"""The {{ cookiecutter.title }} use cases on the memory adapter: who may create and read
{{ cookiecutter.plural }}, a retried create under one key, and the listing's pages."""

from datetime import timedelta

import pytest

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.domain.errors import IdempotencyKeyReused, PermissionDenied
from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }} import {{ cookiecutter.class_name }}NotFound, new_{{ cookiecutter.name }}_id
from {{ cookiecutter.package_name }}.domain.principal import Principal
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.create_{{ cookiecutter.name }} import Create{{ cookiecutter.class_name }}Request
from {{ cookiecutter.package_name }}.usecases.list_{{ cookiecutter.plural }} import List{{ cookiecutter.class_plural }}Request
from tests.fakes import ALICE, BOB, TREASURER, ManualClock


class TestCreate{{ cookiecutter.class_name }}:
    async def test_the_{{ cookiecutter.name }}_belongs_to_whoever_created_it(self, use_cases: UseCases) -> None:
        created = await use_cases.create_{{ cookiecutter.name }}(ALICE, Create{{ cookiecutter.class_name }}Request("R-1"))

        found = await use_cases.get_{{ cookiecutter.name }}(ALICE, created.result.id)

        assert found == created.result
        assert found.owner == ALICE.subject
        assert found.reference == "R-1"

    async def test_needs_the_write_scope(self, use_cases: UseCases) -> None:
        with pytest.raises(PermissionDenied):
            await use_cases.create_{{ cookiecutter.name }}(TREASURER, Create{{ cookiecutter.class_name }}Request("R-1"))

    async def test_a_retry_with_the_same_key_answers_the_first_{{ cookiecutter.name }}(
        self, use_cases: UseCases
    ) -> None:
        request = Create{{ cookiecutter.class_name }}Request("R-1", idempotency_key="k-1")
        first = await use_cases.create_{{ cookiecutter.name }}(ALICE, request)

        again = await use_cases.create_{{ cookiecutter.name }}(ALICE, request)

        assert (again.result, again.replayed) == (first.result, True)
        page = await use_cases.list_{{ cookiecutter.plural }}(ALICE, List{{ cookiecutter.class_plural }}Request())
        assert page.{{ cookiecutter.plural }} == [first.result]

    async def test_the_same_key_with_another_request_is_refused(self, use_cases: UseCases) -> None:
        await use_cases.create_{{ cookiecutter.name }}(ALICE, Create{{ cookiecutter.class_name }}Request("R-1", idempotency_key="k-1"))

        with pytest.raises(IdempotencyKeyReused):
            await use_cases.create_{{ cookiecutter.name }}(ALICE, Create{{ cookiecutter.class_name }}Request("R-2", idempotency_key="k-1"))


class TestGet{{ cookiecutter.class_name }}:
    async def test_someone_else_s_reads_as_missing(self, use_cases: UseCases) -> None:
        alices = await use_cases.create_{{ cookiecutter.name }}(ALICE, Create{{ cookiecutter.class_name }}Request("R-1"))

        with pytest.raises({{ cookiecutter.class_name }}NotFound):
            await use_cases.get_{{ cookiecutter.name }}(BOB, alices.result.id)

    async def test_a_missing_one_is_not_found(self, use_cases: UseCases) -> None:
        with pytest.raises({{ cookiecutter.class_name }}NotFound):
            await use_cases.get_{{ cookiecutter.name }}(ALICE, new_{{ cookiecutter.name }}_id())

    async def test_needs_the_read_scope(self, use_cases: UseCases) -> None:
        with pytest.raises(PermissionDenied):
            await use_cases.get_{{ cookiecutter.name }}(Principal.of(ALICE.subject, ""), new_{{ cookiecutter.name }}_id())


class TestList{{ cookiecutter.class_plural }}:
    async def test_lists_only_the_caller_s_newest_first_a_page_at_a_time(self) -> None:
        clock = ManualClock()
        use_cases = UseCases.wired_to(MemoryUnitOfWorkFactory(), clock=clock)
        for reference in ("R-1", "R-2", "R-3"):
            clock.advance(timedelta(seconds=1))
            await use_cases.create_{{ cookiecutter.name }}(ALICE, Create{{ cookiecutter.class_name }}Request(reference))
        await use_cases.create_{{ cookiecutter.name }}(BOB, Create{{ cookiecutter.class_name }}Request("R-bob"))

        first = await use_cases.list_{{ cookiecutter.plural }}(ALICE, List{{ cookiecutter.class_plural }}Request(limit=2))
        rest = await use_cases.list_{{ cookiecutter.plural }}(
            ALICE, List{{ cookiecutter.class_plural }}Request(limit=2, after=first.continues_after)
        )

        assert [found.reference for found in first.{{ cookiecutter.plural }}] == ["R-3", "R-2"]
        assert [found.reference for found in rest.{{ cookiecutter.plural }}] == ["R-1"]
        assert rest.continues_after is None

    async def test_needs_the_read_scope(self, use_cases: UseCases) -> None:
        with pytest.raises(PermissionDenied):
            await use_cases.list_{{ cookiecutter.plural }}(TREASURER, List{{ cookiecutter.class_plural }}Request())
