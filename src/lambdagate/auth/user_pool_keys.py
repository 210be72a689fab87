"""The signing keys of Cognito user pools (aws-auth.md §2): a pool is tied to the template by the pool ID in the
authorizer's `providerARNs` (`arn:aws:cognito-idp:<region>:<account>:userpool/<poolId>`); its tokens' issuer is
`https://cognito-idp.<region>.amazonaws.com/<poolId>` and its keys are at `<issuer>/.well-known/jwks.json` (Cognito
developer guide, amazon-cognito-user-pools-using-tokens-verifying-a-jwt).

Where lambdagate finds them, in order: `--user-pool-jwks POOL_ID=FILE`; the pool `lambdagate tokens` made under
`.lambdagate/user-pools/<poolId>/jwks.json`; the pool's own JWKS fetched from its issuer (once, then cached; only
public keys are read, nothing is written to the account).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import jwt

from ..arns import user_pool_id as pool_id
from ..errors import LambdagateError

POOL_ID = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$")
JWKS_FLAG = "--user-pool-jwks"
LOCAL_POOLS = "user-pools"   # under .lambdagate/


class KeysUnavailable(Exception):
    """lambdagate cannot get the pool's keys: not AWS's answer but a local limitation, said as such."""


def issuer(pool: str) -> str:
    """`us-east-1_AbC` -> `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC` (the region is the ID's
    prefix)."""
    return f"https://cognito-idp.{pool.split('_', 1)[0]}.amazonaws.com/{pool}"


def jwks_flags(values: Iterable[str]) -> dict[str, Path]:
    """`POOL_ID=FILE` items of --user-pool-jwks."""
    out: dict[str, Path] = {}
    for item in values:
        name, sep, path = item.partition("=")
        if not sep or not POOL_ID.match(name.strip()) or not path:
            raise LambdagateError(f"{JWKS_FLAG}: expected POOL_ID=FILE with a pool ID such as us-east-1_AbCdEf123, "
                                  f"got {item!r}")
        out[name.strip()] = Path(path)
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

    @staticmethod
    def _advice(pool: str, why: str) -> str:
        return (f"the keys of user pool {pool} are not available: {why}; give them with {JWKS_FLAG} {pool}=FILE, "
                f"or make a local pool with `lambdagate tokens {pool}`")


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
