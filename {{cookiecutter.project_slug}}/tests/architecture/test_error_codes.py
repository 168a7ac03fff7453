"""The README's error table lists every code the service sends, each with its status.

The codes are read from the code, not listed by hand:

- the ``code`` of every ``DomainError`` subclass, at the status ``adapters/http/errors.py``
  gives it;
- every ``error_response(<status>, "<code>", ...)`` written with literal arguments in
  ``adapters/http``: validation errors, the request limits, the unexpected failure;
- and the ``http_<status>`` codes of what Starlette and FastAPI raise themselves: a body
  they cannot read (400), no such route (404), a route without the method (405).

A code added without its row, a row whose code is gone, or a status that drifted from the
table fails here, so clients can branch on the table.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

# The composition root imports every module of the service, so every error is defined.
import {{ cookiecutter.package_name }}.bootstrap  # noqa: F401
from {{ cookiecutter.package_name }}.adapters import http
from {{ cookiecutter.package_name }}.adapters.http.errors import status_for
from {{ cookiecutter.package_name }}.domain.errors import (
    ConcurrencyConflict,
{%- if cookiecutter.example == "ledger" %}
    CounterpartNotFound,
{%- endif %}
    DomainError,
    InvalidToken,
{%- if cookiecutter.example == "none" %}
    StorageUnavailable,
{%- endif %}
)

README = Path(__file__).parents[2] / "README.md"
ROW = re.compile(r"^\| (?P<status>\d{3}) \| `(?P<code>[a-z0-9_]+)` \| .+ \|$", re.MULTILINE)
"""A row of the error table: ``| 409 | `insufficient_funds` | What it means. |``."""
RAISED_BY_THE_FRAMEWORK = {"http_400": 400, "http_404": 404, "http_405": 405}
"""Codes ``on_http_error`` makes of the framework's ``HTTPException``s (tests/api shows
each one happen)."""


def documented() -> dict[str, int]:
    """The README's table, as code -> status."""
    rows = [(row["code"], int(row["status"])) for row in ROW.finditer(README.read_text("utf-8"))]
    assert len(rows) == len(dict(rows)), "a code has two rows in the README's error table"
    return dict(rows)


def subclasses(base: type[DomainError]) -> Iterator[type[DomainError]]:
    yield base
    for subclass in base.__subclasses__():
        yield from subclasses(subclass)


def domain_codes() -> dict[str, int]:
    return {error.code: status_for(error) for error in subclasses(DomainError)}


def literal_codes(source: str) -> dict[str, int]:
    """Code -> status of each ``error_response(status, code, ...)`` call written in literals."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "error_response"
            and len(node.args) >= 2
        ):
            status, code = (getattr(arg, "value", None) for arg in node.args[:2])
            if isinstance(status, int) and isinstance(code, str):
                found[code] = status
    return found


def http_adapter_codes() -> dict[str, int]:
    found: dict[str, int] = {}
    for module in sorted(Path(http.__file__).parent.rglob("*.py")):
        found |= literal_codes(module.read_text(encoding="utf-8"))
    return found


def misdocumented(expected: dict[str, int], table: dict[str, int]) -> dict[str, int | None]:
    """The codes of ``expected`` the table lacks (None) or gives another status (that one)."""
    return {code: table.get(code) for code, status in expected.items() if table.get(code) != status}


class TestTheReadmeErrorTable:
    def test_lists_every_domain_error_at_the_status_it_is_answered_with(self) -> None:
        assert misdocumented(domain_codes(), documented()) == {}

    def test_lists_every_code_the_http_adapter_and_the_framework_write(self) -> None:
        assert misdocumented(http_adapter_codes() | RAISED_BY_THE_FRAMEWORK, documented()) == {}

    def test_lists_no_code_the_service_does_not_send(self) -> None:
        sent = domain_codes() | http_adapter_codes() | RAISED_BY_THE_FRAMEWORK

        assert set(documented()) - set(sent) == set()


class TestTheCheckBites:
    def test_a_code_without_its_row_or_at_another_status_is_reported(self) -> None:
        expected = {"overbooked": 409, "insufficient_funds": 409, "account_not_found": 409}
        table = {"insufficient_funds": 409, "account_not_found": 404}

        assert misdocumented(expected, table) == {
            "overbooked": None,
            "account_not_found": 404,
        }

    def test_the_walk_finds_every_generation_of_domain_errors(self) -> None:
        found = set(subclasses(DomainError))

        assert {DomainError, InvalidToken, ConcurrencyConflict, {% if cookiecutter.example == "ledger" %}CounterpartNotFound{% else %}StorageUnavailable{% endif %}} <= found

    def test_the_scan_finds_the_codes_of_the_request_limits_and_of_validation(self) -> None:
        assert {
            "invalid_content_length": 400,
            "request_too_large": 413,
            "validation_error": 422,
            "internal_error": 500,
            "request_timeout": 504,
        }.items() <= http_adapter_codes().items()

    def test_the_scan_reads_literal_calls_and_skips_computed_ones(self) -> None:
        source = 'error_response(418, "teapot", "short and stout")\nerror_response(s, c, m)\n'

        assert literal_codes(source) == {"teapot": 418}
