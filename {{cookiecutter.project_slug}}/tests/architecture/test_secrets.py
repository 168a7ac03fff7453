"""Secrets come from the environment only: no secret setting has a default but ``None``.

A setting whose name looks secret (password, token, API key, signing key...) must be a
``SecretStr`` (hidden from reprs and logs) with no default value, so a forgotten variable
stops the service at start instead of running it with a secret everyone can read in the
repository. ``None`` is the one default allowed: the secret of a feature that is off
without it (``AUTH_DEV_SIGNING_KEY``: no development tokens) holds nothing anyone could
use. No default may carry a credential either (``postgresql://user:password@...``).
"""

from __future__ import annotations

import re
import types
import typing

import pytest
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from {{ cookiecutter.package_name }}.settings import Settings

SECRET_NAME = re.compile(
    r"passw(or)?d|passphrase|secret|token|api_?key|private_?key|credential|signing_?key",
    re.IGNORECASE,
)


def is_secret_type(annotation: object) -> bool:
    if annotation is SecretStr:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(is_secret_type(argument) for argument in typing.get_args(annotation))
    return False


def credential_in(value: object) -> bool:
    """Whether a default value is a URL that carries a password."""
    if not isinstance(value, str) or "://" not in value:
        return False
    try:
        return make_url(value).password is not None
    except ArgumentError:
        return "@" in value.split("://", 1)[1].split("/", 1)[0]


def secret_defaults(settings: type[BaseSettings]) -> list[str]:
    """What is wrong with the secrets of ``settings``, one line per problem."""
    problems = []
    for name, field in settings.model_fields.items():
        if SECRET_NAME.search(name) or is_secret_type(field.annotation):
            if default_of(field) is not None:
                problems.append(f"{name}: a secret must have no default but None")
            if not is_secret_type(field.annotation):
                problems.append(f"{name}: a secret must be a SecretStr")
        elif credential_in(default_of(field)):
            problems.append(f"{name}: the default carries a credential")
    return problems


def default_of(field: FieldInfo) -> object:
    return None if field.is_required() else field.get_default(call_default_factory=True)


def test_no_secret_setting_has_a_default_but_none() -> None:
    assert secret_defaults(Settings) == []


class Leaky(Settings):
    """Settings as someone might extend them by mistake: the check must catch each field."""

    api_token: str = "abc123"  # noqa: S105 - the leak this test must catch
    partner_secret: SecretStr = SecretStr("shh")
    signing_key: SecretStr | None = SecretStr("a default that is not None")
    smtp_password: str
    session_secret: str | None = None
    replica_url: str = "postgresql+asyncpg://app:hunter2@db:5432/app"


class Careful(Settings):
    api_token: SecretStr
    partner_secret: SecretStr | None = None  # no partner calls until it is set
    broker_url: str = "amqp://broker:5672/"


@pytest.mark.parametrize(
    ("settings", "problems"),
    [
        (
            Leaky,
            [
                "api_token: a secret must have no default but None",
                "api_token: a secret must be a SecretStr",
                "partner_secret: a secret must have no default but None",
                "signing_key: a secret must have no default but None",
                "smtp_password: a secret must be a SecretStr",
                "session_secret: a secret must be a SecretStr",
                "replica_url: the default carries a credential",
            ],
        ),
        (Careful, []),
    ],
)
def test_the_check_bites(settings: type[BaseSettings], problems: list[str]) -> None:
    assert secret_defaults(settings) == problems
