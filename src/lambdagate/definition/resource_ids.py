"""Ids that look like AWS's and stay the same from run to run of the same template."""

from __future__ import annotations

import hashlib

LOWER_ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyz"
ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def stable_id(seed: str, length: int, alphabet: str = LOWER_ALPHANUMERIC) -> str:
    """`length` characters of `alphabet`, the same for the same seed on every run and machine."""
    return _spelled(int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big"), length, alphabet)


def _spelled(n: int, length: int, alphabet: str) -> str:
    chars = []
    for _ in range(length):
        n, r = divmod(n, len(alphabet))
        chars.append(alphabet[r])
    return "".join(chars)


def api_id(stack: str, logical_id: str) -> str:
    """REST API ids are 10 lowercase alphanumerics (fact sheet §1.2)."""
    return stable_id(f"api:{stack}:{logical_id}", 10)


def resource_id(api: str, path: str) -> str:
    """Resource ids are 6 lowercase alphanumerics (fact sheet §1.2)."""
    return stable_id(f"resource:{api}:{path}", 6)


def deployment_id(api: str, stage: str) -> str:
    return stable_id(f"deployment:{api}:{stage}", 6)


def integration_id(api: str, name: str) -> str:
    """HTTP API integration ids are 7 lowercase alphanumerics (`Target: integrations/abc1234`)."""
    return stable_id(f"integration:{api}:{name}", 7)


def authorizer_id(api: str, name: str) -> str:
    """Authorizer ids are 6 lowercase alphanumerics (`elkw5b`, aws-auth.md §1.11)."""
    return stable_id(f"authorizer:{api}:{name}", 6)


def request_validator_id(api: str, name: str) -> str:
    return stable_id(f"validator:{api}:{name}", 6)


def usage_plan_id(stack: str, logical_id: str) -> str:
    return stable_id(f"usageplan:{stack}:{logical_id}", 6)


def api_key_id(stack: str, logical_id: str) -> str:
    """API key ids are 10 lowercase alphanumerics, like REST API ids."""
    return stable_id(f"apikey:{stack}:{logical_id}", 10)


def api_key_value(stack: str, logical_id: str) -> str:
    """A generated API key value: 40 alphanumerics as AWS generates them (values are 20-128 alphanumerics,
    aws-auth.md §4.1), the same from run to run of the same template so that a tester can keep using it."""
    n = int.from_bytes(hashlib.sha256(f"apikey-value:{stack}:{logical_id}".encode()).digest() * 2, "big")
    return _spelled(n, 40, ALPHANUMERIC)
