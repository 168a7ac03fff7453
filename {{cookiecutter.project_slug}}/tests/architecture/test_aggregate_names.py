"""``make aggregate`` refuses a name it cannot use before it writes anything, and says
what to type instead (``scaffolds/add_aggregate.py``; the template's own tests run the
whole scaffold, twice, and this project's ``make check`` after it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scaffolds.add_aggregate import Refused, check_name, forms_of, package_name

PROJECT = Path(__file__).parents[2]


def refusal(name: str) -> str:
    with pytest.raises(Refused) as refused:
        check_name(name, PROJECT, package_name(PROJECT))
    return str(refused.value)


@pytest.mark.parametrize(
    ("name", "instead"),
    [("Invoice", "invoice"), ("invoice-line", "invoice_line"), ("InvoiceLine", "invoice_line")],
)
def test_a_name_not_in_snake_case_is_refused_with_its_snake_case(name: str, instead: str) -> None:
    assert refusal(name).endswith(f"type {instead}")


@pytest.mark.parametrize("name", ["class", "list", "json", "match"])
def test_keywords_builtins_and_standard_modules_are_refused(name: str) -> None:
    assert f"e.g. {name}_item" in refusal(name)


def test_a_plural_is_refused_with_its_singular() -> None:
    assert refusal("sample_entries").endswith("type the singular, sample_entry")


@pytest.mark.parametrize("name", [{% if cookiecutter.example == "ledger" %}"account", "transfer"{% else %}"audit_entry", "idempotency_key"{% endif %}])
def test_an_existing_aggregate_is_refused(name: str) -> None:
    assert "an aggregate of this project already" in refusal(name)


@pytest.mark.parametrize("name", [{% if cookiecutter.example == "ledger" %}"money", {% endif %}"idempotency", "notice", "settings", "error"])
def test_a_name_that_clashes_with_a_module_of_the_project_is_refused(name: str) -> None:
    assert "would clash with the module" in refusal(name)


def test_a_good_name_passes_and_has_every_form_the_scaffold_needs() -> None:
    """Names no project is likely to have scaffolded: the test holds after ``make aggregate``."""
    check_name("sample_entry", PROJECT, package_name(PROJECT))

    assert forms_of("receipt_book") == {
        "name": "receipt_book",
        "class_name": "ReceiptBook",
        "class_plural": "ReceiptBooks",
        "plural": "receipt_books",
        "title": "receipt book",
        "a_title": "a receipt book",
        "url": "receipt-books",
    }
    assert forms_of("invoice")["a_title"] == "an invoice"
