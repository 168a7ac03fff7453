"""Typed identifiers: mypy refuses an ``AccountId`` where a ``TransferId`` is expected."""

import uuid
from typing import NewType

AccountId = NewType("AccountId", uuid.UUID)
TransferId = NewType("TransferId", uuid.UUID)
AuditEntryId = NewType("AuditEntryId", uuid.UUID)
NoticeId = NewType("NoticeId", uuid.UUID)


def new_account_id() -> AccountId:
    return AccountId(uuid.uuid4())


def new_transfer_id() -> TransferId:
    return TransferId(uuid.uuid4())


def new_audit_entry_id() -> AuditEntryId:
    return AuditEntryId(uuid.uuid4())


def new_notice_id() -> NoticeId:
    return NoticeId(uuid.uuid4())
