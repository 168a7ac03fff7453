"""SQL implementation of the unit-of-work port in ``usecases/unit_of_work.py``.

One unit of work is one connection and one transaction. The repositories it hands out are
bound to that connection, so everything a use case does commits or rolls back together.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from {{ cookiecutter.package_name }}.adapters.sql.engine import IMMEDIATE, is_sqlite
from {{ cookiecutter.package_name }}.adapters.sql.errors import domain_errors
from {{ cookiecutter.package_name }}.adapters.sql.repositories import (
    SqlAccountRepository,
    SqlAuditLog,
    SqlOutbox,
    SqlTransferRepository,
)


class SqlUnitOfWork:
    accounts: SqlAccountRepository
    transfers: SqlTransferRepository
    audit_log: SqlAuditLog
    outbox: SqlOutbox

    def __init__(self, engine: AsyncEngine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._connection: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None

    async def __aenter__(self) -> Self:
        with domain_errors():
            connection = await self._engine.connect()
            try:
                if is_sqlite(self._engine) and not self._read_only:
                    connection = await connection.execution_options(sqlite_begin=IMMEDIATE)
                self._transaction = await connection.begin()
            except BaseException:
                await connection.close()
                raise
        self._connection = connection
        self.accounts = SqlAccountRepository(connection)
        self.transfers = SqlTransferRepository(connection)
        self.audit_log = SqlAuditLog(connection)
        self.outbox = SqlOutbox(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await self.rollback()
        finally:
            if self._connection is not None:
                with domain_errors():
                    await self._connection.close()

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("commit() in a read-only unit of work")
        if self._transaction is None:
            raise RuntimeError("commit() outside 'async with'")
        with domain_errors():
            await self._transaction.commit()

    async def rollback(self) -> None:
        if self._transaction is not None and self._transaction.is_active:
            with domain_errors():
                await self._transaction.rollback()


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, read_only=read_only)
