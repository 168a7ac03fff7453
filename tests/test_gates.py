"""Every representative project installs with uv and passes its own ``make check``.

Each variant (``GATE_VARIANTS``) is baked and synced once per session, its five checks run
side by side, and each is asserted by its own test, with the tool's output on failure.
The variants whose code differs run their tests under coverage, as ``make coverage`` does,
and must reach the floor.
"""

from __future__ import annotations

import pytest

from tests.conftest import CheckedVariant
from tests.support.options import GATE_VARIANTS, MEASURED_VARIANTS
from tests.support.toolchain import Outcome, Toolchain

pytestmark = pytest.mark.gates


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(name, marks=[pytest.mark.variant(name), pytest.mark.xdist_group(name)])
        for name in GATE_VARIANTS
    ],
)
def checked(request: pytest.FixtureRequest, checked_variant: CheckedVariant) -> dict[str, Outcome]:
    """The outcome of each of ``make check``'s checks on a freshly baked, synced variant."""
    return checked_variant(request.param).outcomes


def test_installs_with_uv_sync(checked: dict[str, Outcome]) -> None:
    outcome = checked["uv sync"]
    assert outcome.ok, outcome.report()


def test_is_formatted_as_ruff_formats_it(checked: dict[str, Outcome]) -> None:
    outcome = checked["ruff format"]
    assert outcome.ok, outcome.report()


def test_passes_ruff_lint(checked: dict[str, Outcome]) -> None:
    outcome = checked["ruff check"]
    assert outcome.ok, outcome.report()


def test_passes_mypy_strict(checked: dict[str, Outcome]) -> None:
    outcome = checked["mypy"]
    assert outcome.ok, outcome.report()


def test_keeps_its_import_contracts(checked: dict[str, Outcome]) -> None:
    outcome = checked["lint-imports"]
    assert outcome.ok, outcome.report()
    assert "0 broken" in outcome.output, outcome.report()


def test_passes_its_own_tests(checked: dict[str, Outcome]) -> None:
    outcome = checked["pytest"]
    assert outcome.ok, outcome.report()


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=[pytest.mark.variant(name), pytest.mark.xdist_group(name)])
        for name in MEASURED_VARIANTS
    ],
)
def test_meets_its_coverage_floor(
    name: str, checked_variant: CheckedVariant, toolchain: Toolchain
) -> None:
    """``make coverage`` (in ``make check``, so in CI) fails below ``fail_under``: the
    variants whose code differs each reach the floor their pyproject.toml sets."""
    variant = checked_variant(name)
    tests = variant.outcomes["pytest"]
    assert tests.ok, tests.report()
    assert "coverage run -m pytest" in tests.command, tests.command
    outcome = toolchain.check(variant.project.path, "coverage", "report")
    assert outcome.ok, outcome.report()
