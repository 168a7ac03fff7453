"""Tokens for development, signed with a shared secret instead of an identity provider's key.

``<service> token --subject alice --scope "{% if cookiecutter.example == "ledger" %}ledger{% else %}service{% endif %}:read {% if cookiecutter.example == "ledger" %}ledger{% else %}service{% endif %}:write"`` prints one. The
secret is ``AUTH_DEV_SIGNING_KEY``, which the project's post-generation hook wrote into
the git-ignored ``.env``. With ``ENVIRONMENT=production`` the service refuses to start
while that setting exists, so these tokens are never accepted there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import jwt

DEV_ALGORITHM = "HS256"
DEFAULT_LIFETIME = timedelta(hours=1)


def dev_token(
    signing_key: str,
    *,
    subject: str,
    scopes: Iterable[str],
    issuer: str,
    audience: str,
    now: datetime,
    lifetime: timedelta = DEFAULT_LIFETIME,
) -> str:
    claims = {
        "sub": subject,
        "scope": " ".join(scopes),
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
    }
    return jwt.encode(claims, signing_key, algorithm=DEV_ALGORITHM)
