"""The function's answer -> the HTTP API's response, or a malformed-result 500 (docs/aws-http-api.md §5).

Payload 2.0 (§5.1, §5.2 [DOC] AGDG http-api-develop-integrations-lambda):
- valid JSON without a `statusCode` key is *inferred*: 200, `application/json`, the whole answer is the body (a JSON
  string's content, without quotes; anything else as the function serialised it: whether AWS re-serialises is
  [UNCERTAIN] §5.1, the answer is passed on);
- with `statusCode`: `headers` (strings; null accepted [REC]), `cookies` (each a `Set-Cookie` line, §5.4),
  `body` (a string), `isBase64Encoded` (always decoded, §5.5 [REC]); unknown keys ignored ([IMPL] SAM CLI).
Payload 1.0 (§5.8): REST's typed record and its validation (proxy.py), with `headers` before `multiValueHeaders`
[REC] and no binary media types: `isBase64Encoded: true` is always decoded ([INFERRED] from §5.5).
Both: no content type -> `text/plain; charset=utf-8` ([REC] DOTNET-2025, CURL-2020); a malformed result -> 500
`{"message":"Internal Server Error"}` ([REC]). Where the typing of a field is not recorded for HTTP APIs (a
`statusCode` string or float, a number as a header value), REST's recorded coercions are kept ([INFERRED] §5.6).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import orjson

from ..proxy import HEADER_NAME, WHOLE, Malformed, base64_body, boolean, parse_proxy_result, scalar_text
from .errors import WRONG_BODY_TYPE_MESSAGE

DEFAULT_CONTENT_TYPE = "text/plain; charset=utf-8"
INFERRED_CONTENT_TYPE = "application/json"
# The wire framing is the HTTP server's: a function's own values for these cannot be sent on ([UNCERTAIN] what AWS
# does with them; lambdagate drops them).
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te",
                             "trailer", "proxy-connection"})


@dataclass(frozen=True)
class Result:
    status: int
    headers: tuple[tuple[str, str], ...]   # as sent, one entry per header line, Content-Type included
    body: bytes
    inferred: bool = False


_FIELD = re.compile(r"^(?P<path>[A-Za-z][\w-]*(?:\.[^:]+)?): ")


class MalformedResult(Exception):
    """Why a result breaks the payload format's rules (for the terminal, `doctor` and the access log); `path` is the
    field at fault (`statusCode`, `headers.X-Meta`, `cookies`, `body`) or WHOLE for the answer as a whole."""

    def __init__(self, reason: str, integration_error: str = "", path: str | None = None) -> None:
        super().__init__(reason)
        self.integration_error = integration_error
        found = _FIELD.match(reason)
        self.path = path or (found.group("path") if found else WHOLE)


def parse_result_v2(payload: bytes) -> Result:
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise MalformedResult("the function's answer is not JSON") from None
    if not isinstance(data, dict) or "statusCode" not in data:
        body = data.encode("utf-8") if isinstance(data, str) else payload
        return Result(200, (("Content-Type", INFERRED_CONTENT_TYPE),), body, inferred=True)
    status = _status(data["statusCode"])
    headers = _headers(data.get("headers"))
    lines = _with_content_type(headers) + [("Set-Cookie", c) for c in _cookies(data.get("cookies"))]
    text = _body(data.get("body"))
    is_base64 = _boolean(data.get("isBase64Encoded"), "isBase64Encoded")
    return Result(status, tuple(lines), _decoded(text) if is_base64 else text.encode("utf-8"))


def parse_result_v1(payload: bytes) -> Result:
    try:
        checked = parse_proxy_result(payload, headers_first=True)
    except Malformed as e:
        raise MalformedResult(str(e), path=e.path) from None
    body = _decoded(checked.body) if checked.is_base64 else checked.body.encode("utf-8")
    return Result(checked.status, tuple(_with_content_type(list(checked.headers))), body)


def _with_content_type(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = [(n, v) for n, v in headers if n.lower() not in FRAMING_HEADERS]
    if not any(n.lower() == "content-type" for n, _ in out):
        out.append(("Content-Type", DEFAULT_CONTENT_TYPE))
    return out


def _status(value: Any) -> int:
    """An integer 100..599; `0` is malformed ([REC] DOTNET-2025 V2_HandlesZeroStatusCode)."""
    number: Any = value
    if isinstance(value, bool) or value is None:
        raise MalformedResult(f"statusCode: expected an integer, got {json.dumps(value)}")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise MalformedResult(f"statusCode: expected an integer, got {value!r}")
        number = int(value)
    elif isinstance(value, str):
        if not value.isdigit():
            raise MalformedResult(f"statusCode: expected an integer, got the string {value!r}")
        number = int(value)
    elif not isinstance(value, int):
        raise MalformedResult(f"statusCode: expected an integer, got {type(value).__name__}")
    if not 100 <= number <= 599:
        raise MalformedResult(f"statusCode: {number} is not an HTTP status code")
    return int(number)


def _scalar(value: Any, where: str) -> str | None:
    try:
        return scalar_text(value)
    except TypeError:
        raise MalformedResult(f"{where}: expected a string, got {json.dumps(value)[:40]}") from None


def _valid(name: str, text: str, where: str) -> bool:
    """A header no HTTP response can carry is malformed (what AWS answers is [UNCERTAIN]; REST's rule)."""
    if not HEADER_NAME.fullmatch(name):
        raise MalformedResult(f"{where}.{name}: {name!r} is not a valid header name")
    if "\r" in text or "\n" in text or "\0" in text:
        raise MalformedResult(f"{where}.{name}: the value contains a line break or NUL")
    return True


def _headers(value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise MalformedResult(f"headers: expected an object, got {json.dumps(value)[:40]}")
    out = []
    for name, v in value.items():
        text = _scalar(v, f"headers.{name}")
        if text is not None and _valid(name, text, "headers"):
            out.append((name, text))
    return out


def _cookies(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise MalformedResult(f"cookies: expected a list of strings, got {json.dumps(value)[:40]}")
    for cookie in value:
        _valid("Set-Cookie", cookie, "cookies")
    return list(value)


def _body(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise MalformedResult(f"body: expected a string, got {'an object' if isinstance(value, dict) else 'an array'}",
                              WRONG_BODY_TYPE_MESSAGE)
    return _scalar(value, "body") or ""


def _boolean(value: Any, where: str) -> bool:
    try:
        return boolean(value)
    except TypeError:
        raise MalformedResult(f"{where}: expected a boolean, got {json.dumps(value)[:40]}") from None


def _decoded(text: str) -> bytes:
    """Invalid base64 with `isBase64Encoded: true`: [UNCERTAIN] (§5.5), taken as malformed."""
    decoded = base64_body(text)
    if decoded is None:
        raise MalformedResult("isBase64Encoded is true but the body is not valid base64", path="body")
    return decoded
