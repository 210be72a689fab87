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

Verification is PyJWT's; `verify_token` is the one function that touches it, so that it can be shared with the
REST Cognito authorizer's local JWKS support.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from ..definition.model import JwtAuthorizer
from . import errors
from .errors import HttpApiError

RSA_ALGORITHMS = ["RS256", "RS384", "RS512"]
BAD_AUDIENCE = "the token does not have a valid audience"


@dataclass(frozen=True)
class JwtAllowed:
    claims: dict[str, Any]
    scopes: list[str] | None

    def context(self) -> dict[str, Any]:
        """`requestContext.authorizer` of a 2.0 event."""
        return {"jwt": {"claims": self.claims, "scopes": self.scopes}}


class InvalidToken(Exception):
    """The token fails a check; the message is the `error_description`."""


def bearer_token(value: str) -> str:
    return value[7:].strip() if value[:7].lower() == "bearer " else value.strip()


def verify_token(token: str, jwks: Mapping[str, Any], issuer: str, now: float) -> dict[str, Any]:
    """The token's claims when its signature is one of `jwks`' RSA keys and `iss`, `exp`, `nbf`, `iat` hold."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidToken("the token is not a valid JWT") from None
    if header.get("alg") not in RSA_ALGORITHMS:
        raise InvalidToken(f"signing method {header.get('alg')} is invalid")
    keys = [k for k in jwks.get("keys", []) if isinstance(k, dict) and k.get("kid") == header.get("kid")]
    if not keys:
        raise InvalidToken(f"the token's kid {header.get('kid')!r} is not in the issuer's JWKS")
    try:
        key = jwt.PyJWK(keys[0]).key
        claims: dict[str, Any] = jwt.decode(token, key, algorithms=RSA_ALGORITHMS, leeway=0, options={
            "verify_aud": False, "verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_iss": False})
    except jwt.PyJWTError as e:
        raise InvalidToken(f"the token's signature is invalid ({e})") from None
    if claims.get("iss") != issuer:
        raise InvalidToken(f"the token's issuer {claims.get('iss')!r} is not {issuer!r}")
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= now:
        raise InvalidToken("the token has expired")
    for claim in ("nbf", "iat"):
        if isinstance(claims.get(claim), (int, float)) and claims[claim] > now:
            raise InvalidToken(f"the token's {claim} is in the future")
    return claims


def decide_jwt(authorizer: JwtAuthorizer, identity: list[str] | None, route_scopes: tuple[str, ...],
               jwks: Mapping[str, Any] | None, now: float) -> JwtAllowed | HttpApiError:
    if not identity:
        return errors.unauthorized("the identity source " + ", ".join(authorizer.identity_source) + " is missing",
                                   www_authenticate="Bearer")
    if jwks is None:
        return errors.internal_server_error(f"no JWKS for the issuer {authorizer.issuer}", authorizer_error=(
            f"could not fetch the JWKS of {authorizer.issuer}"))
    try:
        claims = verify_token(bearer_token(identity[0]), jwks, authorizer.issuer, now)
    except InvalidToken as e:
        return _invalid(str(e))
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
