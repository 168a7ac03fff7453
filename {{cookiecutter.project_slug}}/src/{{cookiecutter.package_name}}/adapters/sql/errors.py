"""Translate driver errors into domain errors, once, at the edge of the SQL adapter.

Callers of this adapter only ever see ``DomainError`` subclasses: a unique violation is
``AccountAlreadyExists``; a row that refers to a missing account is ``AccountNotFound``;
a deadlock, serialization failure, lock timeout or busy SQLite file is
``ConcurrencyConflict`` (safe to retry); a lost or refused connection is
``StorageUnavailable``.
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
    StorageUnavailable,
)

# PostgreSQL SQLSTATEs that mean "a concurrent transaction got in the way; nothing written".
LOCK_NOT_AVAILABLE = "55P03"
"""A wait for a lock outlasted ``lock_timeout``."""
CONFLICT_SQLSTATES = frozenset({"40001", "40P01", LOCK_NOT_AVAILABLE})
# Which constraint was violated, recognised by what PostgreSQL / SQLite print. Every
# foreign key points at an account, so breaking one means the account does not exist.
CONSTRAINT_VIOLATIONS: dict[str, type[DomainError]] = {
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
def domain_errors(*, on_lock_timeout: DomainError | None = None) -> Iterator[None]:
    """Run a block of driver calls; re-raise any driver error as a domain error.

    ``on_lock_timeout`` replaces ``ConcurrencyConflict`` for a lock wait that timed out,
    where the block knows better what that wait means.
    """
    try:
        yield
    except DRIVER_ERRORS as error:
        if on_lock_timeout is not None and _sqlstate(error) == LOCK_NOT_AVAILABLE:
            raise on_lock_timeout from error
        raise translate(error) from error


def _constraint_violation(error: IntegrityError) -> DomainError:
    message = str(error.orig)
    for marker, domain_error in CONSTRAINT_VIOLATIONS.items():
        if marker in message:
            return domain_error(f"refused by the database ({marker})")
    return DomainError("the database refused a write that breaks one of its constraints")


def _is_conflict(error: DBAPIError) -> bool:
    return _sqlstate(error) in CONFLICT_SQLSTATES or "database is locked" in str(error.orig)


def _sqlstate(error: Exception) -> str | None:
    """The SQLSTATE PostgreSQL gave the error, if it came from PostgreSQL."""
    original = getattr(error, "orig", None)
    return getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
