{%- if cookiecutter.example == "ledger" -%}
{%- set planted, parameter, noun = "/accounts/{account_id}/statement", "account_id", "account" -%}
{%- else -%}
{%- set planted, parameter, noun = "/reports/{report_id}/statement", "report_id", "report" -%}
{%- endif -%}
"""Deny by default: every route needs a token, but for the few that must be public.

The route table is walked, not listed by hand, so a route added without a ``caller:
Caller`` parameter fails here, whatever its path. Public: the health checks (probes
carry no token), and what the settings open, by default in development only: /docs,
/redoc and /openapi.json (DOCS_ENABLED){% if cookiecutter.observability == "opentelemetry" %}, /metrics (METRICS_ENABLED){% endif %}. The OpenAPI schema says
the same to clients: which operations need the bearer token, and may answer 401 and 403.
{%- if cookiecutter.example == "none" %}

The service starts with no route of its own but those: the walk is also proven on the
tests' ``/notes`` (``tests/api/notes.py``), as it will walk the routes ``make aggregate``
adds.
{%- endif %}
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import fastapi.routing
import pytest
from fastapi import FastAPI

{% if cookiecutter.example == "none" %}from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
{% endif %}from {{ cookiecutter.package_name }}.bootstrap import create_app
from {{ cookiecutter.package_name }}.settings import Settings
from tests.api.api_client import client_of
{%- if cookiecutter.example == "none" %}
from tests.api.notes import with_notes
{%- endif %}

HEALTH = frozenset({"/health/live", "/health/ready"})
DOCS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
{%- if cookiecutter.observability == "opentelemetry" %}
METRICS = frozenset({"/metrics"})
{%- else %}
METRICS: frozenset[str] = frozenset()  # the project has no /metrics without OpenTelemetry
{%- endif %}
PUBLIC_IN_DEVELOPMENT = HEALTH | DOCS | METRICS
PATH_PARAMETER = re.compile(r"\{[^}]+\}")


def every_route(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) for each method of each route the app serves.

    Newer FastAPI keeps an included router as one entry of ``app.routes`` and reaches its
    routes with ``iter_route_contexts``; older versions copy them into ``app.routes``.
    """
    walk = getattr(fastapi.routing, "iter_route_contexts", iter)
    found = []
    for route in walk(app.routes):
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if not path or not methods:
            pytest.fail(f"teach this test to request {route!r}")
        found += [(method, path) for method in sorted(methods)]
    return found


async def answers_without_a_token(app: FastAPI) -> dict[str, int]:
    """The status of each route's answer to a request without credentials, by
    "METHOD /path"; path parameters are filled with a random uuid."""
    answers = {}
    async with client_of(app) as client:
        for method, path in every_route(app):
            url = PATH_PARAMETER.sub(str(uuid.uuid4()), path)
            answers[f"{method} {path}"] = (await client.request(method, url)).status_code
    return answers


def unprotected(answers: dict[str, int], public: frozenset[str]) -> dict[str, int]:
    """The routes, public ones aside, that answered anything but 401."""
    return {
        route: status
        for route, status in answers.items()
        if status != 401 and route.split(" ", 1)[1] not in public
    }


def operations_missing_auth(schema: dict[str, Any]) -> list[str]:
    """What the schema gets wrong: an operation needing the token must declare the
    bearer scheme and its 401 and 403; a health check must declare neither."""
    problems = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            security = operation.get("security")
            statuses = {"401", "403"} & set(operation["responses"])
            if path in HEALTH:
                if security or statuses:
                    problems.append(f"{label}: a health check declares authentication")
            elif security != [{"bearer": []}] or statuses != {"401", "403"}:
                problems.append(f"{label}: declares security {security}, statuses {statuses}")
    return problems


