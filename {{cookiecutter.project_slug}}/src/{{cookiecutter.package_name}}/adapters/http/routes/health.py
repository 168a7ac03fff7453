"""/health: liveness (the process answers) and readiness (its database answers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter

from {{ cookiecutter.package_name }}.adapters.http.responses import STORAGE, declared
from {{ cookiecutter.package_name }}.adapters.http.schemas import HealthOut

ReadinessProbe = Callable[[], Awaitable[None]]
"""Returns when the service can do its work; raises ``StorageUnavailable`` otherwise."""


def health_router(readiness_probe: ReadinessProbe) -> APIRouter:
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get("/live", operation_id="check_liveness", responses=declared())
    async def check_liveness() -> HealthOut:
        """200 while the process runs: it touches nothing that could fail."""
        return HealthOut(status="ok")

    @router.get("/ready", operation_id="check_readiness", responses=declared(STORAGE))
    async def check_readiness() -> HealthOut:
        """200 while the database answers, 503 while it does not."""
        await readiness_probe()
        return HealthOut(status="ok")

    return router
