"""Port: turn a credential presented by a caller into the ``Principal`` it speaks for.

Implemented by ``adapters/auth/jwt_token_verifier.py`` (OAuth 2.0 bearer tokens, JWT).
The HTTP adapter calls it for every request but the health checks; the use cases never
see a token, only the principal.
"""

from typing import Protocol

from {{ cookiecutter.package_name }}.domain.principal import Principal


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> Principal:
        """The principal the token speaks for.

        Raise ``InvalidToken`` when the token is not one this service accepts, and
        ``IdentityProviderUnavailable`` when its keys cannot be fetched to decide.
        """
        ...
