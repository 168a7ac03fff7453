"""Who is asking: the subject a verified credential speaks for, and what it may do.

The HTTP adapter builds a ``Principal`` from a bearer token and hands it to every use
case, which decide with it (``usecases/access.py``). Nothing here knows how the caller
proved who it is: a JWT today, a session or a test tomorrow.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from {{ cookiecutter.package_name }}.domain.errors import InvalidToken

MAX_SUBJECT_LENGTH = 255
{%- if cookiecutter.example == "ledger" %}
"""The longest subject the storage keeps as an owner (the ``accounts.owner`` column)."""
{%- else %}
"""The longest subject the storage keeps as an owner (an aggregate's ``owner`` column)."""
{%- endif %}


class Scope(StrEnum):
    """What a principal may do, as the identity provider grants it in the token."""

{% if cookiecutter.example == "ledger" %}    READ = "ledger:read"
    """Read one's own accounts and their transfers."""
    WRITE = "ledger:write"
    """Open accounts and move money out of one's own."""
    ADMIN = "ledger:admin"
    """Deposit: money entering the ledger from outside, into any account."""
{% else %}    READ = "service:read"
    """Read one's own things."""
    WRITE = "service:write"
    """Create things, and change one's own."""
    ADMIN = "service:admin"
    """What only operators and trusted systems may do."""
{% endif %}

@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
{%- if cookiecutter.example == "ledger" %}
    """Stable and unique per user or client (the JWT ``sub``); accounts belong to it."""
{%- else %}
    """Stable and unique per user or client (the JWT ``sub``); what it creates belongs to it."""
{%- endif %}
    scopes: frozenset[Scope]

    def __post_init__(self) -> None:
        if not 0 < len(self.subject) <= MAX_SUBJECT_LENGTH:
            raise InvalidToken(f"the subject must be 1 to {MAX_SUBJECT_LENGTH} characters")

    @classmethod
    def of(cls, subject: str, scopes: str) -> Principal:
        """A principal from a space-separated scope list (OAuth 2.0's ``scope`` claim);
        scopes this service does not know are ignored."""
        granted = set(scopes.split())
        return cls(subject, frozenset(scope for scope in Scope if scope in granted))
