"""The signing keys of Cognito user pools (aws-auth.md §2): a pool is tied to the template by the pool ID in the
authorizer's `providerARNs` (`arn:aws:cognito-idp:<region>:<account>:userpool/<poolId>`); its tokens' issuer is
`https://cognito-idp.<region>.amazonaws.com/<poolId>` and its keys are at `<issuer>/.well-known/jwks.json` (Cognito
developer guide, amazon-cognito-user-pools-using-tokens-verifying-a-jwt).

Where lambdagate finds them, in order: `--user-pool-jwks POOL_ID=FILE`; the pool `lambdagate tokens` made under
`.lambdagate/user-pools/<poolId>/jwks.json`; the pool's own JWKS fetched from its issuer (once, then cached; only
public keys are read, nothing is written to the account).

An HTTP API's JWT authorizer names an issuer URL instead (aws-http-api.md §9): a Cognito pool's issuer is that pool;
any other issuer's keys come from `--user-pool-jwks ISSUER_URL=FILE`, else from the issuer's OpenID Connect
discovery document (`<issuer>/.well-known/openid-configuration`, its `jwks_uri`), as API Gateway fetches them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path

import jwt

from ..arns import user_pool_id as pool_id
from ..errors import LambdagateError

POOL_ID = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$")
_COGNITO_ISSUER = re.compile(r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/(?P<pool>[^/]+)$")
JWKS_FLAG = "--user-pool-jwks"
LOCAL_POOLS = "user-pools"   # under .lambdagate/


class KeysUnavailable(Exception):
    """lambdagate cannot get the pool's keys: not AWS's answer but a local limitation, said as such."""


def default_client_id(pool: str) -> str:
    """A stable app client id for the pool `lambdagate tokens` makes: 26 lowercase alphanumerics like Cognito's."""
    return hashlib.sha256(f"client:{pool}".encode()).hexdigest()[:26]


def tokens_command(pool: str, audience: tuple[str, ...] = (), scopes: tuple[str, ...] = ()) -> str:
    """The `lambdagate tokens` command whose token a JWT authorizer accepts: the authorizer's first audience as
    `--client-id` when the pool's default client is not among them (a template's `!Ref UserPoolClient`), and the
    scopes its routes ask for as `--scope` (an access token: its `client_id` stands for `aud`, aws-http-api.md §9)."""
    words = ["lambdagate", "tokens", pool]
    if audience and default_client_id(pool) not in audience:
        words += ["--client-id", audience[0]]
    for scope in scopes:
        words += ["--scope", scope]
    return " ".join(words)


def issuer(pool: str) -> str:
    """`us-east-1_AbC` -> `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC` (the region is the ID's
    prefix)."""
    return f"https://cognito-idp.{pool.split('_', 1)[0]}.amazonaws.com/{pool}"


def pool_of(issuer_url: str) -> str | None:
    """The pool of a Cognito issuer URL (`https://cognito-idp.<region>.amazonaws.com/<poolId>`), else None."""
    found = _COGNITO_ISSUER.match(issuer_url.rstrip("/"))
    return found.group("pool") if found and POOL_ID.match(found.group("pool")) else None


def jwks_flags(values: Iterable[str]) -> dict[str, Path]:
    """`POOL_ID=FILE` (or `ISSUER_URL=FILE`, for an HTTP API's JWT authorizer) items of --user-pool-jwks."""
    out: dict[str, Path] = {}
    for item in values:
        name, sep, path = item.partition("=")
        name = name.strip()
        if not sep or not (POOL_ID.match(name) or name.startswith(("https://", "http://"))) or not path:
            raise LambdagateError(f"{JWKS_FLAG}: expected POOL_ID=FILE with a pool ID such as us-east-1_AbCdEf123, "
                                  f"or ISSUER_URL=FILE with a JWT issuer such as https://example.auth0.com/, got "
                                  f"{item!r}")
        out[pool_of(name) or name] = Path(path)
    return out


def read_jwks(path: Path) -> jwt.PyJWKSet:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return jwt.PyJWKSet.from_dict(data)
    except OSError as e:
        raise LambdagateError(f"{path}: cannot read the JWKS file: {e.strerror}") from None
    except (ValueError, jwt.PyJWKSetError, jwt.InvalidKeyError) as e:
        raise LambdagateError(f"{path}: not a JWKS document ({{\"keys\": [...]}}): {e}") from None


