"""Where the keys that verify tokens come from: one configured key, or a JWKS URL.

An identity provider publishes its public keys as a JSON Web Key Set and rotates them;
each token names its key (the ``kid`` header). PyJWT's ``PyJWKClient`` fetches and
caches the set, refetches it when a token names a key it does not know (at most once per
cooldown, so tokens with made-up key ids cannot make it hammer the provider), and is
thread-safe. Its fetch is a blocking HTTP call, so it runs in a worker thread: never on
the event loop.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt.algorithms import AllowedPublicKeys

from {{ cookiecutter.package_name }}.domain.errors import IdentityProviderUnavailable, InvalidToken

VerificationKey = str | AllowedPublicKeys | jwt.PyJWK
"""A shared secret (HMAC, development only), a public key, or a key from a JWKS."""


class SigningKeys(Protocol):
    async def key_for(self, token: str) -> VerificationKey:
        """The key to check the token's signature with; raise ``InvalidToken`` if the
        token names a key that does not exist."""
        ...


class ConfiguredKey(SigningKeys):
    """One key for every token: a PEM public key, or the development secret."""

    def __init__(self, key: str | AllowedPublicKeys) -> None:
        self._key = key

    @classmethod
    def from_pem(cls, pem: str) -> ConfiguredKey:
        """Parsed once here, not for every token; ``ValueError`` if it is not a public key
        of a kind JWTs are signed with (RSA, EC, EdDSA)."""
        key = load_pem_public_key(pem.encode())
        if not isinstance(
            key, RSAPublicKey | EllipticCurvePublicKey | Ed25519PublicKey | Ed448PublicKey
        ):
            raise ValueError("not an RSA, EC or EdDSA public key")
        return cls(key)

    async def key_for(self, token: str) -> VerificationKey:
        return self._key


class JwksKeys(SigningKeys):
    """The keys an identity provider publishes at a JWKS URL."""

    def __init__(self, url: str, *, timeout_seconds: float = 5.0) -> None:
        self._client = jwt.PyJWKClient(url, cache_keys=True, timeout=timeout_seconds)

    async def key_for(self, token: str) -> VerificationKey:
        try:
            return await asyncio.to_thread(self._client.get_signing_key_from_jwt, token)
        except jwt.PyJWKClientConnectionError as error:
            raise IdentityProviderUnavailable(
                "the identity provider's keys cannot be fetched"
            ) from error
        except jwt.PyJWKClientError:
            raise InvalidToken("the token's key id (kid) is not one of the issuer's") from None
        except jwt.PyJWTError:
            raise InvalidToken("the token cannot be read") from None
