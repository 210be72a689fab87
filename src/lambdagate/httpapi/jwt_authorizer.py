"""The JWT authorizer's decision (docs/aws-http-api.md §9; AGDG http-api-jwt-authorizer.md,
http-api-troubleshooting-jwt.md), as a pure function of the token, the issuer's keys and the clock.

API Gateway takes the token from the identity source (default `$request.header.Authorization`), optionally
prefixed `Bearer `, and checks: the `kid` is in the issuer's JWKS, the algorithm is RSA, `iss` is the configured
issuer, `aud` (or `client_id` when there is no `aud`) is one of the audiences, `exp` is after now, `nbf` and `iat`
before now, and when the route has scopes `scope`/`scp` holds at least one. Claims and scopes reach the
integration as `requestContext.authorizer.jwt.{claims, scopes}`.

Failures: 401 `{"message":"Unauthorized"}`; no token: `www-authenticate: Bearer` ([REC] CURL-AUTH); a bad
audience: `www-authenticate: Bearer scope="" error="invalid_token" error_description="the token does not have a
valid audience"` ([DOC]). Other `error_description` texts are not recorded: lambdagate names the failed check in
AWS's form ([UNCERTAIN]). Missing scopes: 403 with RFC 6750's `insufficient_scope` ([UNCERTAIN]).

The signature is checked by `auth.jwt_signature`, the one verifier REST's Cognito authorizer uses too; the keys come
from an injected lookup (`IssuerKeys`: `auth.user_pool_keys.UserPoolKeys` when serving, so that `--user-pool-jwks`
and `lambdagate tokens` serve both kinds of API). Keys that cannot be had locally are lambdagate's limitation: 501.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import jwt

from ..auth.jwt_signature import InvalidToken, signed_claims, unverified
from ..auth.user_pool_keys import KeysUnavailable
from ..definition.model.httpapi import JwtAuthorizer
from . import errors
from .errors import HttpApiError

RSA_ALGORITHMS = ["RS256", "RS384", "RS512"]
BAD_AUDIENCE = "the token does not have a valid audience"


class IssuerKeys(Protocol):
    async def issuer_key(self, issuer_url: str, kid: str | None) -> jwt.PyJWK | None:
        """The issuer's key with this `kid`, None when it has none; KeysUnavailable when the keys cannot be had."""
        ...


class JwksKeys:
    """Issuer keys from JWKS documents in memory (issuer URL -> `{"keys": [...]}`)."""

    def __init__(self, sets: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._sets = {issuer: jwt.PyJWKSet.from_dict(dict(jwks)) for issuer, jwks in (sets or {}).items()}

    async def issuer_key(self, issuer_url: str, kid: str | None) -> jwt.PyJWK | None:
        keys = self._sets.get(issuer_url)
        if keys is None:
            raise KeysUnavailable(f"no JWKS for the issuer {issuer_url}")
        return next((k for k in keys.keys if k.key_id == kid), None)


@dataclass(frozen=True)
class JwtAllowed:
    claims: dict[str, Any]
    scopes: list[str] | None

    def context(self) -> dict[str, Any]:
        """`requestContext.authorizer` of a 2.0 event."""
        return {"jwt": {"claims": self.claims, "scopes": self.scopes}}


def bearer_token(value: str) -> str:
    return value[7:].strip() if value[:7].lower() == "bearer " else value.strip()


async def authorize_jwt(authorizer: JwtAuthorizer, identity: list[str] | None, route_scopes: tuple[str, ...],
                        keys: IssuerKeys, now: float) -> JwtAllowed | HttpApiError:
    """The token of the identity source verified with the issuer's key, then its claims decided (`decide_claims`)."""
    if not identity:
        return errors.unauthorized("the identity source " + ", ".join(authorizer.identity_source) + " is missing",
                                   www_authenticate="Bearer")
    token = bearer_token(identity[0])
    try:
        header, _claims = unverified(token)
    except InvalidToken:
        return _invalid("the token is not a valid JWT")
    if header.get("alg") not in RSA_ALGORITHMS:
        return _invalid(f"signing method {header.get('alg')} is invalid")
    try:
        key = await keys.issuer_key(authorizer.issuer, header.get("kid"))
    except KeysUnavailable as e:
        return errors.not_emulated(str(e))
    if key is None:
        return _invalid(f"the token's kid {header.get('kid')!r} is not in the issuer's JWKS")
    try:
        claims = signed_claims(token, key, RSA_ALGORITHMS)
    except InvalidToken as e:
        return _invalid(f"the token's signature is invalid ({e})")
    return decide_claims(authorizer, claims, route_scopes, now)


def decide_claims(authorizer: JwtAuthorizer, claims: dict[str, Any], route_scopes: tuple[str, ...],
                  now: float) -> JwtAllowed | HttpApiError:
    """The checks after the signature: issuer, expiry, not-before, issued-at, audience, then the route's scopes."""
    if claims.get("iss") != authorizer.issuer:
        return _invalid(f"the token's issuer {claims.get('iss')!r} is not {authorizer.issuer!r}")
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= now:
        return _invalid("the token has expired")
    for claim in ("nbf", "iat"):
        if isinstance(claims.get(claim), (int, float)) and claims[claim] > now:
            return _invalid(f"the token's {claim} is in the future")
    audience = claims["aud"] if "aud" in claims else claims.get("client_id")
    audiences = audience if isinstance(audience, list) else [audience]
    if not any(a in authorizer.audience for a in audiences if isinstance(a, str)):
        return _invalid(BAD_AUDIENCE)
    granted = _scopes(claims)
    if route_scopes and not any(s in granted for s in route_scopes):
        wanted = " ".join(route_scopes)
        return HttpApiError(403, errors.FORBIDDEN_BODY, authorizer_error="insufficient scopes",
                            hint=f"the token has none of the route's scopes {wanted}",
                            www_authenticate=f'Bearer scope="{wanted}" error="insufficient_scope" '
                                             'error_description="the token does not have the required scopes"')
    return JwtAllowed({k: _claim_text(v) for k, v in claims.items()}, granted or None)


def _invalid(description: str) -> HttpApiError:
    return errors.unauthorized(description, f'Bearer scope="" error="invalid_token" error_description="{description}"')


def _scopes(claims: dict[str, Any]) -> list[str]:
    value = claims.get("scope", claims.get("scp"))
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def _claim_text(value: Any) -> Any:
    """Claim values reach the integration as strings, an array as `[a b c]` ([REC-ish] aws-solutions-library-samples/
    guidance-for-claude-code-with-amazon-bedrock#803: "API Gateway HTTP API JWT authorizer serializes array claims as
    bracketed space-separated strings")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + " ".join(str(v) for v in value) + "]"
    return value