class UserPoolKeys:
    def __init__(self, files: Mapping[str, Path] | None = None, state_dir: Path | None = None,
                 fetch: bool = True, jwks_url: str = "{issuer}/.well-known/jwks.json") -> None:
        self._files = dict(files or {})
        self._state_dir = state_dir
        self._fetch = fetch
        self._url = jwks_url
        self._sets: dict[str, jwt.PyJWKSet] = {}
        self._clients: dict[str, jwt.PyJWKClient] = {}

    def local_file(self, pool: str) -> Path | None:
        if pool in self._files:
            return self._files[pool]
        if self._state_dir is not None:
            made = self._state_dir / LOCAL_POOLS / pool / "jwks.json"
            if made.is_file():
                return made
        return None

    async def signing_key(self, pool: str, kid: str | None) -> jwt.PyJWK | None:
        """The pool's key with this `kid`, or None when the pool has no such key (the token is then refused)."""
        keys = self._sets.get(pool)
        if keys is None:
            path = self.local_file(pool)
            if path is not None:
                keys = self._sets[pool] = read_jwks(path)
        if keys is not None:
            return next((k for k in keys.keys if k.key_id == kid), None)
        if not self._fetch:
            raise KeysUnavailable(self._advice(pool, "fetching keys is off"))
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = jwt.PyJWKClient(self._url.format(issuer=issuer(pool)), cache_keys=True,
                                                            timeout=5)
        try:
            return await asyncio.to_thread(client.get_signing_key, kid or "")
        except jwt.PyJWKClientConnectionError as e:
            raise KeysUnavailable(self._advice(pool, f"its JWKS could not be fetched ({e})")) from None
        except jwt.PyJWKClientError:
            return None   # the pool has no key with this kid

    async def issuer_key(self, issuer_url: str, kid: str | None) -> jwt.PyJWK | None:
        """The key with this `kid` of a JWT issuer: a Cognito pool's as `signing_key`, another issuer's from a local
        file or its discovery document; None when the issuer has no such key."""
        pool = pool_of(issuer_url)
        if pool is not None:
            return await self.signing_key(pool, kid)
        keys = self._sets.get(issuer_url)
        if keys is None:
            path = self._files.get(issuer_url) or self._files.get(issuer_url.rstrip("/"))
            if path is not None:
                keys = self._sets[issuer_url] = read_jwks(path)
        if keys is not None:
            return next((k for k in keys.keys if k.key_id == kid), None)
        if not self._fetch:
            raise KeysUnavailable(self._issuer_advice(issuer_url, "fetching keys is off"))
        client = self._clients.get(issuer_url)
        try:
            if client is None:
                jwks_uri = await asyncio.to_thread(_discovered_jwks_uri, issuer_url)
                client = self._clients[issuer_url] = jwt.PyJWKClient(jwks_uri, cache_keys=True, timeout=5)
            return await asyncio.to_thread(client.get_signing_key, kid or "")
        except (OSError, ValueError, jwt.PyJWKClientConnectionError) as e:
            raise KeysUnavailable(self._issuer_advice(issuer_url, f"its keys could not be fetched ({e})")) from None
        except jwt.PyJWKClientError:
            return None

    def local_issuer_file(self, issuer_url: str) -> Path | None:
        pool = pool_of(issuer_url)
        return self.local_file(pool) if pool is not None else self._files.get(issuer_url)

    @staticmethod
    def _issuer_advice(issuer_url: str, why: str) -> str:
        return (f"the keys of the JWT issuer {issuer_url} are not available: {why}; give them with {JWKS_FLAG} "
                f"{issuer_url}=FILE")

    @staticmethod
    def _advice(pool: str, why: str) -> str:
        return (f"the keys of user pool {pool} are not available: {why}; give them with {JWKS_FLAG} {pool}=FILE, "
                f"or make a local pool with `lambdagate tokens {pool}`")


def _discovered_jwks_uri(issuer_url: str) -> str:
    """`jwks_uri` of the issuer's OpenID Connect discovery document (AGDG http-api-jwt-authorizer: API Gateway
    reads `<issuer>/.well-known/openid-configuration`)."""
    url = issuer_url.rstrip("/") + "/.well-known/openid-configuration"
    with urllib.request.urlopen(url, timeout=5) as response:   # noqa: S310 - an https issuer named by the template
        document = json.loads(response.read())
    jwks_uri = document.get("jwks_uri") if isinstance(document, dict) else None
    if not isinstance(jwks_uri, str):
        raise ValueError(f"{url} names no jwks_uri")
    return jwks_uri


def startup_lines(authorizers: Iterable[tuple[str, tuple[str, ...]]], keys: UserPoolKeys) -> list[str]:
    """What `serve` says of each Cognito authorizer's pools: (authorizer name, provider ARNs) in, one line per pool
    out, naming where its keys come from and how to make tokens for it."""
    out = []
    for name, arns in authorizers:
        for arn in arns:
            pool = pool_id(arn)
            if pool is None:
                continue
            local = keys.local_file(pool)
            where = f"keys from {local}" if local else "keys fetched from the pool's issuer when first needed"
            out.append(f"Cognito authorizer {name}: user pool {pool} ({where}); test tokens: lambdagate tokens {pool}")
    return out


def issuer_lines(authorizers: Iterable[tuple[str, str, tuple[str, ...], tuple[str, ...]]],
                 keys: UserPoolKeys) -> list[str]:
    """What `serve` says of each HTTP API JWT authorizer: (authorizer name, issuer URL, audience, scopes its routes
    ask for) in, one line each out, naming where its keys come from and, for a Cognito issuer, the `lambdagate
    tokens` command whose token it accepts."""
    out = []
    for name, issuer_url, audience, scopes in authorizers:
        pool = pool_of(issuer_url)
        local = keys.local_issuer_file(issuer_url)
        where = f"keys from {local}" if local else "keys fetched from the issuer when first needed"
        tokens = (f"; test tokens: {tokens_command(pool, audience, scopes)}" if pool
                  else f"; local keys: {JWKS_FLAG} {issuer_url}=FILE")
        out.append(f"JWT authorizer {name}: issuer {issuer_url} ({where}){tokens}")
    return out
