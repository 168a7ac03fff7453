r"""Every ``pattern`` in the OpenAPI schema means the same in Python and in ECMA-262.

JSON Schema reads patterns as ECMA-262 (JavaScript) regular expressions, and so do the
clients and tools generated from the schema; Python tools read them with ``re``. The two
syntaxes overlap, but not every construct means the same in both: ``\s``, ``\d`` and
``\w`` are wider sets in Python (Unicode digits and letters, and ``\x1c``-``\x1f`` and
``\x85`` as spaces) than in ECMA-262 (which counts ``\ufeff`` as a space); ``\b`` follows
``\w``; ``\A``, ``\Z``, ``(?P<name>``, inline flags, atomic groups and possessive
quantifiers are Python's only (ECMA-262 reads ``\A`` as the letter A). A pattern using one
would let a client send what the service refuses, or refuse what it accepts. So patterns
spell their sets out, ``[\x21-\x7e]``, and this test walks the schema to keep it so.

One difference no pattern can avoid: Python's ``$`` also matches before a final newline.
The service itself validates with pydantic's engine, where ``$`` ends the text as in
ECMA-262, so a trailing newline is refused there whatever a Python tool says.
"""

from __future__ import annotations

from typing import Any

import pytest

from {{ cookiecutter.package_name }}.adapters.http.idempotency import IDEMPOTENCY_KEY_PATTERN
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.adapters.http.schemas import EMAIL_PATTERN
{%- endif %}
from {{ cookiecutter.package_name }}.bootstrap import create_app
from tests.api.tokens import api_settings

ESCAPES = {
    **dict.fromkeys("sS", "a whitespace set, not the same in the two engines"),
    **dict.fromkeys("dDwW", "Unicode digits or letters in Python, ASCII ones in ECMA-262"),
    **dict.fromkeys("bB", "a word boundary, which follows \\w"),
    **dict.fromkeys("AZzUN", "Python's only (ECMA-262 reads the letter itself)"),
    **dict.fromkeys("kpPc", "ECMA-262's only (Python refuses it)"),
}
"""Backslash escapes whose meaning differs, by the letter after the backslash."""
GROUPS = {
    "P": "a named group or reference in Python's spelling",
    "<": "a lookbehind (fixed-width only in Python) or an ECMA-262 named group",
    ">": "an atomic group, Python's only",
    "#": "a comment, Python's only",
    "(": "a conditional, Python's only",
}
"""``(?`` constructs, by the character after ``(?``; any other but ``:=!`` is inline flags."""
QUANTIFIERS = "*+?}"


def differences(pattern: str) -> list[str]:
    """The constructs of ``pattern`` that Python and ECMA-262 read differently.

    A scan of the pattern as both engines tokenise it: escapes, character classes (where
    only escapes matter), group openings and quantifiers.
    """
    found: list[str] = []
    in_class, at = False, 0
    while at < len(pattern):
        char, following = pattern[at], pattern[at + 1 : at + 2]
        if char == "\\":
            if following in ESCAPES:
                found.append(f"\\{following}: {ESCAPES[following]}")
            at += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            first = at + 2 if following == "^" else at + 1
            if pattern[first : first + 1] == "]":
                found.append("[]: an empty class in ECMA-262, a literal ']' in Python")
                at = first
        elif char == "(" and following == "?":
            kind = pattern[at + 2 : at + 3]
            if kind not in (":", "=", "!"):
                found.append(f"(?{kind}: {GROUPS.get(kind, 'inline flags, not in ECMA-262')}")
            at += 2
            continue
        elif char in QUANTIFIERS and following == "+":
            found.append(f"{char}+: a possessive quantifier, Python's only")
        at += 1
    return found


def escaped(key: str) -> str:
    """``key`` as a step of a JSON pointer (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def patterns_in(document: object, where: str = "#") -> dict[str, str]:
    """Every ``pattern`` string in ``document``, by its JSON pointer."""
    found: dict[str, str] = {}
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "pattern" and isinstance(value, str):
                found[f"{where}/pattern"] = value
            else:
                found |= patterns_in(value, f"{where}/{escaped(str(key))}")
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found |= patterns_in(value, f"{where}/{index}")
    return found


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return create_app(api_settings()).openapi()


class TestTheSchemasPatterns:
    def test_mean_the_same_to_python_and_to_ecma_262(self, schema: dict[str, Any]) -> None:
        found = patterns_in(schema)

{% if cookiecutter.example == "ledger" %}        assert {EMAIL_PATTERN, IDEMPOTENCY_KEY_PATTERN} <= set(found.values())
{% endif %}        refused = {where: differences(each) for where, each in found.items() if differences(each)}
        assert refused == {}


class TestTheCheckBites:
    @pytest.mark.parametrize(
        ("pattern", "construct"),
        [
            (r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+$", "\\s"),  # the email's, once
            (r"^\S+$", "\\S"),
            (r"^\d{4}$", "\\d"),
            (r"[\w.-]+", "\\w"),
            (r"\bEUR\b", "\\b"),
            (r"\Aabc\Z", "\\A"),
            (r"abc\Z", "\\Z"),
            (r"(?P<currency>[A-Z]{3})", "(?P"),
            (r"(?<=@)example", "(?<"),
            (r"(?<!x)y", "(?<"),
            (r"(?>a+)b", "(?>"),
            (r"(?i)eur", "(?i"),
            (r"(?x: a )", "(?x"),
            (r"a++", "++"),
            (r"a*+", "*+"),
            (r"a{2,}+", "}+"),
            (r"[]a]", "[]"),
        ],
    )
    def test_it_refuses_each_construct_the_engines_read_differently(
        self, pattern: str, construct: str
    ) -> None:
        assert [found for found in differences(pattern) if found.startswith(construct)]

    @pytest.mark.parametrize(
        "pattern",
        [
{%- if cookiecutter.example == "ledger" %}
            EMAIL_PATTERN,
{%- endif %}
            IDEMPOTENCY_KEY_PATTERN,
            r"^[A-Z]{3}$",
            r"\\s",  # a backslash, then the letter s
            r"[*+?]+",  # quantifier characters are literals in a class
            r"a+?b*?",  # lazy quantifiers read the same
            r"(?:ab)+(?=c)(?!d)",
            r"[\x00-\x1f\u2028]",
        ],
    )
    def test_it_lets_portable_patterns_through(self, pattern: str) -> None:
        assert differences(pattern) == []

    def test_the_walk_finds_a_pattern_wherever_the_schema_keeps_it(self) -> None:
        document = {
            "paths": {"/x": {"get": {"parameters": [{"schema": {"anyOf": [{"pattern": "a"}]}}]}}},
            "components": {"schemas": {"M": {"properties": {"pattern": {"pattern": "b"}}}}},
        }

        assert patterns_in(document) == {
            "#/paths/~1x/get/parameters/0/schema/anyOf/0/pattern": "a",
            "#/components/schemas/M/properties/pattern/pattern": "b",
        }
