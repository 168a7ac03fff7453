"""The "no third-party package in domain or use cases" contract must list every package.

import-linter only forbids what it is told to forbid. This test computes every top-level
module the runtime dependencies install, transitive ones included, and fails when one is
missing from the contract: add a dependency, and this test tells you what to add.
"""

import tomllib
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"


def load_pyproject() -> dict[str, Any]:
    with PYPROJECT.open("rb") as file:
        return tomllib.load(file)


def runtime_closure(requirements: list[str]) -> set[NormalizedName]:
    """Every distribution the runtime requirements install, following their own requires."""
    found: dict[NormalizedName, set[str]] = {}
    pending = [Requirement(text) for text in requirements]
    while pending:
        requirement = pending.pop()
        name, extras = canonicalize_name(requirement.name), set(requirement.extras)
        if name in found and extras <= found[name]:
            continue
        found[name] = found.get(name, set()) | extras
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            continue  # not installed on this platform (an environment marker excluded it)
        for text in requires:
            child = Requirement(text)
            environments = [{"extra": extra} for extra in {"", *found[name]}]
            if child.marker is None or any(child.marker.evaluate(e) for e in environments):
                pending.append(child)
    return set(found)


def top_level_modules(distributions: set[NormalizedName]) -> set[str]:
    return {
        module
        for module, owners in packages_distributions().items()
        if module.isidentifier()
        and not module.startswith("_")
        and any(canonicalize_name(owner) in distributions for owner in owners)
    }


def forbidden_modules(pyproject: dict[str, Any]) -> set[str]:
    contracts = pyproject["tool"]["importlinter"]["contracts"]
    [contract] = [c for c in contracts if c["name"].startswith("Domain and use cases import no")]
    return set(contract["forbidden_modules"])


def test_every_runtime_dependency_is_forbidden_in_domain_and_use_cases() -> None:
    pyproject = load_pyproject()
    installed = top_level_modules(runtime_closure(pyproject["project"]["dependencies"]))

    missing = sorted(installed - forbidden_modules(pyproject))

    assert not missing, (
        "add these modules to forbidden_modules of the 'Domain and use cases import no "
        f"third-party package' contract in pyproject.toml: {missing}"
    )
