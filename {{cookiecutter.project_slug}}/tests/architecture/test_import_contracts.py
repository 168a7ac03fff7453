"""The import rules cannot go stale: they say what the domain and the use cases MAY import.

The allowed_imports contracts in pyproject.toml (tests/architecture/allowed_imports.py)
allow the standard library of the Python that runs them and the project's own inner layers;
everything else is refused, whichever dependency brought it in. No list of third-party
packages to keep up to date: adding or upgrading a dependency needs no edit to them.

The contracts are checked here as configured, on small import graphs built by hand; the
project's real graph is ``lint-imports``'s job (``make lint``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from grimp import ImportGraph
from importlinter.api import read_configuration
from importlinter.domain.contract import InvalidContractOptions

from tests.architecture.allowed_imports import AllowedImportsContract

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"
CONFIGURATION: dict[str, Any] = read_configuration(str(PYPROJECT))
SESSION: dict[str, Any] = CONFIGURATION["session_options"]
CONTRACTS: list[dict[str, Any]] = CONFIGURATION["contracts_options"]
[PACKAGE] = SESSION["root_packages"]
DOMAIN, USECASES = f"{PACKAGE}.domain", f"{PACKAGE}.usecases"

TRANSITIVE_ONLY = "annotated_types"
"""Installed because pydantic needs it; the project never asks for it by name."""


def allowed_imports_contract(
    source: str, session: dict[str, Any] = SESSION
) -> AllowedImportsContract:
    """The allowed_imports contract of pyproject.toml whose source is ``source``."""
    [options] = [
        options
        for options in CONTRACTS
        if options["type"] == "allowed_imports" and options["source_modules"] == [source]
    ]
    return AllowedImportsContract(options["name"], session, options)


def modules_named_by(options: dict[str, Any]) -> list[str]:
    """Every module a contract names in full (layers are named relative to a container)."""
    keys = ("containers", "source_modules", "allowed_modules", "forbidden_modules")
    return [name for key in keys for name in options.get(key, [])]


def graph_with(*imports: tuple[str, str]) -> ImportGraph:
    """The project's two inner layers, and these imports (importer, imported) on line 7."""
    graph = ImportGraph()
    for module in (PACKAGE, DOMAIN, f"{DOMAIN}.money", USECASES, f"{USECASES}.deposit"):
        graph.add_module(module)
    for importer, imported in imports:
        if not imported.startswith(f"{PACKAGE}."):
            graph.add_module(imported.partition(".")[0], is_squashed=True)
        graph.add_import(
            importer=importer,
            imported=imported,
            line_number=7,
            line_contents=f"import {imported}",
        )
    return graph


def refused(contract: AllowedImportsContract, *imports: tuple[str, str]) -> list[str]:
    """The imports the contract refuses, as ``importer -> imported``."""
    check = contract.check(graph_with(*imports), verbose=False)
    found = [f"{each['importer']} -> {each['imported']}" for each in check.metadata["refused"]]
    assert check.kept == (found == [])
    return found


def test_the_contracts_name_no_third_party_package() -> None:
    named = {name for options in CONTRACTS for name in modules_named_by(options)}

    foreign = [
        name
        for name in sorted(named)
        if name.partition(".")[0] not in {PACKAGE, *sys.stdlib_module_names}
    ]

    assert foreign == [], "a contract names a package outside the project and the standard library"


def test_the_domain_and_the_use_cases_each_have_an_allow_list() -> None:
    domain, usecases = allowed_imports_contract(DOMAIN), allowed_imports_contract(USECASES)

    assert domain.allowed == []
    assert usecases.allowed == [DOMAIN]


def test_the_allowed_standard_library_is_derived_from_the_running_python() -> None:
    domain, usecases = allowed_imports_contract(DOMAIN), allowed_imports_contract(USECASES)

    assert usecases.allowed_standard_library == sys.stdlib_module_names
    assert domain.allowed_standard_library == (
        sys.stdlib_module_names - domain.forbidden_in_standard_library
    )
    assert {"asyncio", "os", "socket", "sqlite3", "subprocess"} <= (
        domain.forbidden_in_standard_library
    )


def test_a_domain_importing_a_package_only_a_dependency_brings_is_refused() -> None:
    import_ = (f"{DOMAIN}.money", TRANSITIVE_ONLY)

    assert refused(allowed_imports_contract(DOMAIN), import_) == [
        f"{DOMAIN}.money -> {TRANSITIVE_ONLY}"
    ]


@pytest.mark.parametrize("imported", ["sqlalchemy", "sqlalchemy.orm", "fastapi", "some_new_sdk"])
def test_the_inner_layers_refuse_any_third_party_package(imported: str) -> None:
    assert refused(allowed_imports_contract(DOMAIN), (f"{DOMAIN}.money", imported))
    assert refused(allowed_imports_contract(USECASES), (f"{USECASES}.deposit", imported))


def test_the_domain_refuses_the_io_modules_that_use_cases_may_import() -> None:
    domain, usecases = allowed_imports_contract(DOMAIN), allowed_imports_contract(USECASES)

    assert refused(domain, (f"{DOMAIN}.money", "asyncio"), (f"{DOMAIN}.money", "os.path")) == [
        f"{DOMAIN}.money -> asyncio",
        f"{DOMAIN}.money -> os.path",
    ]
    assert refused(usecases, (f"{USECASES}.deposit", "asyncio")) == []


@pytest.mark.parametrize("imported", ["__future__", "dataclasses", "decimal", "json", "typing"])
def test_the_rest_of_the_standard_library_is_allowed(imported: str) -> None:
    assert refused(allowed_imports_contract(DOMAIN), (f"{DOMAIN}.money", imported)) == []
    assert refused(allowed_imports_contract(USECASES), (f"{USECASES}.deposit", imported)) == []


def test_use_cases_may_import_the_domain_and_the_domain_no_other_layer() -> None:
    assert refused(allowed_imports_contract(USECASES), (f"{USECASES}.deposit", DOMAIN)) == []
    assert refused(
        allowed_imports_contract(DOMAIN),
        (f"{DOMAIN}.money", f"{USECASES}.deposit"),
        (f"{DOMAIN}.money", f"{PACKAGE}.adapters"),
    ) == [f"{DOMAIN}.money -> {PACKAGE}.adapters", f"{DOMAIN}.money -> {USECASES}.deposit"]


def test_a_broken_contract_names_the_import_and_its_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    contract = allowed_imports_contract(DOMAIN)
    check = contract.check(graph_with((f"{DOMAIN}.money", TRANSITIVE_ONLY)), verbose=False)

    contract.render_broken_contract(check)

    printed = " ".join(capsys.readouterr().out.split())
    assert f"{DOMAIN}.money -> {TRANSITIVE_ONLY} (l.7): not in the standard library" in printed


def test_a_misspelt_standard_library_module_is_refused_rather_than_left_allowed() -> None:
    options = {
        "name": "misspelt",
        "type": "allowed_imports",
        "source_modules": [DOMAIN],
        "allow_standard_library": "true",
        "forbidden_standard_library": ["sockets"],
    }

    with pytest.raises(InvalidContractOptions) as raised:
        AllowedImportsContract("misspelt", SESSION, options)

    assert "sockets" in raised.value.errors["forbidden_standard_library"]


def test_the_contract_refuses_to_run_on_a_graph_without_other_packages() -> None:
    without_externals = {**SESSION, "include_external_packages": "False"}
    contract = allowed_imports_contract(DOMAIN, session=without_externals)

    with pytest.raises(ValueError, match="include_external_packages"):
        contract.check(graph_with(), verbose=False)
