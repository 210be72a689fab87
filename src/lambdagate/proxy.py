"""The function's proxy result -> the method response, or "Malformed Lambda proxy response" (fact sheet §2).

API Gateway reads the result as a typed record (`statusCode: int`, `headers: map<string,string>`,
`multiValueHeaders: map<string,list<string>>`, `body: string`, `isBase64Encoded: boolean`) and rejects unknown
keys; scalars are coerced to the field's type, objects where a scalar belongs are rejected (§10.1).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import orjson

from .errors import GatewayError, configuration_error
from .media import first_accept_type, matches_binary_type

ALLOWED_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded",
                          # SAM CLI, "based on some trials" against REST APIs: the bean-style alias (§10.1)
                          "base64Encoded"})
# §10.4a, response column `lambda`: renamed to x-amzn-Remapped-<Name>; Date and Server are then API Gateway's own.
REMAPPED_RESPONSE_HEADERS = frozenset(h.lower() for h in (
    "Authorization", "Connection", "Content-MD5", "Max-Forwards", "User-Agent", "WWW-Authenticate", "Date",
    "Server"))
DROPPED_RESPONSE_HEADERS = frozenset(h.lower() for h in (
    "Expect", "Host", "Proxy-Authenticate", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Via",
    # the wire length is the real body length (§10.4a: a Lambda-supplied Content-Length is recomputed)
    "Content-Length"))


WHOLE = "(the result)"   # the path of a violation by the result as a whole


class Malformed(Exception):
    """Why a result is malformed: the field's `path` (`body`, `headers.X-Meta`, `multiValueHeaders.x[0]`, or
    WHOLE) and what was expected; `unknown_key` when the field should not be there at all. The text is
    `path: reason` (the terminal's and doctor's words)."""

    def __init__(self, path: str, reason: str, unknown_key: bool = False) -> None:
        super().__init__(reason if path == WHOLE or unknown_key else f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.unknown_key = unknown_key


@dataclass(frozen=True)
class ProxyResult:
    status: int
    headers: tuple[tuple[str, str], ...]   # one entry per wire line, in the order `parse_proxy_result` says
    body: str
    is_base64: bool


def parse_proxy_result(payload: bytes, headers_first: bool = False) -> ProxyResult:
    """Validate the function's answer; raise Malformed with the first violation. A REST API sends the
    multiValueHeaders first, then the headers not among them; an HTTP API's payload 1.0 the other way round
    (`headers_first`, docs/aws-http-api.md §5.8 [REC])."""
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise Malformed(WHOLE, "the function's answer is not JSON") from None
    if not isinstance(data, dict):
        raise Malformed(WHOLE, f"expected a JSON object, got {_kind(data)}")
    unknown = [k for k in data if k not in ALLOWED_KEYS]
    if unknown:
        raise Malformed(unknown[0], f"unknown key {unknown[0]!r} (allowed: statusCode, headers, multiValueHeaders, "
                        "body, isBase64Encoded)", unknown_key=True)
    status = _status(data.get("statusCode"))
    multi = _multi_value_headers(data.get("multiValueHeaders"))
    single = _headers(data.get("headers"))
    first, then = (single, multi) if headers_first else (multi, single)
    seen = {(n.lower(), v) for n, v in first}
    merged = first + [(n, v) for n, v in then if (n.lower(), v) not in seen]
    body = _body(data.get("body"))
    is_base64 = _boolean(data.get("base64Encoded", data.get("isBase64Encoded")),
                         "base64Encoded" if "base64Encoded" in data else "isBase64Encoded")
    return ProxyResult(status, tuple(merged), body, is_base64)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string"


def _status(value: Any) -> int:
    """Default 200 when missing or null; integers and integer strings (§2.1, §2.5). Floats with no fraction are
    accepted and others refused, codes outside 100..599 refused: [UNCERTAIN] in the fact sheet, §10.1."""
    if value is None:
        return 200
    if isinstance(value, bool):
        raise Malformed("statusCode", f"expected an integer, got {_kind(value)}")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise Malformed("statusCode", f"expected an integer, got {value!r}")
        value = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not (text.lstrip("+-").isdigit() and text == value):
            raise Malformed("statusCode", f"expected an integer, got the string {value!r}")
        value = int(text)
    elif not isinstance(value, int):
        raise Malformed("statusCode", f"expected an integer, got {_kind(value)}")
    if not 100 <= value <= 599:
        raise Malformed("statusCode", f"{value} is not an HTTP status code")
    return int(value)


def scalar_text(value: Any) -> str | None:
    """Header values: strings, booleans (`true`), numbers (their JSON text); null omits the header (§10.1). An
    object or an array is no scalar: TypeError."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return value
    raise TypeError(_kind(value))


