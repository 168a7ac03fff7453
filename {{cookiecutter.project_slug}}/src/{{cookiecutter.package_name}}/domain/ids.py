"""Typed identifiers: mypy refuses {% if cookiecutter.example == "ledger" %}an ``AccountId`` where a ``TransferId``{% else %}a ``NoticeId`` where an ``AuditEntryId``{% endif %} is expected."""

import uuid
from typing import NewType

{% if cookiecutter.example == "ledger" %}AccountId = NewType("AccountId", uuid.UUID)
TransferId = NewType("TransferId", uuid.UUID)
{% endif %}AuditEntryId = NewType("AuditEntryId", uuid.UUID)
NoticeId = NewType("NoticeId", uuid.UUID)
{%- if cookiecutter.example == "ledger" %}


def new_account_id() -> AccountId:
    return AccountId(uuid.uuid4())


def new_transfer_id() -> TransferId:
    return TransferId(uuid.uuid4())
{%- endif %}


def new_audit_entry_id() -> AuditEntryId:
    return AuditEntryId(uuid.uuid4())


def new_notice_id() -> NoticeId:
    return NoticeId(uuid.uuid4())
