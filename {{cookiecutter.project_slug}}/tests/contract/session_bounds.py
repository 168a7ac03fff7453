"""PostgreSQL session bounds for tests: generous everywhere but where a test tightens one."""

from {{ cookiecutter.package_name }}.adapters.sql.engine import SessionBounds

GENEROUS_SECONDS = 60.0


def bounded(
    *,
    statement_timeout: float = GENEROUS_SECONDS,
    lock_timeout: float = GENEROUS_SECONDS,
    idle_in_transaction_timeout: float = GENEROUS_SECONDS,
) -> SessionBounds:
    return SessionBounds(statement_timeout, lock_timeout, idle_in_transaction_timeout)
