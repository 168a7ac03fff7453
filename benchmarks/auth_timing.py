"""What verifying the bearer token costs a request, in process (run with the baked project's
Python; ``auth_cost.py`` starts it).

    python auth_timing.py < SPEC.json

SPEC, read from stdin: {"package": "payments_service", "benchmarks": "/path/to/benchmarks",
"url": "sqlite+aiosqlite:///...", "auth": {...as sql_count.py's, and "scopes": [...]},
"pairs": 60, "block_requests": 20, "slices": 40, "slice_calls": 250}

Two figures per app on SQLite (ours, (a) and (c)), both in CPU time of this process (all
its threads, aiosqlite's too), which other processes on a busy host inflate less than
the clock:

- **the authentication dependency alone**: the bearer scheme reading the header, then
  the app's own dependency (ours: ``adapters/http/auth.authenticated`` and its
  ``JwtTokenVerifier``; the references: ``reference_common.caller``), called directly
  ``slices`` x ``slice_calls`` times; the median of the slices.
- **a whole request with and without it**: ``GET /accounts/{id}`` one request at a time
  through httpx's ASGI transport, in blocks of ``block_requests`` that alternate between
  the app as served and the same app with that dependency overridden by a fixed caller
  (FastAPI's ``dependency_overrides``, an ``async`` dependency like the one it replaces;
  the scope and ownership checks still run). The cost is the median over ``pairs``
  block pairs of (with - without); each pair runs back to back, as the load rounds do.
  It includes what the dependency alone leaves out (FastAPI solving one more
  dependency), and is much noisier.

And ``jwt.decode`` alone, with the references' (and the service's) arguments.

Prints one JSON object: {"apps": {app: {"dependency_us", "with_us", "without_us",
"cost_us", "cost_low_us", "cost_high_us"}}, "jwt_decode_us": ...}; the low and high are
the quartiles of the pairs' costs.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
from seed import insert
from sql_count import apps_in_process, client, dispose_references
from starlette.requests import Request


async def seed_account(url: str, package: str, owner: str) -> uuid.UUID:
    tables = importlib.import_module(f"{package}.adapters.sql.tables")
    account_id = uuid.uuid4()
    row = {
        "id": account_id,
        "owner": owner,
        "owner_email": "owner@example.com",
        "currency": "EUR",
        "balance_minor_units": 1000,
    }
    await insert(url, [(tables.accounts, [row])])
    return account_id


def authentication_of(name: str, spec: dict[str, Any]) -> tuple[Any, Any, Any]:
    """The app's bearer scheme, its authentication dependency, and the caller it returns."""
    subject, scopes = spec["auth"]["subject"], spec["auth"]["scopes"]
    if name == "ours":
        auth = importlib.import_module(f"{spec['package']}.adapters.http.auth")
        principal = importlib.import_module(f"{spec['package']}.domain.principal")
        return (
            auth.bearer_token,
            auth.authenticated,
            principal.Principal.of(subject, " ".join(scopes)),
        )
    common = importlib.import_module("reference_common")
    return common.bearer_token, common.caller, common.Caller(subject, frozenset(scopes))


async def cpu_us(action: Callable[[], Awaitable[object]], calls: int) -> float:
    """CPU microseconds a call of ``action``, over ``calls`` calls."""
    started = time.process_time()
    for _ in range(calls):
        await action()
    return (time.process_time() - started) / calls * 1e6


async def dependency_us(name: str, app: Any, spec: dict[str, Any]) -> float:
    """The bearer scheme and the authentication dependency, called as FastAPI calls them."""
    bearer, dependency, _ = authentication_of(name, spec)
    header = f"Bearer {spec['auth']['token']}".encode()
    scope = {"type": "http", "headers": [(b"authorization", header)], "app": app}

    async def authenticate() -> object:
        request = Request(scope)
        credentials = await bearer(request)
        if name == "ours":
            return await dependency(request, credentials)
        return await dependency(credentials)

    await cpu_us(authenticate, int(spec["slice_calls"]))  # warm-up
    slices = [await cpu_us(authenticate, int(spec["slice_calls"])) for _ in range(spec["slices"])]
    return statistics.median(slices)


async def request_us(name: str, app: Any, account_id: uuid.UUID, spec: dict[str, Any]) -> Any:
    """A whole GET with the token verified and with authentication overridden, paired."""
    path = f"/accounts/{account_id}"
    _, dependency, known = authentication_of(name, spec)

    async def fixed_caller() -> Any:
        return known

    with_token, without = [], []
    async with app.router.lifespan_context(app), client(app, spec["auth"]["token"]) as http:

        async def get() -> None:
            response = await http.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: {response.status_code} {response.text[:300]}")

        async def block(verified: bool) -> float:
            if not verified:
                app.dependency_overrides[dependency] = fixed_caller
            try:
                return await cpu_us(get, int(spec["block_requests"]))
            finally:
                app.dependency_overrides.clear()

        await block(True)  # warm-up: connections, caches
        await block(False)
        for index in range(int(spec["pairs"])):
            # Alternate which goes first, so neither always follows the other.
            first = index % 2 == 0
            mine = await block(first)
            theirs = await block(not first)
            with_token.append(mine if first else theirs)
            without.append(theirs if first else mine)
    costs = [mine - theirs for mine, theirs in zip(with_token, without, strict=True)]
    low, _, high = statistics.quantiles(costs, n=4)
    return {
        "with_us": statistics.median(with_token),
        "without_us": statistics.median(without),
        "cost_us": statistics.median(costs),
        "cost_low_us": low,
        "cost_high_us": high,
    }


async def decode_us(spec: dict[str, Any]) -> float:
    """One ``jwt.decode`` with the checks both the service and the references make."""
    settings = spec["auth"]["settings"]
    common = importlib.import_module("reference_common")
    token = spec["auth"]["token"]

    async def decode() -> object:
        return jwt.decode(
            token,
            settings["AUTH_DEV_SIGNING_KEY"],
            algorithms=common.AUTH_ALGORITHMS,
            issuer=settings["AUTH_ISSUER"],
            audience=settings["AUTH_AUDIENCE"],
            leeway=common.AUTH_LEEWAY,
            options={"require": common.REQUIRED_CLAIMS},
        )

    calls = int(spec["slice_calls"])
    return statistics.median([await cpu_us(decode, calls) for _ in range(spec["slices"])])


async def measure(spec: dict[str, Any]) -> dict[str, Any]:
    url = spec["url"]
    account_id = await seed_account(url, spec["package"], spec["auth"]["subject"])
    apps = apps_in_process("sqlite", url, spec)
    result: dict[str, Any] = {"apps": {}}
    for name, app in apps.items():
        figures = {"dependency_us": await dependency_us(name, app, spec)}
        figures.update(await request_us(name, app, account_id, spec))
        result["apps"][name] = figures
    await dispose_references()
    result["jwt_decode_us"] = await decode_us(spec)
    return result


def main() -> int:
    spec = json.load(sys.stdin)
    migrator = importlib.import_module(f"{spec['package']}.adapters.sql.migrator")
    migrator.upgrade(spec["url"])  # runs its own event loop: before ours starts
    print(json.dumps(asyncio.run(measure(spec))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
