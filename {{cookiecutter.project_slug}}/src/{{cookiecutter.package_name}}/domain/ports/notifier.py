"""Port: deliver a notice to whoever outside the service listens for it."""

from typing import Protocol

from {{ cookiecutter.package_name }}.domain.notice import Notice


class Notifier(Protocol):
    async def notify(self, notice: Notice) -> None:
        """Deliver the notice or raise; delivery is retried, so it must be idempotent
        for the receiver (the notice id is stable across attempts)."""
