"""Translate driver errors into domain errors, once, at the edge of the SQL adapter.

Callers of this adapter see ``DomainError`` subclasses for what the storage can tell
{%- if cookiecutter.example == "ledger" %}
them: a unique violation is ``AccountAlreadyExists``; a row that refers to a missing
account is ``AccountNotFound``; a deadlock, serialization failure, lock timeout or busy
{%- else %}
them: a constraint listed in ``CONSTRAINT_VIOLATIONS`` is the error listed with it; a
deadlock, serialization failure, lock timeout or busy
{%- endif %}
SQLite file is ``ConcurrencyConflict`` (safe to retry); a connection that is lost, refused
or not given in time, and a statement past its timeout, are ``StorageUnavailable``.

Anything else (a missing table, a malformed statement, a value the database refuses) is
a bug or an unmigrated database, not an outage: it is left as it is, so the caller gets
500 and the server log gets the error with its cause, instead of a 503 that says the
database cannot be reached and invites retries that will fail the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from {{ cookiecutter.package_name }}.domain.errors import (
{%- if cookiecutter.example == "ledger" %}
    AccountAlreadyExists,
    AccountNotFound,
{%- endif %}
    ConcurrencyConflict,
    DomainError,
    StorageUnavailable,
)

LOCK_NOT_AVAILABLE = "55P03"
"""A wait for a lock outlasted ``lock_timeout``."""
CONFLICT_SQLSTATES = frozenset({"40001", "40P01", LOCK_NOT_AVAILABLE})
"""PostgreSQL: "a concurrent transaction got in the way; nothing was written"."""
UNAVAILABLE_SQLSTATES = frozenset(
    {
        "57014",  # query_canceled: past statement_timeout
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: starting up or shutting down
        "53300",  # too_many_connections
    }
)
"""PostgreSQL: the server cannot do the work now, through no fault of the request; the
whole class 08 (connection exceptions) is too."""
UNAVAILABLE_SQLITE_MESSAGES = ("unable to open database file", "disk I/O error")
{%- if cookiecutter.example == "ledger" %}
# Which constraint was violated, recognised by what PostgreSQL / SQLite print. Every
# foreign key points at an account, so breaking one means the account does not exist.
CONSTRAINT_VIOLATIONS: dict[str, type[DomainError]] = {
    '"pk_accounts"': AccountAlreadyExists,
    "UNIQUE constraint failed: accounts.id": AccountAlreadyExists,
    "violates foreign key constraint": AccountNotFound,
    "FOREIGN KEY constraint failed": AccountNotFound,
}
{%- else %}
# Which constraint was violated, recognised by what PostgreSQL / SQLite print: list one an
# aggregate's repository relies on with the domain error it stands for.
CONSTRAINT_VIOLATIONS: dict[str, type[DomainError]] = {}
{%- endif %}


def translate(error: Exception) -> DomainError | None:
    """The domain error that stands for a driver or connection error; None for a bug."""
    if isinstance(error, IntegrityError):
        return _constraint_violation(error)
    if _sqlstate(error) in CONFLICT_SQLSTATES or "database is locked" in _message(error):
        return ConcurrencyConflict("the storage aborted a conflicting transaction")
    if _is_unavailable(error):
        return StorageUnavailable("the database cannot be reached or did not answer in time")
    return None


DRIVER_ERRORS = (SQLAlchemyError, OSError, TimeoutError)


@contextmanager
def domain_errors(*, on_lock_timeout: DomainError | None = None) -> Iterator[None]:
    """Run a block of driver calls; re-raise a storage failure as a domain error.

    ``on_lock_timeout`` replaces ``ConcurrencyConflict`` for a lock wait that timed out,
    where the block knows better what that wait means. Errors that are bugs pass through.
    """
    try:
        yield
    except DRIVER_ERRORS as error:
        if on_lock_timeout is not None and _sqlstate(error) == LOCK_NOT_AVAILABLE:
            raise on_lock_timeout from error
        translated = translate(error)
        if translated is None:
            raise
        raise translated from error


def _is_unavailable(error: Exception) -> bool:
    """A connection-class failure: the storage, not the request or the code, is at fault."""
    if isinstance(error, OSError | TimeoutError | PoolTimeout | InterfaceError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = _sqlstate(error) or ""
    return (
        error.connection_invalidated
        or sqlstate.startswith("08")
        or sqlstate in UNAVAILABLE_SQLSTATES
        or any(message in _message(error) for message in UNAVAILABLE_SQLITE_MESSAGES)
        or isinstance(error.orig, OSError | TimeoutError)
    )


def _constraint_violation(error: IntegrityError) -> DomainError:
    message = str(error.orig)
    for marker, domain_error in CONSTRAINT_VIOLATIONS.items():
        if marker in message:
            return domain_error(f"refused by the database ({marker})")
    return DomainError("the database refused a write that breaks one of its constraints")


def _message(error: Exception) -> str:
    return str(getattr(error, "orig", None) or error)


def _sqlstate(error: Exception) -> str | None:
    """The SQLSTATE PostgreSQL gave the error, if it came from PostgreSQL."""
    original = getattr(error, "orig", None)
    return getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
