"""Who may call, and what they may do, seen from outside with real tokens.

A request is served only with a bearer token this service issued the trust for: anything
wrong with it is a 401 in the API's error shape, with the ``WWW-Authenticate`` challenge
of RFC 6750. Keys come from the development secret, a configured public key, or an
identity provider's JWKS (a real HTTP server on a loopback port here). Accounts answer
only their owner: anyone else gets the very 404 of an account that does not exist. Each
operation needs one scope, and says which when it is missing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from {{ cookiecutter.package_name }}.domain.principal import Scope
from {{ cookiecutter.package_name }}.settings import (
    DEVELOPMENT_AUDIENCE,
    DEVELOPMENT_ISSUER,
    Settings,
)
from tests.api.api_client import (
    balance,
    client_of,
    deposit,
    memory_app,
    new_key,
    open_account,
    transfer,
)
from tests.api.tokens import OWNER, SIGNING_KEY, as_owner, bearer

ACCOUNT = {"owner_email": "a@example.com", "currency": "EUR"}
IDP_ISSUER = "https://id.example.com/"
IDP_AUDIENCE = "https://ledger.example.com"
IDP_KEY_ID = "idp-key-1"
INVALID_CREDENTIALS = 'Bearer error="invalid_token"'
"""The challenge that answers a token the service does not accept (RFC 6750, 3.1)."""


def claims(**changes: object) -> dict[str, object]:
    """The claims of a valid token for the owner (read and write), with ``changes``;
    a change to ``None`` leaves that claim out."""
    now = int(time.time())
    valid = {
        "sub": OWNER,
        "scope": "ledger:read ledger:write",
        "iss": DEVELOPMENT_ISSUER,
        "aud": DEVELOPMENT_AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }
    return {name: value for name, value in (valid | changes).items() if value is not None}


def from_now(seconds: int) -> int:
    return int(time.time()) + seconds


def signed(
    payload: dict[str, object],
    key: Any = SIGNING_KEY,
    algorithm: str = "HS256",
    headers: dict[str, Any] | None = None,
) -> str:
    return jwt.encode(payload, key, algorithm=algorithm, headers=headers)


def segment(value: dict[str, object] | bytes) -> str:
    """One base64url part of a JWT, written by hand (PyJWT refuses to write bad tokens)."""
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned() -> str:
    """``alg: none``: a token anyone can write, with no signature at all."""
    return f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims())}."


def hmac_signed(secret: str, payload: dict[str, object]) -> str:
    """HS256 with ``secret`` as the shared key, whatever the secret is."""
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT'})}.{segment(payload)}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{segment(signature)}"


def with_payload_of(token: str, payload: dict[str, object]) -> str:
    """``token``'s header and signature around another payload."""
    header, _payload, signature = token.split(".")
    return f"{header}.{segment(payload)}.{signature}"


def with_signature_changed(token: str) -> str:
    """One character in the middle of the signature replaced (the last one may only
    carry padding bits)."""
    head, signature = token.rsplit(".", 1)
    middle = len(signature) // 2
    replacement = "A" if signature[middle] != "A" else "B"
    return f"{head}.{signature[:middle]}{replacement}{signature[middle + 1 :]}"


def assert_refused(response: httpx.Response, status: int, code: str, challenge: str | None) -> None:
    """The API's error body and, for 401 and 403, the challenge RFC 6750 asks for."""
    assert response.status_code == status, response.text
    assert response.headers.get("WWW-Authenticate") == challenge
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code


INVALID_TOKENS: dict[str, Callable[[], str]] = {
    "expired": lambda: signed(claims(exp=from_now(-3600))),
    "not valid yet": lambda: signed(claims(nbf=from_now(3600))),
    "from another issuer": lambda: signed(claims(iss="https://someone-else.example")),
    "for another audience": lambda: signed(claims(aud="another-api")),
    "without a subject": lambda: signed(claims(sub=None)),
    "without an expiry": lambda: signed(claims(exp=None)),
    "without an issuer": lambda: signed(claims(iss=None)),
    "without an audience": lambda: signed(claims(aud=None)),
    "with an empty subject": lambda: signed(claims(sub="")),
    "with a subject that is not a string": lambda: signed(claims(sub=42)),
    "with a subject too long to own accounts": lambda: signed(claims(sub="x" * 256)),
    "signed with another key": lambda: signed(claims(), key="k" * 32),
    "signed with an algorithm not allowed": lambda: signed(claims(), algorithm="HS512"),
    "unsigned (alg none)": unsigned,
    "with a tampered payload": lambda: with_payload_of(
        signed(claims()), claims(scope="ledger:admin")
    ),
    "with a tampered signature": lambda: with_signature_changed(signed(claims())),
    "not a JWT": lambda: "not-a-jwt",
}
"""Tokens with one flaw each, made when the test runs."""


