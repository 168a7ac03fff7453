"""The ``cursor`` of a listing: a position in a newest-first order, written for the URL.

{% if cookiecutter.example == "ledger" %}A position is an instant and an id (``TransferPosition``, and those of the aggregates
``make aggregate`` adds): every listing's cursor is written the same way.
{% else %}A position is an instant and an id (those of the aggregates ``make aggregate`` adds):
every listing's cursor is written the same way.
{% endif %}Clients pass a page's ``next_cursor`` back as it came and never read it, so its format is
the service's own (a new one must still read the cursors clients hold across an upgrade).
It is 24 bytes in base64url, 32 characters: the position's instant in microseconds since
0001-01-01 UTC, as an 8-byte unsigned big-endian number, then the id's 16 bytes.

Instants before the year 9134 take at most 58 of the first 64 bits, so a cursor always
starts with ``A`` (six zero bits), and ``CURSOR_PATTERN`` admits exactly the strings that
decode to a position: the schema says all there is to validate, and a string matching
it is never refused (the fuzz tier sends such strings, and a 422 for one fails it).
"""

from __future__ import annotations

import base64
import re
import struct
import uuid
from datetime import UTC, datetime, timedelta
{%- if cookiecutter.example == "ledger" %}

from {{ cookiecutter.package_name }}.domain.ids import TransferId
from {{ cookiecutter.package_name }}.domain.transfer_position import TransferPosition
{%- endif %}

CURSOR_PATTERN = r"^A[-_0-9A-Za-z]{31}$"
"""Base64url's 64 characters spelt out (``tests/api/test_schema_patterns.py``)."""
_EPOCH = datetime(1, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_LAYOUT = struct.Struct(">Q16s")
{%- if cookiecutter.example == "ledger" %}


def cursor_of(position: TransferPosition) -> str:
    return encode_position(position.created_at, position.id)


def position_of(cursor: str) -> TransferPosition:
    """The position ``cursor`` holds; a cursor that does not match ``CURSOR_PATTERN`` is a
    ``ValueError`` (the schema refuses it before a route sees it)."""
    created_at, transfer_id = decode_position(cursor)
    return TransferPosition(created_at, TransferId(transfer_id))
{%- endif %}


def encode_position(created_at: datetime, id_: uuid.UUID) -> str:
    """The cursor of the position ``(created_at, id_)``, whatever the listing."""
    microseconds = (created_at - _EPOCH) // _MICROSECOND
    packed = _LAYOUT.pack(microseconds, id_.bytes)
    return base64.urlsafe_b64encode(packed).decode("ascii")


def decode_position(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The ``(created_at, id)`` ``cursor`` holds; ``ValueError`` if it holds none."""
    if not re.fullmatch(CURSOR_PATTERN, cursor):
        raise ValueError("not a cursor: pass a page's next_cursor back as it came")
    microseconds, id_bytes = _LAYOUT.unpack(base64.urlsafe_b64decode(cursor))
    return _EPOCH + microseconds * _MICROSECOND, uuid.UUID(bytes=id_bytes)
