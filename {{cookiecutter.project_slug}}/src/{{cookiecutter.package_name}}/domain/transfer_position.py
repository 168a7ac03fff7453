"""Where a listing of transfers stands: a place in the newest-first order of transfers.

Transfers are listed newest first, and transfers made at the same instant by id, the
higher first, so ``(created_at, id)`` orders them all, with no two in the same place. A
page starts right after the last transfer of the page before. Unlike a number of rows to
skip, a position stays right while new transfers arrive (they sort before it, never
shifting a later page), and storage finds it in an index instead of counting its way
through the history up to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from {{ cookiecutter.package_name }}.domain.ids import TransferId
from {{ cookiecutter.package_name }}.domain.transfer import Transfer


@dataclass(frozen=True, slots=True, order=True)
class TransferPosition:
    """Compares as the order does: a newer transfer's position is the greater."""

    created_at: datetime
    id: TransferId

    @classmethod
    def of(cls, transfer: Transfer) -> TransferPosition:
        return cls(transfer.created_at, transfer.id)