class TestWithoutAValidToken:
    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
            {"Authorization": "Bearer "},
            {"Authorization": signed(claims())},
        ],
        ids=["no Authorization header", "Basic", "Bearer without a token", "no scheme"],
    )
    async def test_a_request_without_a_bearer_token_is_challenged(
        self, memory_client: httpx.AsyncClient, headers: dict[str, str]
    ) -> None:
        response = await memory_client.post("/accounts", json=ACCOUNT, headers=headers)

        assert_refused(response, 401, "unauthenticated", challenge="Bearer")

    @pytest.mark.parametrize("make", INVALID_TOKENS.values(), ids=INVALID_TOKENS.keys())
    async def test_a_token_that_is_not_valid_is_refused(
        self, memory_client: httpx.AsyncClient, make: Callable[[], str]
    ) -> None:
        response = await memory_client.post("/accounts", json=ACCOUNT, headers=bearer(make()))

        assert_refused(response, 401, "invalid_token", challenge=INVALID_CREDENTIALS)

    async def test_the_same_token_with_nothing_wrong_is_served(
        self, memory_client: httpx.AsyncClient
    ) -> None:
        """The control of the test above: its tokens fail for their one flaw only."""
        response = await memory_client.post(
            "/accounts", json=ACCOUNT, headers=bearer(signed(claims()))
        )

        assert response.status_code == 201, response.text

    @pytest.mark.parametrize(
        "skewed",
        [lambda: claims(exp=from_now(-5)), lambda: claims(nbf=from_now(5))],
        ids=["expired 5 s ago", "valid in 5 s"],
    )
    async def test_a_clock_a_few_seconds_off_is_tolerated(
        self, memory_client: httpx.AsyncClient, skewed: Callable[[], dict[str, object]]
    ) -> None:
        """The issuer's clock and ours never agree exactly (AUTH_CLOCK_SKEW_SECONDS: 30)."""
        token = signed(skewed())

        response = await memory_client.post("/accounts", json=ACCOUNT, headers=bearer(token))

        assert response.status_code == 201, response.text


@dataclass(frozen=True)
class IdentityProvider:
    """An identity provider's signing key, and where it publishes the public half."""

    key: rsa.RSAPrivateKey
    jwks_url: str

    def token(self, key_id: str | None = IDP_KEY_ID, **changes: object) -> str:
        payload = claims(iss=IDP_ISSUER, aud=IDP_AUDIENCE, **changes)
        headers = {"kid": key_id} if key_id is not None else None
        return signed(payload, self.key, "RS256", headers)

    def public_pem(self) -> str:
        pem = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return pem.decode()


def jwks_of(key: rsa.RSAPrivateKey) -> bytes:
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return json.dumps({"keys": [jwk | {"kid": IDP_KEY_ID, "alg": "RS256", "use": "sig"}]}).encode()


@contextmanager
def serving(document: bytes) -> Iterator[str]:
    """An HTTP server on a loopback port answering every GET with ``document``; its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(document)))
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """No access log on the test output."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def identity_provider() -> Iterator[IdentityProvider]:
    key = new_rsa_key()
    with serving(jwks_of(key)) as url:
        yield IdentityProvider(key, url)


def production(**key_source: Any) -> Settings:
    """Production settings trusting the identity provider."""
    return Settings(
        _env_file=None,
        environment="production",
        auth_issuer=IDP_ISSUER,
        auth_audience=IDP_AUDIENCE,
        **key_source,
    )


@pytest.fixture
async def idp_client(identity_provider: IdentityProvider) -> AsyncIterator[httpx.AsyncClient]:
    """The app in production, trusting the keys at the identity provider's JWKS URL."""
    app = memory_app(production(auth_jwks_url=identity_provider.jwks_url))
    async with client_of(app) as client:
        yield client


