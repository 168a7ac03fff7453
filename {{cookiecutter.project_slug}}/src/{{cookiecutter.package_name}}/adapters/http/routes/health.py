"""/health: liveness (the process answers) and readiness (its database answers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter

from {{ cookiecutter.package_name }}.adapters.http.responses import READINESS, STORAGE, declared
from {{ cookiecutter.package_name }}.adapters.http.schemas import HealthOut
from {{ cookiecutter.package_name }}.adapters.http.shutdown import ShutdownSignal
from {{ cookiecutter.package_name }}.domain.errors import ShuttingDown

ReadinessProbe = Callable[[], Awaitable[None]]
"""Returns when the service can do its work; raises a ``StorageError`` saying why not."""


def health_router(readiness_probe: ReadinessProbe, shutdown: ShutdownSignal) -> APIRouter:
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get("/live", operation_id="check_liveness", responses=declared())
    async def check_liveness() -> HealthOut:
        """200 while the process runs: it touches nothing that could fail."""
        return HealthOut(status="ok")

    @router.get("/ready", operation_id="check_readiness", responses=declared(STORAGE, READINESS))
    async def check_readiness() -> HealthOut:
        """200 while the database answers and is migrated; 503 while it is not, and from
        the moment shutdown begins (the body's code says which)."""
        if shutdown.begun:
            raise ShuttingDown("this process is shutting down; it takes no new work")
        await readiness_probe()
        return HealthOut(status="ok")

    return router
