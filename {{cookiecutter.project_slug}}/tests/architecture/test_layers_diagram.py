"""The README's diagram of the layers says what the import contracts say.

The diagram (a Mermaid flowchart in README.md, drawn by GitHub and GitLab) is read here
with the few shapes it uses, and compared with ``[tool.importlinter]`` in pyproject.toml:

- a layers contract over the package is a chain of arrows, each layer to the one below;
  independent siblings (``a | b``) each get the arrows of their layer;
- a layers contract over a subpackage (``adapters``) is a subgraph of that name holding
  its modules, with arrows between its layers if it has more than one;
- an allowed_imports contract is an arrow from its package to each package it allows, and
  one to a node whose label starts with "the standard library" and, after a colon, lists
  the modules of it the contract forbids, if any.

Change a contract without the diagram, or the diagram without the contract, and this fails.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importlinter.api import read_configuration

ROOT = Path(__file__).parents[2]
CONFIGURATION: dict[str, Any] = read_configuration(str(ROOT / "pyproject.toml"))
[PACKAGE] = CONFIGURATION["session_options"]["root_packages"]

STANDARD_LIBRARY = "the standard library"
IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
NODE = re.compile(rf'(?P<id>{IDENTIFIER})(?:\["(?P<label>[^"]*)"\])?')
ARROW = re.compile(rf"(?P<start>{IDENTIFIER}) --> (?P<end>{IDENTIFIER})")


@dataclass
class Diagram:
    labels: dict[str, str] = field(default_factory=dict)
    subgraphs: dict[str, set[str]] = field(default_factory=dict)
    arrows: set[tuple[str, str]] = field(default_factory=set)


def mermaid_block(readme: str) -> str:
    blocks = re.findall(r"(?ms)^```mermaid\n(.*?)^```", readme)
    assert len(blocks) == 1, f"README.md has {len(blocks)} mermaid blocks; expected one"
    return str(blocks[0])


def read_diagram(text: str) -> Diagram:
    """The nodes, subgraphs and arrows of a flowchart written as the README writes it.

    One statement a line: ``id`` or ``id["label"]`` (a node), ``a --> b`` (an arrow),
    ``subgraph id["label"]`` ... ``end``. Anything else fails, rather than be misread.
    """
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0].startswith("flowchart"), "the diagram must be a Mermaid flowchart"
    diagram, subgraph = Diagram(), None
    for line in lines[1:]:
        if not line or line.startswith("%%"):
            continue
        if match := re.fullmatch(rf"subgraph {NODE.pattern}", line):
            subgraph = match["id"]
            diagram.subgraphs[subgraph] = set()
            diagram.labels[subgraph] = match["label"] or subgraph
        elif line == "end":
            subgraph = None
        elif match := ARROW.fullmatch(line):
            diagram.arrows.add((match["start"], match["end"]))
        elif match := NODE.fullmatch(line):
            diagram.labels[match["id"]] = match["label"] or match["id"]
            if subgraph is not None:
                diagram.subgraphs[subgraph].add(match["id"])
        else:
            raise AssertionError(f"the diagram test cannot read this line: {line!r}")
    return diagram


def standard_library(forbidden: list[str]) -> str:
    return (
        f"{STANDARD_LIBRARY} without {', '.join(sorted(forbidden))}"
        if forbidden
        else STANDARD_LIBRARY
    )


def relative(module: str, container: str) -> str:
    assert module.startswith(f"{container}."), f"{module} is not in {container}"
    return module.removeprefix(f"{container}.")


def siblings(layer: str) -> list[str]:
    assert ":" not in layer, "the diagram has no way to show non-independent siblings (':')"
    return [name.strip() for name in layer.split("|")]


def arrows_the_contracts_draw() -> tuple[set[tuple[str, str]], dict[str, set[str]]]:
    """What the contracts say, as arrows and as subgraphs (container: its modules)."""
    arrows: set[tuple[str, str]] = set()
    subgraphs: dict[str, set[str]] = {}
    for contract in CONFIGURATION["contracts_options"]:
        if contract["type"] == "layers":
            [container] = contract["containers"]
            layers = [siblings(layer) for layer in contract["layers"]]
            if container != PACKAGE:
                subgraphs[relative(container, PACKAGE)] = {
                    name for layer in layers for name in layer
                }
            for upper, lower in itertools.pairwise(layers):
                arrows |= {(above, below) for above in upper for below in lower}
        elif contract["type"] == "allowed_imports":
            [source] = [relative(module, PACKAGE) for module in contract["source_modules"]]
            for allowed in contract.get("allowed_modules", []):
                arrows.add((source, relative(allowed, PACKAGE)))
            if contract.get("allow_standard_library", "False").lower() == "true":
                forbidden = contract.get("forbidden_standard_library", [])
                arrows.add((source, standard_library(forbidden)))
        else:
            raise AssertionError(f"teach this test how the diagram shows {contract['type']}")
    return arrows, subgraphs


def arrows_the_diagram_draws(diagram: Diagram) -> set[tuple[str, str]]:
    """The diagram's arrows, with each standard library node named as the contracts name it."""

    def name(node: str) -> str:
        label = diagram.labels.get(node, node)
        if not label.startswith(STANDARD_LIBRARY):
            return node
        forbidden = re.findall(IDENTIFIER, label.replace("<br>", " ").partition(":")[2])
        return standard_library(forbidden)

    return {(name(start), name(end)) for start, end in diagram.arrows}


def test_the_readme_diagram_draws_the_import_contracts() -> None:
    diagram = read_diagram(mermaid_block((ROOT / "README.md").read_text(encoding="utf-8")))
    expected_arrows, expected_subgraphs = arrows_the_contracts_draw()

    disagree = "README.md's diagram (left) and pyproject.toml's contracts (right) disagree"
    assert arrows_the_diagram_draws(diagram) == expected_arrows, disagree
    assert diagram.subgraphs == expected_subgraphs, disagree
    in_arrows = {node for arrow in diagram.arrows for node in arrow}
    in_subgraphs = {node for members in diagram.subgraphs.values() for node in members}
    assert set(diagram.labels) - in_arrows - in_subgraphs == set(), "nodes without an arrow"