class TestIdentityProviderKeys:
    async def test_a_token_signed_with_a_published_key_is_served(
        self, idp_client: httpx.AsyncClient, identity_provider: IdentityProvider
    ) -> None:
        token = identity_provider.token()

        opened = await idp_client.post("/accounts", json=ACCOUNT, headers=bearer(token))
        read = await idp_client.get(f"/accounts/{opened.json()['id']}", headers=bearer(token))

        assert opened.status_code == 201, opened.text
        assert read.status_code == 200, read.text

    @pytest.mark.parametrize("key_id", ["idp-key-unknown", None], ids=["unknown kid", "no kid"])
    async def test_a_token_naming_no_published_key_is_refused(
        self,
        idp_client: httpx.AsyncClient,
        identity_provider: IdentityProvider,
        key_id: str | None,
    ) -> None:
        token = identity_provider.token(key_id=key_id)

        response = await idp_client.post("/accounts", json=ACCOUNT, headers=bearer(token))

        assert_refused(response, 401, "invalid_token", challenge=INVALID_CREDENTIALS)

    async def test_a_token_signed_by_another_key_under_a_published_key_id_is_refused(
        self, idp_client: httpx.AsyncClient
    ) -> None:
        impostor = signed(
            claims(iss=IDP_ISSUER, aud=IDP_AUDIENCE), new_rsa_key(), "RS256", {"kid": IDP_KEY_ID}
        )

        response = await idp_client.post("/accounts", json=ACCOUNT, headers=bearer(impostor))

        assert_refused(response, 401, "invalid_token", challenge=INVALID_CREDENTIALS)

    async def test_while_the_keys_cannot_be_fetched_requests_get_a_503(
        self, identity_provider: IdentityProvider
    ) -> None:
        """Not a 401: the token may be fine, and the caller should retry, not log in again."""
        with serving(jwks_of(identity_provider.key)) as url:
            pass  # the server is gone: its port refuses connections
        app = memory_app(production(auth_jwks_url=url))

        async with client_of(app) as client:
            response = await client.post(
                "/accounts", json=ACCOUNT, headers=bearer(identity_provider.token())
            )

        assert_refused(response, 503, "identity_provider_unavailable", challenge=None)


class TestConfiguredPublicKey:
    @pytest.fixture
    async def pem_client(
        self, identity_provider: IdentityProvider
    ) -> AsyncIterator[httpx.AsyncClient]:
        """The app in production, trusting one public key (AUTH_PUBLIC_KEY), no JWKS."""
        pem = identity_provider.public_pem()
        async with client_of(memory_app(production(auth_public_key=pem))) as client:
            yield client

    async def test_a_token_signed_with_the_private_half_is_served(
        self, pem_client: httpx.AsyncClient, identity_provider: IdentityProvider
    ) -> None:
        token = identity_provider.token(key_id=None)

        response = await pem_client.post("/accounts", json=ACCOUNT, headers=bearer(token))

        assert response.status_code == 201, response.text

    async def test_a_token_using_the_public_key_as_an_hmac_secret_is_refused(
        self, pem_client: httpx.AsyncClient, identity_provider: IdentityProvider
    ) -> None:
        """Algorithm confusion: the public key is public, so an HS256 token "signed" with
        its text would let anyone in if the verifier let the token choose the algorithm."""
        forged = hmac_signed(
            identity_provider.public_pem(), claims(iss=IDP_ISSUER, aud=IDP_AUDIENCE)
        )

        response = await pem_client.post("/accounts", json=ACCOUNT, headers=bearer(forged))

        assert_refused(response, 401, "invalid_token", challenge=INVALID_CREDENTIALS)


MALLORY = "mallory"


async def read_it(client: httpx.AsyncClient, account_id: str, _own: str) -> httpx.Response:
    return await client.get(f"/accounts/{account_id}", headers=as_owner(MALLORY))


async def list_its_transfers(
    client: httpx.AsyncClient, account_id: str, _own: str
) -> httpx.Response:
    return await client.get(f"/accounts/{account_id}/transfers", headers=as_owner(MALLORY))


async def move_money_out_of_it(
    client: httpx.AsyncClient, account_id: str, own: str
) -> httpx.Response:
    return await transfer(client, account_id, own, 10, by=MALLORY)


async def move_money_out_of_it_to_nowhere(
    client: httpx.AsyncClient, account_id: str, _own: str
) -> httpx.Response:
    """To a destination that does not exist: for the source's owner, a 409."""
    return await transfer(client, account_id, str(uuid.uuid4()), 10, by=MALLORY)


Attempt = Callable[[httpx.AsyncClient, str, str], Awaitable[httpx.Response]]


