"""Every way a proxy result breaks the rules, found by the validator `serve` uses (`proxy.parse_proxy_result`).

The validator stops at the first violation. To list all of them, the offending field is taken out of a copy of
the result and the validator runs again, until it accepts the rest or the result as a whole is wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .proxy import WHOLE, Malformed, parse_proxy_result


@dataclass(frozen=True)
class Violation:
    path: str          # "body", "headers.X-Meta", "multiValueHeaders.x[0]", "cookies", "(the result)"
    reason: str        # the validator's own words
    python_fix: str
    node_fix: str

    def fix_for(self, runtime: str) -> str:
        if runtime.startswith("nodejs"):
            return self.node_fix
        if runtime.startswith("python"):
            return self.python_fix
        return f"Python: {self.python_fix}; Node.js: {self.node_fix}"


def violations(payload: bytes) -> list[Violation]:
    """All violations of the proxy-result rules in the function's answer, in the validator's order."""
    return peeled(payload, _first, _remove)


def peeled(payload: bytes, first: Callable[[bytes], Violation | None], remove: Callable[[Any, str], bool],
           at_most: int = 64) -> list[Violation]:
    """Every violation a validator finds in an answer: `first` names the first one (None when it accepts the
    answer), `remove` takes the field at fault out of the answer's data (False when it cannot), and the validator runs
    again on the rest, until it accepts it or the answer as a whole is wrong."""
    found: list[Violation] = []
    current = payload
    for _ in range(at_most):
        violation = first(current)
        if violation is None:
            return found
        found.append(violation)
        if violation.path == WHOLE:
            return found
        data = json.loads(current)
        if not remove(data, violation.path):
            return found
        current = json.dumps(data).encode()
    return found


def _first(payload: bytes) -> Violation | None:
    try:
        parse_proxy_result(payload)
    except Malformed as problem:
        return _violation(problem.path, str(problem), problem.unknown_key)
    return None


def _remove(data: dict[str, Any], path: str) -> bool:
    top, _, rest = path.partition(".")
    if top not in data:
        return False
    if not rest:
        del data[top]
        return True
    name = re.sub(r"\[\d+\]$", "", rest)
    holder = data[top]
    if not isinstance(holder, dict) or name not in holder:
        return False
    del holder[name]
    return True


def _violation(path: str, reason: str, unknown_key: bool) -> Violation:
    """The fix in each runtime's terms. AGDG set-up-lambda-proxy-integrations.html ("Output format of a Lambda
    function for proxy integration"): body is a string, headers map names to strings, multiValueHeaders to lists."""
    field = path.split(".")[0]
    if path == WHOLE:
        return Violation(path, reason, 'return a dict: {"statusCode": 200, "headers": {...}, "body": "..."}',
                         'return an object: {statusCode: 200, headers: {...}, body: "..."}')
    if unknown_key and path == "cookies":
        # `cookies` belongs to HTTP APIs' payload 2.0 (fact sheet §8); REST APIs reject it (§2.1)
        return Violation(path, reason, 'send cookies as "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}',
                         "send cookies as multiValueHeaders: {'Set-Cookie': ['a=1', 'b=2']}")
    if unknown_key:
        return Violation(path, reason, f"remove the key {path!r}: only statusCode, headers, multiValueHeaders, "
                         "body and isBase64Encoded are allowed",
                         f"remove the key {path!r}: only statusCode, headers, multiValueHeaders, body and "
                         "isBase64Encoded are allowed")
    if field == "body":
        return Violation(path, reason, '"body": json.dumps(value)', "body: JSON.stringify(value)")
    if field == "statusCode":
        return Violation(path, reason, '"statusCode": an integer such as 200', "statusCode: a number such as 200")
    if field in ("isBase64Encoded", "base64Encoded"):
        return Violation(path, reason, f'"{field}": True or False', f"{field}: true or false")
    if field == "multiValueHeaders" and "[" not in path and "." in path:
        return Violation(path, reason, "a list of strings per name: [value]", "an array of strings per name: [value]")
    if "." in path:
        return Violation(path, reason, "a string value: json.dumps(value), or one of its fields",
                         "a string value: JSON.stringify(value), or one of its fields")
    return Violation(path, reason, f'"{field}": a dict of header names to strings',
                     f"{field}: an object of header names to strings")
