"""The webhook signing secret, as Standard Webhooks writes it: ``whsec_`` + base64.

The part after the prefix is the base64 of the HMAC-SHA256 key, which the specification
wants random and 24 to 64 bytes long. ``settings.py`` refuses any other value at start,
with this module's message, so a typo never signs webhooks no receiver can verify.
"""

from __future__ import annotations

import base64
import binascii

PREFIX = "whsec_"
MIN_KEY_BYTES = 24
MAX_KEY_BYTES = 64
HOW_TO_MAKE_ONE = (
    "python -c 'import base64, secrets; "
    'print("whsec_" + base64.b64encode(secrets.token_bytes(32)).decode())\''
)


def decode_webhook_secret(secret: str) -> bytes:
    """The HMAC key in ``secret``; ``ValueError`` saying what is wrong, never the secret."""
    if not secret.startswith(PREFIX):
        raise ValueError(f"must start with {PREFIX}, then base64; make one with: {HOW_TO_MAKE_ONE}")
    encoded = secret.removeprefix(PREFIX)
    padding = "=" * (-len(encoded) % 4)  # some issuers leave the padding out
    try:
        key = base64.b64decode(encoded + padding, validate=True)
    except binascii.Error:
        raise ValueError(f"is not {PREFIX} followed by base64") from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise ValueError(
            f"must carry {MIN_KEY_BYTES} to {MAX_KEY_BYTES} random bytes, not {len(key)}; "
            f"make one with: {HOW_TO_MAKE_ONE}"
        )
    return key
