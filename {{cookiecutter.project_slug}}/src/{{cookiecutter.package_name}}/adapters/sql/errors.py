"""Translate driver errors into domain errors, once, at the edge of the SQL adapter.

Callers of this adapter only ever see ``DomainError`` subclasses: a unique violation is
``AccountAlreadyExists`` or ``DuplicateIdempotencyKey``; a row that refers to a missing
account is ``AccountNotFound``; a deadlock, serialization
failure or busy SQLite file is ``ConcurrencyConflict`` (safe to retry); a lost or refused
connection is ``StorageUnavailable``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from {{ cookiecutter.package_name }}.domain.errors import (
    AccountAlreadyExists,
    AccountNotFound,
    ConcurrencyConflict,
    DomainError,
    DuplicateIdempotencyKey,
    StorageUnavailable,
)

# PostgreSQL SQLSTATEs that mean "a concurrent transaction got in the way; nothing written".
CONFLICT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
# Which constraint was violated, recognised by what PostgreSQL / SQLite print. Every
# foreign key points at an account, so breaking one means the account does not exist.
CONSTRAINT_VIOLATIONS: dict[str, type[DomainError]] = {
    "idempotency_key": DuplicateIdempotencyKey,
    '"pk_accounts"': AccountAlreadyExists,
    "UNIQUE constraint failed: accounts.id": AccountAlreadyExists,
    "violates foreign key constraint": AccountNotFound,
    "FOREIGN KEY constraint failed": AccountNotFound,
}


def translate(error: Exception) -> DomainError:
    """The domain error that stands for a driver or connection error."""
    if isinstance(error, IntegrityError):
        return _constraint_violation(error)
    if isinstance(error, DBAPIError) and _is_conflict(error):
        return ConcurrencyConflict("the storage aborted a conflicting transaction")
    return StorageUnavailable("the database cannot be reached")


DRIVER_ERRORS = (SQLAlchemyError, OSError, TimeoutError)


@contextmanager
def domain_errors() -> Iterator[None]:
    """Run a block of driver calls; re-raise any driver error as a domain error."""
    try:
        yield
    except DRIVER_ERRORS as error:
        raise translate(error) from error


def _constraint_violation(error: IntegrityError) -> DomainError:
    message = str(error.orig)
    for marker, domain_error in CONSTRAINT_VIOLATIONS.items():
        if marker in message:
            return domain_error(f"refused by the database ({marker})")
    return DomainError("the database refused a write that breaks one of its constraints")


def _is_conflict(error: DBAPIError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return sqlstate in CONFLICT_SQLSTATES or "database is locked" in str(error.orig)
