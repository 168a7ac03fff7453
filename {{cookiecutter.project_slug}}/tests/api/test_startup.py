{%- set scope = "ledger" if cookiecutter.example == "ledger" else "service" -%}
"""Settings that would let anyone in stop the service at start, saying what to set instead.

``ENVIRONMENT=production`` refuses the development signing key (whoever holds it can sign
any token) and needs the identity provider's issuer, audience and keys. In any
environment, tokens have exactly one key source, and a public key never verifies an
HMAC. Operators meet the refusal through the command line: "cannot start: ..." on stderr,
not a traceback. The ``token`` command mints what development needs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

{% if cookiecutter.example == "ledger" %}import httpx
{% endif %}import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from pydantic import SecretStr, ValidationError

from {{ cookiecutter.package_name }} import __main__ as command_line
from {{ cookiecutter.package_name }}.bootstrap import StartupRefused
{%- if cookiecutter.example == "ledger" %}
from {{ cookiecutter.package_name }}.settings import Settings
{%- else %}
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope
from {{ cookiecutter.package_name }}.settings import Settings
{%- endif %}
from tests.api.api_client import memory_app
{%- if cookiecutter.example == "ledger" %}
from tests.api.tokens import SIGNING_KEY, bearer
{%- else %}
from tests.api.tokens import SIGNING_KEY, verifier
{%- endif %}

PACKAGE = "{{ cookiecutter.package_name }}"
PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "auth_issuer": "https://id.example.com/",
    "auth_audience": "https://ledger.example.com",
    "auth_jwks_url": "https://id.example.com/.well-known/jwks.json",  # never fetched here
}


def production(**changes: Any) -> Settings:
    """Settings as production would have them, with ``changes``."""
    return Settings(_env_file=None, **(PRODUCTION | changes))


def public_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode()


class TestProduction:
    def test_starts_with_the_issuer_audience_and_jwks_url_of_an_identity_provider(
        self,
    ) -> None:
        settings = production()

        assert isinstance(memory_app(settings), FastAPI)
        assert not settings.serves_docs
{%- if cookiecutter.observability == "opentelemetry" %}
        assert not settings.serves_metrics
{%- endif %}

    def test_starts_with_a_public_key_instead_of_a_jwks_url(self) -> None:
        settings = production(auth_jwks_url=None, auth_public_key=public_pem())

        assert isinstance(memory_app(settings), FastAPI)

    def test_refuses_the_development_signing_key(self) -> None:
        with pytest.raises(ValidationError, match="production refuses AUTH_DEV_SIGNING_KEY"):
            production(auth_jwks_url=None, auth_dev_signing_key=SecretStr(SIGNING_KEY))

    @pytest.mark.parametrize(
        ("setting", "named"),
        [
            ("auth_issuer", "AUTH_ISSUER"),
            ("auth_audience", "AUTH_AUDIENCE"),
            ("auth_jwks_url", "AUTH_JWKS_URL or AUTH_PUBLIC_KEY"),
        ],
    )
    def test_refuses_to_start_without_each_part_of_the_identity_provider(
        self, setting: str, named: str
    ) -> None:
        with pytest.raises(ValidationError, match=f"production needs {named}"):
            production(**{setting: None})

    def test_is_what_the_environment_variable_asks_for(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("ENVIRONMENT", "production")

        with pytest.raises(ValidationError, match="production needs AUTH_ISSUER"):
            Settings(_env_file=None)


class TestKeySources:
    @pytest.mark.parametrize("algorithms", ["HS256", "RS256,HS256", "none"])
    def test_only_asymmetric_algorithms_may_be_allowed(
        self, monkeypatch: pytest.MonkeyPatch, algorithms: str
    ) -> None:
        """A public key used as an HMAC secret would let anyone sign (algorithm confusion)."""
        monkeypatch.setenv("AUTH_ALGORITHMS", algorithms)

        with pytest.raises(ValidationError, match="asymmetric algorithms only"):
            Settings(_env_file=None)

    def test_a_development_key_must_be_long(self) -> None:
        with pytest.raises(ValidationError, match="at least 32 random characters"):
            Settings(_env_file=None, auth_dev_signing_key=SecretStr("short"))

    def test_tokens_have_one_key_source(self) -> None:
        with pytest.raises(ValidationError, match="set only one of"):
            Settings(
                _env_file=None,
                auth_jwks_url=PRODUCTION["auth_jwks_url"],
                auth_dev_signing_key=SecretStr(SIGNING_KEY),
            )

    def test_a_public_key_that_is_not_one_stops_the_start(self) -> None:
        settings = production(auth_jwks_url=None, auth_public_key="not a PEM key")

        with pytest.raises(StartupRefused, match="AUTH_PUBLIC_KEY cannot be used"):
            memory_app(settings)

    def test_without_any_key_the_service_does_not_start(self) -> None:
        with pytest.raises(SystemExit, match=r"^cannot start: no way to verify tokens"):
            command_line.serve(Settings(_env_file=None), argparse.Namespace())


def run(*arguments: str, cwd: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    """``python -m <package> arguments``, in ``cwd``, with no setting from this shell."""
    settings = {name.upper() for name in Settings.model_fields}
    inherited = {name: value for name, value in os.environ.items() if name.upper() not in settings}
    return subprocess.run(  # noqa: S603 - this interpreter, this package, fixed arguments
        [sys.executable, "-m", PACKAGE, *arguments],
        cwd=cwd,
        env=inherited | environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class TestCommandLine:
    def test_serve_refuses_production_with_the_development_key(self, tmp_path: Path) -> None:
        result = run(
            "serve",
            cwd=tmp_path,  # no .env there
            ENVIRONMENT="production",
            AUTH_DEV_SIGNING_KEY=SIGNING_KEY,
        )

        assert result.returncode != 0
        assert result.stderr.startswith("cannot start: "), result.stderr
        assert "AUTH_DEV_SIGNING_KEY" in result.stderr
        assert "Traceback" not in result.stderr

{% if cookiecutter.example == "ledger" %}    async def test_token_prints_a_token_the_app_accepts(
        self, tmp_path: Path, client: httpx.AsyncClient
    ) -> None:
        result = run(
            "token",
            "--subject",
            "alice",
            "--scope",
            "ledger:read ledger:write",
            cwd=tmp_path,
            AUTH_DEV_SIGNING_KEY=SIGNING_KEY,
        )
        assert result.returncode == 0, result.stderr
        token = result.stdout.splitlines()[-1]

        opened = await client.post(
            "/accounts",
            json={"owner_email": "a@example.com", "currency": "EUR"},
            headers=bearer(token),
        )
        read = await client.get(f"/accounts/{opened.json()['id']}", headers=bearer(token))

        assert opened.status_code == 201, opened.text
        assert read.status_code == 200, read.text
{% else %}    async def test_token_prints_a_token_the_service_accepts(self, tmp_path: Path) -> None:
        result = run(
            "token",
            "--subject",
            "alice",
            "--scope",
            "service:read service:write",
            cwd=tmp_path,
            AUTH_DEV_SIGNING_KEY=SIGNING_KEY,
        )
        assert result.returncode == 0, result.stderr
        token = result.stdout.splitlines()[-1]

        principal = await verifier().verify(token)

        assert principal == Principal("alice", frozenset({Scope.READ, Scope.WRITE}))
{% endif %}
    def test_token_refuses_a_scope_the_service_does_not_know(self, tmp_path: Path) -> None:
        result = run(
            "token",
            "--subject",
            "alice",
            "--scope",
            "{{ scope }}:read {{ scope }}:everything",
            cwd=tmp_path,
            AUTH_DEV_SIGNING_KEY=SIGNING_KEY,
        )

        assert result.returncode != 0
        assert "unknown scope {{ scope }}:everything" in result.stderr
        assert result.stdout == ""
