"""Who the load speaks for: one subject owns every seeded account and holds every scope.

The benchmark chooses its own development signing key, passes it to every app it starts
(with the development issuer and audience the service assumes) and has the baked
project's ``token`` command sign a token with it, as a developer gets one: nothing comes
from the bake's ``.env``. Every request of the load runs and of the statement count sends
that token; the references verify it as the service does (``reference_common.caller``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from baked_project import BakedProject

SUBJECT = "bench-owner"
"""The accounts' owner and the transfers' requester (``accounts.owner``, ``requested_by``)."""
SCOPES = ("ledger:read", "ledger:write", "ledger:admin")
TOKEN_MINUTES = 24 * 60
"""Longer than any run: a token that expired mid-run would turn the load into 401s."""


@dataclass(frozen=True)
class Credentials:
    signing_key: str
    issuer: str
    audience: str
    subject: str
    token: str

    @property
    def settings(self) -> dict[str, str]:
        """The environment every app is started with (the service's setting names)."""
        return {
            "AUTH_DEV_SIGNING_KEY": self.signing_key,
            "AUTH_ISSUER": self.issuer,
            "AUTH_AUDIENCE": self.audience,
        }

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def credentials_for(project: BakedProject) -> Credentials:
    """A fresh signing key, and a token for ``SUBJECT`` signed by the project's own
    ``token`` command. Issuer and audience are the development ones the service derives
    from its slug (``settings.py``), given explicitly to every app all the same."""
    signing_key = secrets.token_hex(32)
    slug = project.command
    unsigned = Credentials(signing_key, f"{slug}-development", slug, SUBJECT, token="")
    token = project.dev_token(unsigned.settings, SUBJECT, SCOPES, TOKEN_MINUTES)
    return Credentials(signing_key, unsigned.issuer, unsigned.audience, SUBJECT, token)