class TestDenyByDefault:
    async def test_every_route_but_the_public_ones_answers_401_without_a_token(
        self, settings: Settings
    ) -> None:
        answers = await answers_without_a_token(create_app(settings))

        assert unprotected(answers, PUBLIC_IN_DEVELOPMENT) == {}

    async def test_the_public_routes_of_development_answer_without_a_token(
        self, settings: Settings
    ) -> None:
        answers = await answers_without_a_token(create_app(settings))

        public = {route: status for route, status in answers.items() if status != 401}
        assert {route.split(" ", 1)[1] for route in public} == PUBLIC_IN_DEVELOPMENT
        assert set(public.values()) == {200}

    async def test_in_production_only_the_health_checks_are_public(
        self, settings: Settings
    ) -> None:
        """Docs{% if cookiecutter.observability == "opentelemetry" %} and metrics{% endif %} are closed unless a setting opens them: they are not even routes."""
        production = Settings(
            _env_file=None,
            environment="production",
            database_url=settings.database_url,
            auth_issuer="https://id.example.com/",
            auth_audience="https://ledger.example.com",
            auth_jwks_url="https://id.example.com/.well-known/jwks.json",  # never fetched
        )
        app = create_app(production)

        answers = await answers_without_a_token(app)
        async with client_of(app) as client:
            closed = {path: (await client.get(path)).status_code for path in DOCS | METRICS}

        assert unprotected(answers, HEALTH) == {}
        assert closed == dict.fromkeys(DOCS | METRICS, 404)

    async def test_the_walk_finds_a_route_added_without_a_caller(self, settings: Settings) -> None:
        """The test above bites: one unprotected route is reported, with what it answered."""
        app = create_app(settings)

        @app.get("{{ planted }}")
        async def statement({{ parameter }}: uuid.UUID) -> dict[str, str]:
            return {"{{ noun }}": str({{ parameter }})}

        answers = await answers_without_a_token(app)

        assert unprotected(answers, PUBLIC_IN_DEVELOPMENT) == {
            "GET {{ planted }}": 200
        }


class TestOpenApiSchema:
    def test_declares_the_bearer_scheme(self, settings: Settings) -> None:
{%- if cookiecutter.example == "ledger" %}
        schemes = create_app(settings).openapi()["components"]["securitySchemes"]
{%- else %}
        """On the tests' ``/notes``: with no route of its own, the service declares none."""
        app = with_notes(create_app(settings), MemoryUnitOfWorkFactory())
        schemes = app.openapi()["components"]["securitySchemes"]
{%- endif %}

        assert schemes["bearer"]["type"] == "http"
        assert schemes["bearer"]["scheme"] == "bearer"

    def test_every_operation_but_health_needs_the_token_and_may_answer_401_and_403(
        self, settings: Settings
    ) -> None:
        assert operations_missing_auth(create_app(settings).openapi()) == []

    def test_the_check_finds_an_operation_without_security(self, settings: Settings) -> None:
        app = create_app(settings)

        @app.get("{{ planted }}")
        async def statement({{ parameter }}: uuid.UUID) -> dict[str, str]:
            return {"{{ noun }}": str({{ parameter }})}

        assert operations_missing_auth(app.openapi()) == [
            "GET {{ planted }}: declares security None, statuses set()"
        ]
{%- if cookiecutter.example == "none" %}


class TestOnRoutesOfItsOwn:
    async def test_every_route_of_the_tests_notes_answers_401_without_a_token(
        self, settings: Settings
    ) -> None:
        app = with_notes(create_app(settings), MemoryUnitOfWorkFactory())

        answers = await answers_without_a_token(app)

        assert {"POST /notes", "GET /notes/{note_id}"} <= set(answers)
        assert unprotected(answers, PUBLIC_IN_DEVELOPMENT) == {}

    def test_every_operation_of_the_tests_notes_needs_the_token(self, settings: Settings) -> None:
        app = with_notes(create_app(settings), MemoryUnitOfWorkFactory())

        assert operations_missing_auth(app.openapi()) == []
{%- endif %}