class TestAnotherSubjectsAccount:
    """Alice's account answers Mallory exactly as an account that does not exist: its id
    tells her nothing, not even that it exists."""

    @pytest.mark.parametrize(
        "attempt",
        [read_it, list_its_transfers, move_money_out_of_it, move_money_out_of_it_to_nowhere],
    )
    async def test_is_the_404_of_a_missing_account(
        self, client: httpx.AsyncClient, attempt: Attempt
    ) -> None:
        alices = (await open_account(client, "alice@example.com"))["id"]
        assert (await deposit(client, alices, 100)).status_code == 200
        mallorys = (await open_account(client, "m@example.com", owner=MALLORY))["id"]
        missing = str(uuid.uuid4())

        theirs = await attempt(client, alices, mallorys)
        nobodys = await attempt(client, missing, mallorys)

        assert theirs.status_code == nobodys.status_code == 404
        assert theirs.json()["error"]["code"] == "account_not_found"
        assert theirs.text.replace(alices, "<id>") == nobodys.text.replace(missing, "<id>")
        assert await balance(client, alices) == 100

    async def test_an_administrator_deposits_into_it_but_does_not_read_it(
        self, client: httpx.AsyncClient
    ) -> None:
        """``ledger:admin`` brings money in; it is not a key to everyone's accounts."""
        alices = (await open_account(client))["id"]
        administrator = as_owner("treasury", [Scope.ADMIN, Scope.READ])

        deposited = await deposit(client, alices, 100)
        read = await client.get(f"/accounts/{alices}", headers=administrator)

        assert deposited.status_code == 200, deposited.text
        assert read.status_code == 404


@dataclass(frozen=True)
class Operation:
    """One operation of the API, sent on the owner's behalf with the scopes given."""

    name: str
    needs: Scope
    send: Callable[[httpx.AsyncClient, list[str], dict[str, str]], Awaitable[httpx.Response]]

    def __str__(self) -> str:
        return self.name


OPERATIONS = [
    Operation(
        "open an account",
        Scope.WRITE,
        lambda client, _ids, headers: client.post("/accounts", json=ACCOUNT, headers=headers),
    ),
    Operation(
        "read an account",
        Scope.READ,
        lambda client, ids, headers: client.get(f"/accounts/{ids[0]}", headers=headers),
    ),
    Operation(
        "list its transfers",
        Scope.READ,
        lambda client, ids, headers: client.get(f"/accounts/{ids[0]}/transfers", headers=headers),
    ),
    Operation(
        "deposit",
        Scope.ADMIN,
        lambda client, ids, headers: client.post(
            f"/accounts/{ids[0]}/deposits",
            json={"amount_minor_units": 1, "currency": "EUR"},
            headers=headers | {"Idempotency-Key": new_key()},
        ),
    ),
    Operation(
        "transfer",
        Scope.WRITE,
        lambda client, ids, headers: client.post(
            "/transfers",
            json={
                "source_account_id": ids[0],
                "destination_account_id": ids[1],
                "amount_minor_units": 1,
                "currency": "EUR",
            },
            headers=headers | {"Idempotency-Key": new_key()},
        ),
    ),
]


class TestScopes:
    """Each operation needs one scope: without it, 403 and the scope to ask for; with it
    alone, the operation is served (no other scope is needed on the side)."""

    @pytest.fixture
    async def owned(self, memory_client: httpx.AsyncClient) -> list[str]:
        """Two accounts of the owner, the first with money in it."""
        ids = [(await open_account(memory_client))["id"] for _ in range(2)]
        assert (await deposit(memory_client, ids[0], 100)).status_code == 200
        return ids

    @pytest.mark.parametrize("operation", OPERATIONS, ids=str)
    async def test_without_its_scope_an_operation_is_forbidden(
        self, memory_client: httpx.AsyncClient, owned: list[str], operation: Operation
    ) -> None:
        every_other_scope = [scope for scope in Scope if scope != operation.needs]

        response = await operation.send(memory_client, owned, as_owner(OWNER, every_other_scope))

        challenge = f'Bearer error="insufficient_scope", scope="{operation.needs}"'
        assert_refused(response, 403, "insufficient_scope", challenge=challenge)

    @pytest.mark.parametrize("operation", OPERATIONS, ids=str)
    async def test_its_scope_alone_is_enough(
        self, memory_client: httpx.AsyncClient, owned: list[str], operation: Operation
    ) -> None:
        response = await operation.send(memory_client, owned, as_owner(OWNER, [operation.needs]))

        assert response.is_success, response.text
