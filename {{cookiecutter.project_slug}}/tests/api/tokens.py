"""Who the API tests act as: bearer tokens signed with a key that only the tests know.

The apps under test are configured as development configures them (``api_settings``):
tokens are HS256 with ``AUTH_DEV_SIGNING_KEY``, the development issuer and audience, as
the ``token`` command prints them. The project's own ``.env`` is never read, so its key
is neither needed nor leaked into a test.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import SecretStr

from {{ cookiecutter.package_name }}.adapters.auth.dev_tokens import dev_token
from {{ cookiecutter.package_name }}.adapters.auth.jwt_token_verifier import JwtTokenVerifier
from {{ cookiecutter.package_name }}.bootstrap import jwt_token_verifier
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.settings import (
    DEVELOPMENT_AUDIENCE,
    DEVELOPMENT_ISSUER,
    Settings,
)

SIGNING_KEY = "api-tier-signing-key-known-only-to-these-tests-0123456789abcdefg"
"""64 characters: long enough for every HMAC algorithm, HS512 included."""
OWNER = "alice"
"""Whom the tests act as unless they say otherwise: the owner of the {% if cookiecutter.example == "ledger" %}accounts{% else %}things{% endif %} they {% if cookiecutter.example == "ledger" %}open{% else %}create{% endif %}."""
ADMIN = "treasury"
{% if cookiecutter.example == "ledger" %}"""Deposits need ``ledger:admin``, which account owners are not given."""{% else %}"""Has ``service:admin`` only, which owners are not given."""{% endif %}
OWNER_SCOPES = (Scope.READ, Scope.WRITE)
LIFETIME = timedelta(minutes=10)


def api_settings(**overrides: Any) -> Settings:
    """Development settings with the tests' signing key; nothing read from ``.env``."""
    return Settings(_env_file=None, auth_dev_signing_key=SecretStr(SIGNING_KEY), **overrides)


def verifier() -> JwtTokenVerifier:
    """What ``create_app`` verifies with, for tests that build the HTTP app by hand."""
    return jwt_token_verifier(api_settings())


def token(
    subject: str = OWNER,
    scopes: Iterable[str] = OWNER_SCOPES,
    *,
    key: str = SIGNING_KEY,
    lifetime: timedelta = LIFETIME,
) -> str:
    return dev_token(
        key,
        subject=subject,
        scopes=scopes,
        issuer=DEVELOPMENT_ISSUER,
        audience=DEVELOPMENT_AUDIENCE,
        now=datetime.now(UTC),
        lifetime=lifetime,
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def as_owner(subject: str = OWNER, scopes: Iterable[str] = OWNER_SCOPES) -> dict[str, str]:
    """Headers of a request made by ``subject`` (read and write by default)."""
    return bearer(token(subject, scopes))


def as_admin() -> dict[str, str]:
    return bearer(token(ADMIN, [Scope.ADMIN]))


def principal(subject: str = OWNER, scopes: Iterable[Scope] = OWNER_SCOPES) -> Principal:
    """The principal such a token speaks for, for tests that call use cases directly."""
    return Principal(subject, frozenset(scopes))
