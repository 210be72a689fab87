"""Ids that look like AWS's and stay the same from run to run of the same template."""

from __future__ import annotations

import hashlib

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _stable(seed: str, length: int) -> str:
    n = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    chars = []
    for _ in range(length):
        n, r = divmod(n, len(_ALPHABET))
        chars.append(_ALPHABET[r])
    return "".join(chars)


def api_id(stack: str, logical_id: str) -> str:
    """REST API ids are 10 lowercase alphanumerics (fact sheet §1.2)."""
    return _stable(f"api:{stack}:{logical_id}", 10)


def resource_id(api: str, path: str) -> str:
    """Resource ids are 6 lowercase alphanumerics (fact sheet §1.2)."""
    return _stable(f"resource:{api}:{path}", 6)


def deployment_id(api: str, stage: str) -> str:
    return _stable(f"deployment:{api}:{stage}", 6)


def integration_id(api: str, name: str) -> str:
    """HTTP API integration ids are 7 lowercase alphanumerics (`Target: integrations/abc1234`)."""
    return _stable(f"integration:{api}:{name}", 7)


def authorizer_id(api: str, name: str) -> str:
    return _stable(f"authorizer:{api}:{name}", 6)
