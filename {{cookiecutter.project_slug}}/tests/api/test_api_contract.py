"""The OpenAPI schema is a contract clients can generate code from and rely on.

{% if cookiecutter.example == "ledger" %}- Operation ids are the use cases' names, so a generated client reads
  ``client.open_account(...)``, not ``deposit_accounts__account_id__deposits_post``.
{% else %}- Operation ids are the use cases' names, so a generated client reads
  ``client.create_invoice(...)``, not ``create_invoice_invoices_post``.
{% endif %}- Each operation declares the statuses it can answer and no others; each status means
{%- if cookiecutter.example == "ledger" %}
  one thing (422: the request alone is wrong; 409: a valid request the ledger refuses).
{%- else %}
  one thing (422: the request alone is wrong; 409: a valid request the service refuses).
{%- endif %}
  That no operation answers a status it does not declare is the fuzz tier's part
  (``status_code_conformance``, tests/fuzz/test_api.py); here, that none declares one
  it cannot answer, and that the README's table of operations says what the schema says.
{%- if cookiecutter.example == "ledger" %}
- Every amount is an integer JavaScript reads exactly: at most 2**53 - 1.
{%- endif %}
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.bootstrap import create_app
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.money import MAX_MINOR_UNITS
{%- endif %}
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from tests.api.tokens import api_settings

HEALTH_CHECKS = ("check_liveness", "check_readiness")
WITHOUT_STORAGE = frozenset({"check_liveness"})
"""Operations that answer without the database or the identity provider: no 503, no 504."""
ERROR_BODY = {"$ref": "#/components/schemas/ErrorOut"}
README = Path(__file__).parents[2] / "README.md"
OPERATION_ROW = re.compile(
    r"^\| `(?P<id>[a-z_]+)`: `(?P<method>[A-Z]+) (?P<path>\S+)` "
    r"\| (?P<success>\d{3}) \| (?P<errors>[\d, ]+) \|$",
    re.MULTILINE,
)
"""A row of the README's table of operations: id, route, success, the errors it declares."""
{%- if cookiecutter.example == "ledger" %}
WRITES = {
    "open_account",
    "deposit",
    "transfer_funds",
    # add_aggregate: writes
}
{%- else %}
WRITES: frozenset[str] = frozenset(
    (
        # add_aggregate: writes
    )
)
{%- endif %}
"""The operations that write, and so read a body and may be refused (409)."""
{%- if cookiecutter.example == "ledger" %}
MAX_SAFE_INTEGER = 2**53 - 1
"""``Number.MAX_SAFE_INTEGER``: the largest integer a JSON number carries exactly to a
JavaScript client, and to JSON-Schema tools that read numbers as doubles."""
{%- endif %}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    """What /openapi.json serves; building it connects to nothing."""
    return create_app(api_settings()).openapi()


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) for each operation of the schema."""
    for path, by_method in schema["paths"].items():
        for method, operation in by_method.items():
            yield method.upper(), path, operation


def statuses(operation: dict[str, Any]) -> set[int]:
    return {int(status) for status in operation["responses"]}


def errors(operation: dict[str, Any]) -> set[int]:
    return {status for status in statuses(operation) if status >= 400}


def takes_input(operation: dict[str, Any]) -> bool:
    return bool(operation.get("parameters") or operation.get("requestBody"))


def declaring(schema: dict[str, Any], status: int) -> set[str]:
    """The ids of the operations that declare ``status``."""
    return {op["operationId"] for _, _, op in operations(schema) if status in statuses(op)}


def every(schema: dict[str, Any]) -> set[str]:
    return {operation["operationId"] for _, _, operation in operations(schema)}


class TestOperationIds:
    def test_are_the_use_cases_names_and_the_health_checks(self, schema: dict[str, Any]) -> None:
        use_cases = [field.name for field in dataclasses.fields(UseCases)]

        ids = [operation["operationId"] for _, _, operation in operations(schema)]

        assert sorted(ids) == sorted([*use_cases, *HEALTH_CHECKS])

    def test_name_what_each_route_does(self, schema: dict[str, Any]) -> None:
        named = {f"{method} {path}": op["operationId"] for method, path, op in operations(schema)}

        assert named == {
{%- if cookiecutter.example == "ledger" %}
            "POST /accounts": "open_account",
            "GET /accounts/{account_id}": "get_account",
            "POST /accounts/{account_id}/deposits": "deposit",
            "GET /accounts/{account_id}/transfers": "list_transfers",
            "POST /transfers": "transfer_funds",
{%- endif %}
            "GET /health/live": "check_liveness",
            "GET /health/ready": "check_readiness",
            # add_aggregate: routes
        }


class TestDeclaredStatuses:
    def test_are_those_the_readme_lists(self, schema: dict[str, Any]) -> None:
        listed = {
            row["id"]: (row["method"], row["path"], {int(row["success"])}, row["errors"])
            for row in OPERATION_ROW.finditer(README.read_text(encoding="utf-8"))
        }

        declared = {
            op["operationId"]: (
                method,
                path,
                statuses(op) - errors(op),
                ", ".join(str(status) for status in sorted(errors(op))),
            )
            for method, path, op in operations(schema)
        }
        assert listed == declared

    def test_every_error_has_the_one_error_body(self, schema: dict[str, Any]) -> None:
        bodies = {
            (op["operationId"], status): response["content"]["application/json"]["schema"]
            for _, _, op in operations(schema)
            for status, response in op["responses"].items()
            if int(status) >= 400
        }

        assert bodies
        assert {key for key, body in bodies.items() if body != ERROR_BODY} == set()

    def test_every_operation_may_fail_unexpectedly(self, schema: dict[str, Any]) -> None:
        assert declaring(schema, 500) == every(schema)

    def test_only_operations_that_need_a_token_declare_401_and_403(
        self, schema: dict[str, Any]
    ) -> None:
        protected = {op["operationId"] for _, _, op in operations(schema) if op.get("security")}

        assert protected == every(schema) - set(HEALTH_CHECKS)
        assert declaring(schema, 401) == declaring(schema, 403) == protected

    def test_only_operations_that_read_a_body_declare_400_and_413(
        self, schema: dict[str, Any]
    ) -> None:
        with_a_body = {op["operationId"] for _, _, op in operations(schema) if "requestBody" in op}

        assert with_a_body == WRITES
        assert declaring(schema, 400) == declaring(schema, 413) == with_a_body

    def test_only_operations_with_input_to_validate_declare_422(
        self, schema: dict[str, Any]
    ) -> None:
        with_input = {op["operationId"] for _, _, op in operations(schema) if takes_input(op)}

        assert declaring(schema, 422) == with_input == every(schema) - set(HEALTH_CHECKS)

    def test_only_writes_declare_409_reads_take_no_lock_and_break_no_rule(
        self, schema: dict[str, Any]
    ) -> None:
        writes = {op["operationId"] for method, _, op in operations(schema) if method == "POST"}

        assert declaring(schema, 409) == writes == WRITES

{% if cookiecutter.example == "ledger" %}    def test_only_operations_that_look_up_what_they_name_declare_404(
        self, schema: dict[str, Any]
    ) -> None:
        """In the path (or one ``make aggregate`` added), or the source of a transfer; an
        unknown destination is a 409."""
        assert declaring(schema, 404) == {
            "get_account",
            "deposit",
            "list_transfers",
            "transfer_funds",
            # add_aggregate: lookups
        }
{% else %}    def test_only_operations_that_look_up_what_they_name_declare_404(
        self, schema: dict[str, Any]
    ) -> None:
        """A thing named in the path, as the routes ``make aggregate`` adds name one."""
        assert declaring(schema, 404) == frozenset(
            (
                # add_aggregate: lookups
            )
        )
{% endif %}
    def test_every_operation_that_needs_the_database_declares_503_and_504(
        self, schema: dict[str, Any]
    ) -> None:
        needing = every(schema) - WITHOUT_STORAGE

        assert declaring(schema, 503) == declaring(schema, 504) == needing

    def test_no_operation_declares_a_status_beyond_those_above(
        self, schema: dict[str, Any]
    ) -> None:
        known = {400, 401, 403, 404, 409, 413, 422, 500, 503, 504}

        assert {
            op["operationId"]: errors(op) - known
            for _, _, op in operations(schema)
            if errors(op) - known
        } == {}
{%- if cookiecutter.example == "ledger" %}


def amounts(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every ``*_minor_units`` property of every body, by ``Model.property``."""
    return {
        f"{model}.{name}": declared
        for model, body in schema["components"]["schemas"].items()
        for name, declared in body.get("properties", {}).items()
        if name.endswith("_minor_units")
    }


class TestAmounts:
    def test_every_amount_in_and_out_is_an_integer_javascript_reads_exactly(
        self, schema: dict[str, Any]
    ) -> None:
        """Bounded by the domain's own largest amount, which is 2**53 - 1."""
        found = amounts(schema)

        assert set(found) == {
            "AccountOut.balance_minor_units",
            "DepositBody.amount_minor_units",
            "TransferBody.amount_minor_units",
            "TransferOut.amount_minor_units",
        }
        declared = {name: (bounds["type"], bounds.get("maximum")) for name, bounds in found.items()}
        assert declared == dict.fromkeys(found, ("integer", MAX_SAFE_INTEGER))
        assert MAX_MINOR_UNITS == MAX_SAFE_INTEGER
{%- endif %}