def _scalar_text(value: Any, where: str) -> str | None:
    try:
        return scalar_text(value)
    except TypeError:
        raise Malformed(where, f"{_kind(value)}, expected a string") from None


HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")   # an HTTP token (RFC 9110 §5.1)


def _header(name: str, text: str, where: str) -> tuple[str, str]:
    """A header no HTTP response can carry (a name that is not a token, a value with CR, LF or NUL) is refused as
    malformed: what API Gateway answers then is not recorded ([UNCERTAIN]); lambdagate answers 502 with the reason
    instead of a broken or empty reply."""
    if not HEADER_NAME.fullmatch(name):
        raise Malformed(where, f"{name!r} is not a valid header name")
    if "\r" in text or "\n" in text or "\0" in text:
        raise Malformed(where, "the value contains a line break or NUL, which no HTTP header can carry")
    return name, text


def _headers(value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise Malformed("headers", f"expected an object, got {_kind(value)}")
    out = []
    for name, v in value.items():
        text = _scalar_text(v, f"headers.{name}")
        if text is not None:
            out.append(_header(name, text, f"headers.{name}"))
    return out


def _multi_value_headers(value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise Malformed("multiValueHeaders", f"expected an object, got {_kind(value)}")
    out = []
    for name, values in value.items():
        if values is None:
            continue
        if not isinstance(values, list):
            raise Malformed(f"multiValueHeaders.{name}", f"{_kind(values)}, expected a list of strings")
        for i, v in enumerate(values):
            text = _scalar_text(v, f"multiValueHeaders.{name}[{i}]")
            if text is not None:
                out.append(_header(name, text, f"multiValueHeaders.{name}[{i}]"))
    return out


def _body(value: Any) -> str:
    """A string; null is an empty body. Numbers and booleans are coerced to text like the other scalars
    ([UNCERTAIN] §10.1); objects and arrays are the classic 502 (§2.1, the article's case)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        raise Malformed("body", f"expected a string, got {_kind(value)}")
    return _scalar_text(value, "body") or ""


def boolean(value: Any) -> bool:
    """Booleans, null (false) and the strings "true"/"false" in any case (SAM CLI's trials, §10.1); anything else:
    TypeError."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise TypeError(_kind(value))


def _boolean(value: Any, where: str) -> bool:
    try:
        return boolean(value)
    except TypeError:
        raise Malformed(where, f"expected a boolean, got {_kind(value)}") from None


def response_headers(result: ProxyResult) -> list[tuple[str, str]]:
    """The function's headers as API Gateway sends them on: reserved names remapped or dropped (§10.4a), and
    `Content-Type: application/json` when the function set none (§2.3)."""
    out = []
    has_content_type = False
    for name, value in result.headers:
        lowered = name.lower()
        if lowered in DROPPED_RESPONSE_HEADERS:
            continue
        if lowered in REMAPPED_RESPONSE_HEADERS:
            out.append(("x-amzn-Remapped-" + name, value))
            continue
        if lowered == "content-type":
            has_content_type = True
        out.append((name, value))
    if not has_content_type:
        out.append(("Content-Type", "application/json"))
    return out


def response_body(result: ProxyResult, accept: str | None, binary_media_types: tuple[str, ...]) -> bytes:
    """Decoded only when isBase64Encoded and the request's first Accept type is binary (§2.4)."""
    if result.is_base64 and binary_media_types:
        accepted = first_accept_type(accept)
        if accepted and matches_binary_type(accepted, binary_media_types):
            return _decode_base64(result.body)
    return result.body.encode("utf-8")


def base64_body(text: str) -> bytes | None:
    """Strict decoding as Java's basic decoder does, padding optional; None when the text is not base64."""
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _decode_base64(text: str) -> bytes:
    """Failure is a 500 (§2.4, §10.2c)."""
    decoded = base64_body(text)
    if decoded is None:
        raise _invalid_base64()
    return decoded


def _invalid_base64() -> GatewayError:
    return configuration_error("the function answered isBase64Encoded: true with a body that is not valid "
                               "base64, and the request's Accept asked for a binary media type")
