"""An audit entry records a change to the ledger, written in the same transaction."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from {{ cookiecutter.package_name }}.domain.ids import AuditEntryId, new_audit_entry_id


class AuditAction(enum.StrEnum):
    ACCOUNT_OPENED = "account.opened"
    DEPOSIT_MADE = "deposit.made"
    TRANSFER_COMPLETED = "transfer.completed"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: AuditEntryId
    action: AuditAction
    subject_id: str
    occurred_at: datetime
    details: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def record(
        cls, action: AuditAction, subject_id: object, *, at: datetime, **details: str
    ) -> AuditEntry:
        return cls(new_audit_entry_id(), action, str(subject_id), at, details)
