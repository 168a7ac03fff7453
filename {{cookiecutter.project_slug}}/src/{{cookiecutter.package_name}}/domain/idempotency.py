"""Idempotency keys: a client's name for one request, so that retrying it is safe.

A key belongs to the subject that sent it (two callers who pick the same key never see
each other's work) and is kept for a retention period, after which it may be used again,
as with Stripe's API. What is stored with it is a fingerprint of the request, to refuse the
same key sent with a different request, and the outcome, to answer a retry exactly as the
first request was answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

MAX_KEY_LENGTH = 255
DEFAULT_RETENTION = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    requested_by: str
    """The subject that sent the key; keys are unique per subject only."""
    value: str


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """What a committed request left under its key."""

    fingerprint: str
    """Which request the key was sent with (see ``usecases/idempotency.py``)."""
    outcome: str
    """The first answer, encoded by the use case that gave it."""
