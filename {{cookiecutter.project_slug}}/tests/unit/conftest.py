import pytest

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases


@pytest.fixture
def unit_of_work() -> MemoryUnitOfWorkFactory:
    return MemoryUnitOfWorkFactory()


@pytest.fixture
def use_cases(unit_of_work: MemoryUnitOfWorkFactory) -> UseCases:
    return UseCases.wired_to(unit_of_work)
