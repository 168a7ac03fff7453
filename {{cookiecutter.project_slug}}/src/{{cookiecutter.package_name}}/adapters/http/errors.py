"""Domain errors and bad requests become JSON errors here, and only here.

Every error body has one shape, ``{"error": {"code": ..., "message": ...}}`` (validation
errors add ``details``), and never contains a stack trace, SQL or the text of an
unexpected exception: those go to the log, not to the caller. The status of each domain
error is one line below, and each status means one thing: 422 what the request alone
shows to be wrong (the schema, checked before any use case runs, or an idempotency key
{%- if cookiecutter.example == "ledger" %}
sent before with another request), 409 a valid request the ledger's state refuses (an
overdraft, an account in another currency, a destination that does not exist) or that
must wait for its original, 504 a write whose outcome is unknown. The README lists every
code with its status.
{%- else %}
sent before with another request), 409 a valid request the service's state refuses or
that must wait for its original, 504 a write whose outcome is unknown. The README lists
every code with its status.
{%- endif %}
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from {{ cookiecutter.package_name }}.adapters.http.idempotency import is_missing_key
from {{ cookiecutter.package_name }}.adapters.http.schemas import (
    ErrorDetail,
    ErrorOut,
    ValidationIssue,
)
from {{ cookiecutter.package_name }}.domain import errors

STATUS_OF: dict[type[errors.DomainError], int] = {
    errors.IdempotencyKeyRequired: 400,
    errors.Unauthenticated: 401,
    errors.PermissionDenied: 403,
{%- if cookiecutter.example == "ledger" %}
    errors.AccountNotFound: 404,
{%- endif %}
    # add_aggregate: not found
{%- if cookiecutter.example == "ledger" %}
    # 409: a valid request the ledger's state refuses. 422 is for the request alone.
{%- else %}
    # 409: a valid request the service's state refuses. 422 is for the request alone.
{%- endif %}
{%- if cookiecutter.example == "ledger" %}
    errors.AccountAlreadyExists: 409,
    errors.CounterpartNotFound: 409,
    errors.CurrencyMismatch: 409,
    errors.InsufficientFunds: 409,
    errors.InvalidMoney: 409,
    errors.InvalidTransfer: 409,
{%- endif %}
    errors.ConcurrencyConflict: 409,
    errors.RequestInProgress: 409,
    # 422 for a key sent again with another request, as the Idempotency-Key draft says.
    errors.IdempotencyKeyReused: 422,
    errors.StorageError: 503,
    errors.StorageUnavailable: 503,
    errors.IdentityProviderUnavailable: 503,
    errors.StorageNotMigrated: 503,
    errors.ShuttingDown: 503,
    # The database may have committed: only a retry with the same key can tell.
    errors.OutcomeUnknown: 504,
}
RETRY_AFTER_SECONDS = 1
"""When to retry a request whose original is still running; most finish well within it."""
DEFAULT_DOMAIN_STATUS = 409
"""A domain error not listed above is the {% if cookiecutter.example == "ledger" %}ledger{% else %}service{% endif %} refusing a valid request too."""


def status_of(error: errors.DomainError) -> int:
    return status_for(type(error))


def status_for(error_type: type[errors.DomainError]) -> int:
    """The status of the nearest listed class, so a new subclass answers as its base."""
    for base in error_type.__mro__:
        if base in STATUS_OF:
            return STATUS_OF[base]
    return DEFAULT_DOMAIN_STATUS


HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
"""The methods a 405's ``Allow`` may name (RFC 9110's, but CONNECT and TRACE)."""
RETRY_LATER = (errors.RequestInProgress, errors.StorageUnavailable)
"""Errors whose request may succeed as it is, sent again a moment later."""


def headers_for(error: errors.DomainError) -> dict[str, str] | None:
    """``Retry-After`` for a request to send again later; else ``challenge(error)``."""
    if isinstance(error, RETRY_LATER):
        return {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return challenge(error)


def challenge(error: errors.DomainError) -> dict[str, str] | None:
    """The ``WWW-Authenticate`` header RFC 6750 asks for with a 401 or 403."""
    if isinstance(error, errors.InvalidToken):
        return {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    if isinstance(error, errors.Unauthenticated):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, errors.PermissionDenied):
        return {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{error.scope}"'}
    return None


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    details: list[ValidationIssue] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorOut(error=ErrorDetail(code=code, message=message, details=details))
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=status, headers=headers
    )


def allowed_methods(request: Request) -> str:
    """Every method of the request's path, for a 405's ``Allow``. Starlette names only those
    of the first route on the path, and a collection may have two (``GET`` and ``POST``)."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.DomainError)
    async def on_domain_error(_request: Request, error: errors.DomainError) -> JSONResponse:
        return error_response(status_of(error), error.code, str(error), headers=headers_for(error))

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            ValidationIssue(
                location=list(issue["loc"]),
                message=issue["msg"],
                type=issue["type"],
            )
            for issue in error.errors()
        ]
        if any(is_missing_key(tuple(issue["loc"]), issue["type"]) for issue in error.errors()):
            missing = errors.IdempotencyKeyRequired(
{%- if cookiecutter.example == "ledger" %}
                "send an Idempotency-Key header: this request moves money, and without a "
                "key a retry could move it twice"
{%- else %}
                "send an Idempotency-Key header: without one, a retry of this request "
                "could do its work twice"
{%- endif %}
            )
            return error_response(400, missing.code, str(missing), details=details)
        return error_response(422, "validation_error", "the request is not valid", details=details)

    @app.exception_handler(HTTPException)
    async def on_http_error(request: Request, error: HTTPException) -> JSONResponse:
        headers = error.headers
        if error.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
            headers = {"Allow": allowed_methods(request)}
        return error_response(
            error.status_code, f"http_{error.status_code}", str(error.detail), headers=headers
        )

    @app.exception_handler(Exception)
    async def on_unexpected_error(_request: Request, _error: Exception) -> JSONResponse:
        # Starlette re-raises the error once this response is sent, so the server logs the
        # traceback; the caller learns nothing about it.
        return error_response(500, "internal_error", "the server could not handle the request")
