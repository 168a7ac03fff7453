"""An audit entry records a change to the {% if cookiecutter.example == "ledger" %}ledger{% else %}service's state{% endif %}, written in the same transaction."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from {{ cookiecutter.package_name }}.domain.ids import AuditEntryId, new_audit_entry_id


class AuditAction(enum.StrEnum):
{%- if cookiecutter.example == "ledger" %}
    ACCOUNT_OPENED = "account.opened"
    DEPOSIT_MADE = "deposit.made"
    TRANSFER_COMPLETED = "transfer.completed"
{%- else %}
    """What an audit entry says happened: one member per action the service records,
    named by what the business calls it (``INVOICE_ISSUED = "invoice.issued"``)."""
{%- endif %}


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
