"""Who is calling: bearer tokens (JWT) verified with PyJWT, and development tokens.

``jwt_token_verifier`` implements the ``TokenVerifier`` port; ``signing_keys`` says where
its keys come from (one configured key, or an identity provider's JWKS URL);
``dev_tokens`` signs tokens for development, when no identity provider is at hand.
"""
