"""Authentication at the edge: a bearer token in, a ``Principal`` out.

Every route but the health checks takes a ``caller: Caller`` parameter, so FastAPI runs
the check before anything else of the request, and declares the bearer scheme in the
OpenAPI schema (the Authorize button of /docs, and each operation's security for
generated clients). What a principal may do is not decided here: the use cases decide.
tests/api/test_route_protection.py walks the route table, so a route added without the
parameter fails the build.
"""

from __future__ import annotations

from typing import Annotated, TypeAlias

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from {{ cookiecutter.package_name }}.domain.errors import Unauthenticated
from {{ cookiecutter.package_name }}.domain.ports.token_verifier import TokenVerifier
from {{ cookiecutter.package_name }}.domain.principal import Principal

bearer_token = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="JWT",
    description="An OAuth 2.0 access token (JWT) from the identity provider; in "
    "development, from ``{{ cookiecutter.project_slug }} token``.",
    auto_error=False,  # a missing token is answered below, in the API's error shape
)


async def authenticated(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_token)],
) -> Principal:
    """The principal the request's bearer token speaks for, or a 401.

    The verifier is the one ``create_http_app`` put in ``app.state``.
    """
    if credentials is None:
        raise Unauthenticated("this endpoint needs an 'Authorization: Bearer <token>' header")
    verifier: TokenVerifier = request.app.state.token_verifier
    return await verifier.verify(credentials.credentials)


Caller: TypeAlias = Annotated[Principal, Depends(authenticated)]
"""Declare a parameter of this type on a route to make it need a valid token."""
