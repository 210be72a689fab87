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
    """Authorizer ids are 6 lowercase alphanumerics (`elkw5b`, aws-auth.md §1.11)."""
    return _stable(f"authorizer:{api}:{name}", 6)


def request_validator_id(api: str, name: str) -> str:
    return _stable(f"validator:{api}:{name}", 6)


def usage_plan_id(stack: str, logical_id: str) -> str:
    return _stable(f"usageplan:{stack}:{logical_id}", 6)


def api_key_id(stack: str, logical_id: str) -> str:
    """API key ids are 10 lowercase alphanumerics, like REST API ids."""
    return _stable(f"apikey:{stack}:{logical_id}", 10)


_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def api_key_value(stack: str, logical_id: str) -> str:
    """A generated API key value: 40 alphanumerics as AWS generates them (values are 20-128 alphanumerics,
    aws-auth.md §4.1), the same from run to run of the same template so that a tester can keep using it."""
    n = int.from_bytes(hashlib.sha256(f"apikey-value:{stack}:{logical_id}".encode()).digest() * 2, "big")
    chars = []
    for _ in range(40):
        n, r = divmod(n, len(_KEY_ALPHABET))
        chars.append(_KEY_ALPHABET[r])
    return "".join(chars)
