"""The ``Idempotency-Key`` header, after the IETF draft "The Idempotency-Key HTTP Header
Field": required where {% if cookiecutter.example == "ledger" %}money moves{% else %}a route says so{% endif %}, honoured where a retry would create a second thing.

A retry with the same key answers what the first request got, with the same status and
body, marked ``Idempotent-Replayed: true``. The key is declared required in the schema,
so generated clients ask for it; a request without it gets 400
``idempotency_key_required`` (``errors.py``), as the draft says, rather than a 422.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Response

from {{ cookiecutter.package_name }}.domain.idempotency import MAX_KEY_LENGTH
from {{ cookiecutter.package_name }}.usecases.idempotency import Outcome

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]+$"
"""Printable ASCII without spaces, as a range: no class escape, whose meaning varies by engine."""
_RETRIES = (
    "A retry with the same key returns the first answer and does the work once; the same "
    "key with a different request is refused (422). Keys are the caller's own, kept 24 "
    "hours by default. Use a new random key (a UUID) for each new request."
)

RequiredIdempotencyKey = Annotated[
    str,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description=f"Required{% if cookiecutter.example == "ledger" %}: this request moves money{% endif %}. {_RETRIES}",
    ),
]
OptionalIdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description=f"Recommended. {_RETRIES}",
    ),
]


def mark_replayed(response: Response, outcome: Outcome[Any]) -> None:
    """Tell the client that ``outcome`` is the first request's answer, given again."""
    if outcome.replayed:
        response.headers[REPLAYED_HEADER] = "true"


def is_missing_key(location: tuple[int | str, ...], issue_type: str) -> bool:
    """Whether a validation issue is the required key's absence."""
    return issue_type == "missing" and [str(part).lower() for part in location] == [
        "header",
        HEADER.lower(),
    ]
