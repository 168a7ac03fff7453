"""A notice tells the outside world that something happened in the {% if cookiecutter.example == "ledger" %}ledger{% else %}service{% endif %}.

Notices are written to an outbox in the same unit of work as the change they announce,
and delivered later by a relay: a crash between the commit and the delivery loses
nothing, because the notice is already stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from {{ cookiecutter.package_name }}.domain.ids import NoticeId, new_notice_id
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.domain.transfer import Transfer

TRANSFER_COMPLETED = "transfer.completed"
{%- endif %}


@dataclass(frozen=True, slots=True)
class Notice:
    id: NoticeId
    kind: str
    created_at: datetime
    payload: Mapping[str, str] = field(default_factory=dict)

{% if cookiecutter.example == "ledger" %}    @classmethod
    def transfer_completed(cls, transfer: Transfer) -> Notice:
        return cls(
            new_notice_id(),
            TRANSFER_COMPLETED,
            transfer.created_at,
            {
                "transfer_id": str(transfer.id),
                "source_id": str(transfer.source_id),
                "destination_id": str(transfer.destination_id),
                "amount_minor_units": str(transfer.amount.minor_units),
                "currency": transfer.amount.currency.value,
            },
        )
{% else %}    @classmethod
    def new(cls, kind: str, *, at: datetime, **payload: str) -> Notice:
        """A notice of ``kind`` (``"invoice.issued"``), with what its receivers need."""
        return cls(new_notice_id(), kind, at, payload)
{% endif %}

@dataclass(frozen=True, slots=True)
class PendingNotice:
    """A notice claimed for delivery, with the number of attempts that already failed."""

    notice: Notice
    failed_attempts: int
