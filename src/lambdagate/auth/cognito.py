"""A Cognito user-pool authorizer (`COGNITO_USER_POOLS`, aws-auth.md §2): the token verified as API Gateway does,
and the claims as the integration sees them.

- The identity header must be present and non-empty (identity_sources; 401 without further checks). The value is
  the raw JWT: a `Bearer ` prefix is not stripped, so such a token fails [UNCERTAIN].
- The token's `iss` must be one of the authorizer's pools, its signature must verify with that pool's key (RS256),
  `exp` must be in the future. Expired: 401 `The incoming token has expired` [UNCERTAIN body]; any other failure:
  401 `Unauthorized`.
- No scopes on the method: the token must be an ID token (`token_use` `id`); the validation expression, when set,
  must match its `aud` (API reference, Authorizer.identityValidationExpression). Scopes on the method: an access
  token (`token_use` `access`) whose space-separated `scope` holds any of them ([DOC] AGDG).
- The audience is not checked otherwise: any app client of the pool may call.

`requestContext.authorizer` is `{"claims": {...}}` with every value a string ([REC] 4 captures): `exp`/`iat` as
Java's `Date.toString()` in UTC (`Sun Apr 19 08:06:14 UTC 2020`), booleans `"true"`, arrays comma-joined,
objects as JSON text, other numbers as their digits. No `principalId` or `integrationLatency`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import errors
from ..arns import user_pool_id as pool_id
from ..definition.model.auth import Authorizer
from .identity_sources import passes_validation
from .jwt_signature import InvalidToken, signed_claims, unverified
from .user_pool_keys import KeysUnavailable, UserPoolKeys, issuer

ALGORITHMS = ["RS256"]   # Cognito signs its tokens with RS256 (Cognito developer guide)
_DATE_CLAIMS = ("exp", "iat")


@dataclass(frozen=True)
class CognitoGrant:
    claims: dict[str, str]
    token_use: str

    def request_context(self) -> dict[str, Any]:
        return {"claims": dict(self.claims)}


def render_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    return {name: _render(name, value) for name, value in claims.items()}


def _render(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if name in _DATE_CLAIMS and isinstance(value, (int, float)):
        return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(value))
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join(v if isinstance(v, str) else _render("", v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))   # [UNCERTAIN] spacing
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


async def verify(authorizer: Authorizer, token: str, scopes: tuple[str, ...], keys: UserPoolKeys,
                 now: Callable[[], float] = time.time) -> CognitoGrant:
    """The grant for a valid token; a GatewayError (401, or lambdagate's 501 when a pool's keys are unavailable)."""
    def refuse(why: str) -> errors.GatewayError:
        return errors.unauthorized(hint=f"Cognito authorizer {authorizer.name}: {why}")

    try:
        header, unverified_claims = unverified(token)
    except InvalidToken as e:
        raise refuse(f"the header value is not a JWT ({e}); send the raw token, without 'Bearer '") from None
    pools = {issuer(p): p for p in (pool_id(arn) for arn in authorizer.provider_arns) if p}
    pool = pools.get(str(unverified_claims.get("iss")))
    if pool is None:
        raise refuse(f"the token's issuer {unverified_claims.get('iss')!r} is none of the authorizer's user pools "
                     f"({', '.join(pools) or 'none'})")
    try:
        key = await keys.signing_key(pool, header.get("kid"))
    except KeysUnavailable as e:
        raise errors.limitation(str(e)) from None
    if key is None:
        raise refuse(f"user pool {pool} has no key with the token's kid {header.get('kid')!r}")
    try:
        claims = signed_claims(token, key, ALGORITHMS)
    except InvalidToken as e:
        raise refuse(f"the token does not verify with user pool {pool}'s key: {e}") from None
    expires = claims.get("exp")
    if not isinstance(expires, (int, float)) or expires <= now():
        raise errors.token_expired(hint=f"Cognito authorizer {authorizer.name}: the token expired at {expires}")
    token_use = str(claims.get("token_use"))
    if not scopes:
        if token_use != "id":
            raise refuse(f"the method has no authorization scopes, so it takes an ID token; this is token_use "
                         f"{token_use!r}")
        if authorizer.validation_expression and not passes_validation(authorizer.validation_expression,
                                                                       str(claims.get("aud", ""))):
            raise refuse(f"the token's aud {claims.get('aud')!r} does not match the validation expression "
                         f"{authorizer.validation_expression!r}")
    else:
        granted = str(claims.get("scope", "")).split()
        if token_use != "access":
            raise refuse(f"the method has authorization scopes ({' '.join(scopes)}), so it takes an access token; "
                         f"this is token_use {token_use!r}")
        if not set(scopes) & set(granted):
            raise refuse(f"the token's scopes ({' '.join(granted) or 'none'}) hold none of the method's "
                         f"({' '.join(scopes)})")
    return CognitoGrant(render_claims(claims), token_use)
