"""/health: liveness (the process answers) and readiness (its database answers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter

from {{ cookiecutter.package_name }}.adapters.http.errors import ERROR_RESPONSES
from {{ cookiecutter.package_name }}.adapters.http.schemas import HealthOut

ReadinessProbe = Callable[[], Awaitable[None]]
"""Returns when the service can do its work; raises ``StorageUnavailable`` otherwise."""


def health_router(readiness_probe: ReadinessProbe) -> APIRouter:
    router = APIRouter(prefix="/health", tags=["health"], responses=ERROR_RESPONSES)

    @router.get("/live")
    async def live() -> HealthOut:
        return HealthOut(status="ok")

    @router.get("/ready")
    async def ready() -> HealthOut:
        await readiness_probe()
        return HealthOut(status="ok")

    return router
