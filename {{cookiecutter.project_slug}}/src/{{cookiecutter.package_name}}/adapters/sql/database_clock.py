"""The database server's clock, as an SQL expression: the one time every process agrees on.

Relays on several hosts schedule notices in one table. Were each to write its own
clock's time there, a host running an hour fast would find every lease of the others
over and deliver their notices a second time. ``database_now()`` asks the database
instead, in the statement itself, so the hosts' clocks never enter the comparison.

Built with SQLAlchemy's documented extension for dialect-specific SQL
(``sqlalchemy.ext.compiler``): one expression, compiled per dialect. SQLite has no
timestamp type: ``UtcDateTime`` stores text such as ``2030-01-01 12:00:00.123456``, and
its rows compare as strings, so SQLite's clock is printed in exactly that layout
(milliseconds, padded to six digits) for the comparison to hold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from {{ cookiecutter.package_name }}.adapters.sql.tables import UtcDateTime

SQLITE_LAYOUT = "%Y-%m-%d %H:%M:%f000"
"""``%f`` is seconds with milliseconds (``05.123``); ``000`` pads them to microseconds."""
SECONDS_PER_DAY = 86400.0


class DatabaseNow(FunctionElement[datetime]):
    """The database's current time, or that plus a number of seconds (its one argument)."""

    type = UtcDateTime()
    inherit_cache = True
    name = "database_now"


def database_now(plus_seconds: ColumnElement[float] | None = None) -> DatabaseNow:
    """Now by the database's clock; with ``plus_seconds``, that many seconds later."""
    return DatabaseNow() if plus_seconds is None else DatabaseNow(plus_seconds)


def _seconds(element: DatabaseNow, compiler: SQLCompiler, **kw: Any) -> str | None:
    clauses = list(element.clauses)
    return compiler.process(clauses[0], **kw) if clauses else None


@compiles(DatabaseNow, "postgresql")
def _postgresql_now(element: DatabaseNow, compiler: SQLCompiler, **kw: Any) -> str:
    """``now()`` is the start of the transaction: one instant for all of a statement's rows."""
    seconds = _seconds(element, compiler, **kw)
    return "now()" if seconds is None else f"now() + make_interval(secs => {seconds})"


@compiles(DatabaseNow, "sqlite")
def _sqlite_now(element: DatabaseNow, compiler: SQLCompiler, **kw: Any) -> str:
    seconds = _seconds(element, compiler, **kw)
    when = "'now'" if seconds is None else f"julianday('now') + {seconds} / {SECONDS_PER_DAY}"
    return f"strftime('{SQLITE_LAYOUT}', {when})"


@compiles(DatabaseNow)
def _unsupported(_element: DatabaseNow, compiler: SQLCompiler, **_kw: Any) -> str:
    raise CompileError(f"no database clock for {compiler.dialect.name}: add one here")
