"""Port: where use cases get the time from, so tests can pin it.

A plain function type rather than a class. ``utc_now``, the real clock, lives here too:
it is one call into the standard library, and the use cases default to it.
"""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
