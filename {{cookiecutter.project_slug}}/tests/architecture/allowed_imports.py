"""An import-linter contract type that lists what a package MAY import: ``allowed_imports``.

import-linter's own contract types forbid: they catch the names someone wrote down, so a
list of forbidden third-party packages goes stale with every new dependency, and with every
new dependency of a dependency. This contract turns the rule around. The modules of each
source package may import only:

- the source package's own modules;
- the modules listed in ``allowed_modules`` (and their submodules);
- with ``allow_standard_library = true``, the standard library of the Python running the
  check (``sys.stdlib_module_names``), except the top-level modules listed in
  ``forbidden_standard_library``.

Anything else breaks the contract: a third-party package, one that arrived only as a
dependency of a dependency, a module that is not installed at all, another module of the
project. The configuration names no third-party package, so no dependency change needs
an edit to it.

Only direct imports are checked (every import statement in a source package, including
those under ``TYPE_CHECKING`` and inside functions): what an allowed package imports in
turn is that package's business, so give it a contract of its own, as the domain has.

``lint-imports`` puts the folder it runs in on ``sys.path``, so from the project folder
this module imports as ``tests.architecture.allowed_imports``. Configuration::

    [tool.importlinter]
    root_package = "mypackage"
    include_external_packages = true  # required: otherwise no import of another package is seen
    contract_types = ["allowed_imports: tests.architecture.allowed_imports.AllowedImportsContract"]

    [[tool.importlinter.contracts]]
    name = "Use cases import only themselves, the domain and the standard library"
    type = "allowed_imports"
    source_modules = ["mypackage.usecases"]
    allowed_modules = ["mypackage.domain"]
    allow_standard_library = true
    # forbidden_standard_library = ["os", "socket"]  (top-level standard library modules)
    # broken_contract_guidance = "What to do instead, printed under the broken imports."
"""

from __future__ import annotations

import sys
from typing import TypedDict, cast

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain.contract import InvalidContractOptions
from importlinter.domain.imports import Module


class RefusedImport(TypedDict):
    importer: str
    imported: str
    line_numbers: list[int]
    reason: str


def within(module: str, package: str) -> bool:
    """Whether ``module`` is ``package`` or one of its submodules."""
    return module == package or module.startswith(f"{package}.")


class AllowedImportsContract(Contract):
    """Each module of ``source_modules`` imports only what the contract allows."""

    type_name = "allowed_imports"

    source_modules = fields.ListField(subfield=fields.ModuleField())
    allowed_modules = fields.ListField(subfield=fields.ModuleField(), default=[])
    allow_standard_library = fields.BooleanField(default=False)
    forbidden_standard_library = fields.ListField(subfield=fields.StringField(), default=[])
    broken_contract_guidance = fields.StringField(default="")

    # import-linter sets each field's parsed value on the instance; these give it its type.

    @property
    def sources(self) -> list[str]:
        return sorted(module.name for module in cast("list[Module]", self.source_modules))

    @property
    def allowed(self) -> list[str]:
        return sorted(module.name for module in cast("list[Module]", self.allowed_modules))

    @property
    def standard_library_allowed(self) -> bool:
        return cast("bool", self.allow_standard_library)

    @property
    def forbidden_in_standard_library(self) -> frozenset[str]:
        return frozenset(cast("list[str]", self.forbidden_standard_library))

    @property
    def allowed_standard_library(self) -> frozenset[str]:
        """The standard library of the running Python, minus the forbidden modules."""
        if not self.standard_library_allowed:
            return frozenset()
        return frozenset(sys.stdlib_module_names) - self.forbidden_in_standard_library

    def validate(self) -> None:
        """Refuse a misspelt module name: it would leave the real one allowed."""
        unknown = sorted(self.forbidden_in_standard_library - sys.stdlib_module_names)
        if unknown:
            version = f"{sys.version_info.major}.{sys.version_info.minor}"
            raise InvalidContractOptions(
                {
                    "forbidden_standard_library": (
                        f"Not top-level modules of Python {version}'s standard library: "
                        f"{', '.join(unknown)}."
                    )
                }
            )
        if self.forbidden_in_standard_library and not self.standard_library_allowed:
            raise InvalidContractOptions(
                {"forbidden_standard_library": "Needs allow_standard_library = true."}
            )

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        if str(self.session_options.get("include_external_packages")).lower() != "true":
            raise ValueError(
                f"Contract '{self.name}' needs include_external_packages = true in the "
                "top-level configuration: without it, no import of another package is in "
                "the graph, and every such import would pass unseen."
            )
        refused: list[RefusedImport] = []
        for source in self.sources:
            if source not in graph.modules:
                raise ValueError(f"Module '{source}' does not exist.")
            importers = sorted({source, *graph.find_descendants(source)})
            output.verbose_print(verbose, f"Checking the imports of {len(importers)} modules...")
            for importer in importers:
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    reason = self.refusal(source, imported)
                    if reason is None:
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    refused.append(
                        RefusedImport(
                            importer=importer,
                            imported=imported,
                            line_numbers=sorted({detail["line_number"] for detail in details}),
                            reason=reason,
                        )
                    )
        refused.sort(key=lambda each: (each["importer"], each["line_numbers"], each["imported"]))
        return ContractCheck(kept=not refused, metadata={"refused": refused})

    def refusal(self, source: str, imported: str) -> str | None:
        """Why ``source`` may not import ``imported``, or None when it may."""
        if any(within(imported, allowed) for allowed in [source, *self.allowed]):
            return None
        if any(within(imported, root) for root in self.session_options["root_packages"]):
            return "a part of the project this package may not import"
        top_level = imported.partition(".")[0]
        if top_level in self.allowed_standard_library:
            return None
        if top_level in self.forbidden_in_standard_library:
            return "a standard library module forbidden here"
        if top_level in sys.stdlib_module_names:
            return "the standard library, not allowed here"
        return "not in the standard library: a third-party package"

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error(f"Allowed: {self.describe_allowed()}.", bold=False)
        output.new_line()
        for refused in cast("list[RefusedImport]", check.metadata["refused"]):
            lines = ", ".join(f"l.{number}" for number in refused["line_numbers"])
            where = f" ({lines})" if lines else ""
            output.print_error(
                f"-   {refused['importer']} -> {refused['imported']}{where}: {refused['reason']}",
                bold=False,
            )
        guidance = cast("str", self.broken_contract_guidance)
        if guidance:
            output.new_line()
            output.print(guidance)
        output.new_line()

    def describe_allowed(self) -> str:
        allowed = [f"{source} itself" for source in self.sources]
        allowed += self.allowed
        if self.standard_library_allowed:
            forbidden = sorted(self.forbidden_in_standard_library)
            allowed.append(
                f"the standard library except {', '.join(forbidden)}"
                if forbidden
                else "the standard library"
            )
        return "; ".join(allowed)
