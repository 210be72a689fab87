"""Every way a payload 2.0 result breaks the rules, found by the parser `serve` uses (`result.parse_result_v2`), and
what is not an error but not what the author meant (docs/aws-http-api.md §5): `doctor` checks an HTTP API route's
answer with these, as violations.py does a REST (or payload 1.0) answer with `proxy.parse_proxy_result`.

The parser stops at the first violation; the offending field is taken out of a copy of the answer and the parser runs
again, until it accepts the rest or the answer as a whole is wrong.
"""

from __future__ import annotations

import json
from typing import Any

from ..proxy import WHOLE
from ..violations import Violation, peeled
from .result import MalformedResult, parse_result_v2

# Keys of a structured answer: without statusCode they are data of an inferred body, not applied (§5.1 [DOC])
STRUCTURED_KEYS = ("body", "headers", "cookies", "isBase64Encoded")


def violations_v2(payload: bytes) -> list[Violation]:
    return peeled(payload, _first, _remove, at_most=32)


def _first(payload: bytes) -> Violation | None:
    try:
        parse_result_v2(payload)
    except MalformedResult as problem:
        return _violation(problem.path, str(problem))
    return None


def _remove(data: Any, path: str) -> bool:
    if path == "statusCode":   # without it the answer would be inferred, not checked further
        data["statusCode"] = 200
        return True
    top, _, name = path.partition(".")
    holder = data.get(top) if name else data
    key = name or top
    if not isinstance(holder, dict) or key not in holder:
        return False
    del holder[key]
    return True


def inferred_keys(payload: bytes) -> list[str]:
    """The keys of a structured answer in an answer without statusCode: sent as part of an inferred JSON body."""
    try:
        data = json.loads(payload)
    except ValueError:
        return []
    if not isinstance(data, dict) or "statusCode" in data:
        return []
    return [key for key in STRUCTURED_KEYS if key in data]


def without_content_type(payload: bytes) -> bool:
    """A structured answer that names no content type: clients get `text/plain; charset=utf-8` (§5.3 [REC])."""
    try:
        data = json.loads(payload)
    except ValueError:
        return False
    if not isinstance(data, dict) or "statusCode" not in data:
        return False
    headers = data.get("headers")
    return not (isinstance(headers, dict) and any(str(k).lower() == "content-type" for k in headers))


def _violation(path: str, reason: str) -> Violation:
    """The fix in each runtime's terms (AGDG http-api-develop-integrations-lambda, format 2.0 response)."""
    field = path.split(".")[0]
    if path == WHOLE:
        return Violation(path, reason, "return a JSON-serialisable value (json.dumps cannot fail on it)",
                         "return a JSON-serialisable value")
    if field == "body":
        return Violation(path, reason, '"body": json.dumps(value) (a string; with "isBase64Encoded": True, base64)',
                         "body: JSON.stringify(value) (a string; with isBase64Encoded: true, base64)")
    if field == "statusCode":
        return Violation(path, reason, '"statusCode": an integer from 100 to 599', "statusCode: a number 100-599")
    if field == "cookies":
        return Violation(path, reason, '"cookies": ["name=value; Path=/", ...] (a list of strings)',
                         "cookies: ['name=value; Path=/', ...] (an array of strings)")
    if field == "isBase64Encoded":
        return Violation(path, reason, '"isBase64Encoded": True or False', "isBase64Encoded: true or false")
    return Violation(path, reason, '"headers": {"Name": "a string value"} (repeat a header with a comma, or use '
                     "cookies for Set-Cookie)", "headers: {Name: 'a string value'}")
