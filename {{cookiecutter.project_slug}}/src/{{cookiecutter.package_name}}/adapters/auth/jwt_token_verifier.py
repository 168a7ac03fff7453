"""The production ``TokenVerifier``: OAuth 2.0 bearer tokens that are JWTs, checked with PyJWT.

A token is accepted only if its signature verifies with a key of the configured issuer,
with an algorithm of the allow-list (never ``none``), and its ``iss``, ``aud``,
``exp`` and ``sub`` claims are present and right (``nbf`` too, when present). A
small leeway absorbs clock skew between the issuer and this service. Scopes come from
the ``scope`` claim (a space-separated string, RFC 8693) or ``scp`` (a list, as some
providers write it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import jwt

from {{ cookiecutter.package_name }}.adapters.auth.signing_keys import SigningKeys
from {{ cookiecutter.package_name }}.domain.errors import InvalidToken
from {{ cookiecutter.package_name }}.domain.ports.token_verifier import TokenVerifier
from {{ cookiecutter.package_name }}.domain.principal import Principal

REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]
DEFAULT_LEEWAY = timedelta(seconds=30)

REASONS: dict[type[jwt.PyJWTError], str] = {
    jwt.ExpiredSignatureError: "the token has expired",
    jwt.ImmatureSignatureError: "the token is not valid yet",
    jwt.InvalidIssuerError: "the token was issued by another issuer",
    jwt.InvalidAudienceError: "the token is meant for another audience",
    jwt.InvalidAlgorithmError: "the token is signed with an algorithm this service refuses",
    jwt.InvalidSignatureError: "the token's signature does not verify",
    jwt.MissingRequiredClaimError: "the token lacks a required claim (exp, iss, aud, sub)",
}
"""What the caller is told; anything else is "the token cannot be read"."""


class JwtTokenVerifier(TokenVerifier):
    def __init__(
        self,
        keys: SigningKeys,
        *,
        issuer: str,
        audience: str,
        algorithms: Sequence[str],
        leeway: timedelta = DEFAULT_LEEWAY,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._algorithms = list(algorithms)
        self._leeway = leeway

    async def verify(self, token: str) -> Principal:
        key = await self._keys.key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(reason_for(error)) from None
        return Principal.of(str(claims["sub"]), scopes_of(claims))


def reason_for(error: jwt.PyJWTError) -> str:
    for error_type in type(error).__mro__:
        if error_type in REASONS:
            return REASONS[error_type]
    return "the token cannot be read"


def scopes_of(claims: Mapping[str, Any]) -> str:
    scope = claims.get("scope")
    if isinstance(scope, str):
        return scope
    listed = claims.get("scp")
    if isinstance(listed, list):
        return " ".join(item for item in listed if isinstance(item, str))
    return ""
