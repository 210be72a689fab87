"""A local Cognito user pool for tests: a key pair, its JWKS, and tokens shaped as Cognito issues them (Cognito
developer guide, amazon-cognito-user-pools-using-the-id-token / -access-token). Nothing here touches AWS.

    lambdagate tokens us-east-1_Local --claim email=me@example.com --group admin      # an ID token
    lambdagate tokens us-east-1_Local --scope orders/read                             # an access token

The pool lives under `.lambdagate/user-pools/<poolId>/` (`private-key.pem`, `jwks.json`); `serve` finds it there, or
takes its JWKS with `--user-pool-jwks POOL_ID=FILE`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..errors import LambdagateError
from .user_pool_keys import LOCAL_POOLS, POOL_ID, issuer
from .user_pool_keys import default_client_id as default_client_id  # `lambdagate tokens`' default --client-id

DEFAULT_LIFETIME = 3600   # Cognito's default ID and access token lifetime: 1 hour


@dataclass(frozen=True)
class LocalPool:
    pool_id: str
    folder: Path
    kid: str
    private_key_pem: bytes

    @property
    def jwks_path(self) -> Path:
        return self.folder / "jwks.json"


def local_pool(state_dir: Path, pool: str) -> tuple[LocalPool, bool]:
    """The pool's keys under `state_dir`, made on first use; (pool, made now)."""
    if not POOL_ID.match(pool):
        raise LambdagateError(f"{pool!r} is not a user pool ID: expected <region>_<id>, e.g. us-east-1_AbCdEf123 "
                              "(the part after userpool/ in the pool's ARN)")
    folder = state_dir / LOCAL_POOLS / pool
    key_file = folder / "private-key.pem"
    if key_file.is_file():
        pem = key_file.read_bytes()
        return LocalPool(pool, folder, _kid(pem), pem), False
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    kid = _kid(pem)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    folder.mkdir(parents=True, exist_ok=True)
    key_file.write_bytes(pem)
    key_file.chmod(0o600)
    (folder / "jwks.json").write_text(json.dumps({"keys": [jwk]}, indent=2) + "\n", encoding="utf-8")
    return LocalPool(pool, folder, kid, pem), True


def _kid(pem: bytes) -> str:
    return hashlib.sha256(pem).hexdigest()[:32]


def claims_for(pool: LocalPool, username: str, client_id: str, scopes: tuple[str, ...], extra: dict[str, Any],
               now: float, lifetime: int = DEFAULT_LIFETIME) -> dict[str, Any]:
    """An access token's claims when scopes are given, else an ID token's; `extra` adds or replaces claims."""
    issued = int(now)
    sub = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{pool.pool_id}/{username}"))
    common: dict[str, Any] = {"sub": sub, "iss": issuer(pool.pool_id), "event_id": str(uuid.uuid4()),
                              "auth_time": issued, "exp": issued + lifetime, "iat": issued,
                              "jti": str(uuid.uuid4())}
    if scopes:
        claims = {**common, "token_use": "access", "scope": " ".join(scopes), "client_id": client_id,
                  "username": username, "version": 2}
    else:
        claims = {**common, "aud": client_id, "token_use": "id", "cognito:username": username}
    claims.update(extra)
    return claims


def mint(pool: LocalPool, claims: dict[str, Any]) -> str:
    return jwt.encode(claims, pool.private_key_pem, algorithm="RS256", headers={"kid": pool.kid})


def claim_value(text: str) -> Any:
    """`--claim name=value`: JSON when the value parses as JSON (`true`, `3`, `["a"]`), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


