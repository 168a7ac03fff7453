"""The cursor of every listing: a position (an instant and an id) written for the URL,
read back exactly, and refused when it cannot be one."""

import uuid
from datetime import UTC, datetime

import pytest

from {{ cookiecutter.package_name }}.adapters.http.cursor import (
    CURSOR_PATTERN,
    decode_position,
    encode_position,
)


@pytest.mark.parametrize(
    "created_at",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(2030, 1, 1, 12, 30, 0, 123456, tzinfo=UTC),
        datetime(9133, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_a_position_reads_back_as_it_was_written(created_at: datetime) -> None:
    id_ = uuid.uuid4()

    cursor = encode_position(created_at, id_)

    assert decode_position(cursor) == (created_at, id_)
    assert len(cursor) == 32
    assert cursor.startswith("A")


@pytest.mark.parametrize("cursor", ["", "B" + "A" * 31, "A" * 31, "A" * 31 + "=", "A" * 33])
def test_a_string_that_is_not_a_cursor_is_a_value_error(cursor: str) -> None:
    with pytest.raises(ValueError, match="not a cursor"):
        decode_position(cursor)


def test_the_pattern_admits_what_decodes() -> None:
    assert CURSOR_PATTERN == r"^A[-_0-9A-Za-z]{31}$"
