"""The one JWT signature check, shared by REST's Cognito authorizer (cognito.py) and HTTP APIs' JWT authorizer
(httpapi/jwt_authorizer.py): the token's header and claims read unverified to find the issuer's key by `kid`, then
the signature verified with that key (PyJWT's, never hand-written). Each authorizer then checks the claims by its
own rules: Cognito `iss` among its pools, `exp`, `token_use`, scopes (aws-auth.md §2); JWT `iss`, `aud`/`client_id`,
`exp`, `nbf`, `iat`, scopes (aws-http-api.md §9)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jwt


class InvalidToken(Exception):
    """The text is not a JWT, or its signature does not verify; the message says which."""


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a token, neither verified: to choose the key and the issuer."""
    try:
        return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as e:
        raise InvalidToken(f"the value is not a JWT ({e})") from None


def signed_claims(token: str, key: jwt.PyJWK, algorithms: Sequence[str]) -> dict[str, Any]:
    """The claims when the signature verifies with `key` in one of `algorithms`; no claim is checked here."""
    try:
        claims: dict[str, Any] = jwt.decode(token, key, algorithms=list(algorithms), options={
            "verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False, "verify_iss": False})
    except jwt.PyJWTError as e:
        raise InvalidToken(f"the signature does not verify ({e})") from None
    return claims
