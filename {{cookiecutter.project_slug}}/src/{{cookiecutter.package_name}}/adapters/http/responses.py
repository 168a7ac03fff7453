"""What each operation may answer besides its success: small named groups, added per route.

A route declares the statuses it can return and no others, so a client generated from
the schema handles each call's own errors, and the fuzz tier's ``status_code_conformance``
check fails on any status a route returns without declaring it. Every error has the one
body ``ErrorOut``; its ``code`` tells apart the errors of one status (the README lists
them all).

The request limits (``limits.py``) answer 400 and 413 to a bad or oversized
``Content-Length`` on any request; only operations that take a body declare them, a GET
sent with a body being outside the contract.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from {{ cookiecutter.package_name }}.adapters.http.schemas import ErrorOut

Responses: TypeAlias = dict[int | str, dict[str, Any]]
"""The ``responses=`` argument of a route: extra statuses and what they carry."""


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


UNEXPECTED: Responses = {
    500: _error("An unexpected failure (internal_error); the details are in the server log"),
}
"""Any operation: ``declared`` adds it to every one."""

AUTHENTICATED: Responses = {
    401: _error("No bearer token, or one that is not valid (unauthenticated, invalid_token)"),
    403: _error("The token lacks the scope this operation needs (insufficient_scope)"),
}
"""Operations that take ``caller: Caller``: all but the health checks."""

WITH_A_BODY: Responses = {
    400: _error("The body cannot be read (invalid_content_length, http_400)"),
    413: _error("The body is over the size limit (request_too_large)"),
}
"""Operations that read a request body."""

VALIDATED: Responses = {
    422: _error(
        "The request does not match this operation's schema (validation_error, with details)"
    ),
}
"""Operations with parameters or a body to validate: the health checks have neither."""
{%- if cookiecutter.example == "ledger" %}

ACCOUNT_LOOKUP: Responses = {
    404: _error(
        "No such account, or not one the caller may use: both read the same (account_not_found)"
    ),
}
"""Operations on an account named in the path, and transfers, on their source."""
{%- endif %}

_REFUSALS = (
{%- if cookiecutter.example == "ledger" %}
    "A valid request the ledger's state refuses; the code says why (insufficient_funds, "
    "currency_mismatch, counterpart_not_found, ...; concurrency_conflict: retry)"
{%- else %}
    "A valid request the service's state refuses; the code says why (concurrency_conflict: retry)"
{%- endif %}
)
REFUSED: Responses = {409: _error(_REFUSALS)}
"""Operations that write. Reads never conflict: they take no lock and check no rule."""

STORAGE: Responses = {
    503: _error(
        "The database (storage_unavailable, with Retry-After) or, for a token, the identity "
        "provider's keys (identity_provider_unavailable) cannot be reached; nothing was done"
    ),
    504: _error(
        "Not answered in time: request_timeout for a read; outcome_unknown for a write, "
        "which may or may not have been applied: retry it with the same Idempotency-Key"
    ),
}
"""Operations that use the database, which may be down or slow."""

READINESS: Responses = {
    503: _error(
        "Not ready: the database cannot be reached (storage_unavailable), its schema is "
        "behind this release (storage_not_migrated), or the process is shutting down "
        "(shutting_down)"
    ),
}
"""The readiness probe; listed after ``STORAGE``, whose 503 this replaces."""

IDEMPOTENT: Responses = {
    409: _error(
        f"{_REFUSALS}; request_in_progress: the first request sent with this "
        "Idempotency-Key is still running, retry after Retry-After seconds"
    )
    | {
        "headers": {
            "Retry-After": {
                "description": "With request_in_progress: seconds to wait before retrying",
                "schema": {"type": "integer", "minimum": 0},
            }
        }
    },
    422: _error(
        "The request does not match this operation's schema (validation_error, with "
        "details), or its Idempotency-Key was sent before with a different request "
        "(idempotency_key_reused)"
    ),
}
"""Operations that honour an ``Idempotency-Key``; listed after ``REFUSED`` and ``VALIDATED``,
whose descriptions these extend."""

KEY_REQUIRED: Responses = {
    400: _error(
        "No Idempotency-Key (idempotency_key_required), or a body that cannot be read "
        "(invalid_content_length, http_400)"
    ),
}
{%- if cookiecutter.example == "ledger" %}
"""Operations that move money, and so require an ``Idempotency-Key``; listed after
{%- else %}
"""Operations that require an ``Idempotency-Key``; listed after
{%- endif %}
``WITH_A_BODY``, whose 400 this extends."""
{%- if cookiecutter.example == "ledger" %}

MOVES_MONEY = (
    AUTHENTICATED,
    WITH_A_BODY,
    VALIDATED,
    ACCOUNT_LOOKUP,
    REFUSED,
    STORAGE,
    IDEMPOTENT,
    KEY_REQUIRED,
)
"""Everything a deposit or a transfer may answer besides its success."""
{%- endif %}


def replayable(status: int) -> Responses:
    """The success ``status`` of an operation that honours an ``Idempotency-Key``, with
    the header that marks a replayed answer."""
    replayed = {
        "description": "The first answer to this Idempotency-Key, given again",
        "schema": {"type": "string", "enum": ["true"]},
    }
    return {status: {"headers": {"Idempotent-Replayed": replayed}}}


def declared(*groups: Responses) -> Responses:
    """The ``responses=`` of a route that may answer ``groups`` (and 500), in status order."""
    statuses: Responses = {}
    for group in (UNEXPECTED, *groups):
        statuses |= group
    return dict(sorted(statuses.items(), key=lambda status: str(status[0])))
