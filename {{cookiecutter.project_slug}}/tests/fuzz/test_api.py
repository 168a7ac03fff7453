"""Fuzz the HTTP API against its own OpenAPI schema: no request gets a server error.

Schemathesis generates requests from the schema: valid ones, boundary values (the
coverage phase), and invalid ones (wrong types, missing fields, huge numbers, strange
strings, malformed ids and headers). Each answer must be a documented status code with
a body that matches the documented schema, and never a 5xx. The settings, checks
included, are in ``schemathesis.toml``; they are deterministic, so a run is repeatable.
A failure prints the request as a ``curl`` command to replay against ``make run``.

Requests carry a token with every scope for one subject, who owns every {% if cookiecutter.example == "ledger" %}account the
workflows open{% else %}resource the
workflows create{% endif %}, so they reach the code behind authentication. The ``ignored_auth`` check
sends each request that got a 2xx again, without the token and with a made-up one, and
expects 401 or 403: deny by default, seen from the schema's side.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import hypothesis
import pytest
{%- if cookiecutter.example == "ledger" %}
import schemathesis
{%- else %}
import schemathesis
from schemathesis.core.errors import NoLinksFound
{%- endif %}

from {{ cookiecutter.package_name }}.adapters.http.idempotency import (
    HEADER as IDEMPOTENCY_KEY,
)
from {{ cookiecutter.package_name }}.adapters.http.idempotency import IDEMPOTENCY_KEY_PATTERN
from {{ cookiecutter.package_name }}.bootstrap import create_app
from {{ cookiecutter.package_name }}.domain.idempotency import MAX_KEY_LENGTH
from {{ cookiecutter.package_name }}.domain.principal import Scope
from tests.api.tokens import api_settings, as_owner
from tests.fuzz.conftest import Target

pytestmark = pytest.mark.filterwarnings(
    # With tracing on, the outbox relay (a background task on schemathesis' event-loop
    # thread) draws span ids from `random` while hypothesis generates requests in this
    # thread, and hypothesis notices the shared generator move. Generation does not use it.
    "ignore:Do not use the `random` module inside strategies"
)
CONFIG = schemathesis.Config.from_path(Path(__file__).parents[2] / "schemathesis.toml")
WORKFLOWS = hypothesis.settings(
    max_examples=10, stateful_step_count=6, derandomize=True, deadline=None
)


def openapi_document() -> dict[str, Any]:
    """The schema the service publishes at /openapi.json; building it connects to nothing."""
    return create_app(api_settings()).openapi()


def credentials() -> dict[str, str]:
    """A fresh token with every scope, so no request fails for want of one."""
    return as_owner(scopes=tuple(Scope))


def one_key_per_request(case: schemathesis.Case[Any]) -> None:
    """Give a valid ``Idempotency-Key`` a value of its own, as a client does per request.

    Schemathesis draws header values from a small space, so two different requests would
    often share a key, and the service rightly refuses the second (422
    ``idempotency_key_reused``, tested in ``tests/api``). Invalid keys are sent as drawn.
    """
    headers = case.headers
    key = headers.get(IDEMPOTENCY_KEY) if headers is not None else None
    if not isinstance(key, str) or not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        return
    if len(key) <= MAX_KEY_LENGTH:
        unique = f"-{uuid.uuid4()}"
        headers[IDEMPOTENCY_KEY] = key[: MAX_KEY_LENGTH - len(unique)] + unique


def aim(loaded: schemathesis.BaseSchema, target: Target) -> None:
    """Send the requests of the ``ignored_auth`` check to the target too.

    Its probes go to the app of the schema, not to the one a call names (schemathesis 4.32).
    """
    loaded.app = target.app


# Loaded when the module is imported: schemathesis' fixture-based loader does not work
# with pytest 9.2. Requests go to the ``target`` app of each test, not to this one.
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)


@schema.parametrize()
def test_every_operation_answers_within_its_contract(
    case: schemathesis.Case[Any], target: Target, sent: Counter[str]
) -> None:
    sent[target.backend] += 1
    aim(case.operation.schema, target)
    one_key_per_request(case)
    case.call_and_validate(app=target.app, headers=credentials())


def test_chains_of_calls_answer_within_the_contract(target: Target, sent: Counter[str]) -> None:
{%- if cookiecutter.example == "ledger" %}
    """Stateful: open an account, then use its id for deposits, transfers and listings."""
{%- else %}
    """Stateful: create, then use the new id for reads and listings, along the links
    schemathesis infers between operations (those ``make aggregate`` adds have them)."""
{%- endif %}
    aim(schema, target)

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]  # a class built at runtime
        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            sent[target.backend] += 1
            one_key_per_request(case)
            return {"app": target.app, "headers": credentials()}

{% if cookiecutter.example == "ledger" %}    Workflow.run(settings=WORKFLOWS)
{% else %}    try:
        Workflow.run(settings=WORKFLOWS)
    except NoLinksFound:
        pytest.skip("no operations to chain yet: make aggregate adds the first ones")
{% endif %}