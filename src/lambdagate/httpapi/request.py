"""What an HTTP API reads from a request before building either payload: ids, headers, cookies, query, body
(docs/aws-http-api.md §3.2-§3.5, §4)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import unquote_plus

from .. import ids
from ..exchange import HttpRequest

# RFC 9110 §7.6.1 hop-by-hop headers and Expect: what reaches the integration of an HTTP API is not recorded
# (§3.2 [UNCERTAIN]); these describe one connection, not the request ([INFERRED]).
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "transfer-encoding", "upgrade",
                        "expect"})
# §3.5 [REC-ish] ministack#766: these media types reach the function as text, every other (and none) as base64.
TEXT_MEDIA_TYPES = frozenset({"application/json", "application/xml", "application/javascript"})


@dataclass(frozen=True)
class HttpApiIds:
    """`request_id`: 16 characters, 15 of [A-Za-z0-9_-] then `=`, the value of `apigw-requestid`, the event's
    `requestContext.requestId` and `$context.requestId` (§3.6 [REC]); `trace_id`: the `x-amzn-trace-id` the
    integration sees (§3.2 [REC])."""

    request_id: str
    trace_id: str

    @classmethod
    def new(cls, now: float) -> HttpApiIds:
        return cls(ids.extended_request_id(), ids.trace_id(now))


def gathered_headers(request: HttpRequest) -> dict[str, list[str]]:
    """{lower-case name: values in arrival order}, without hop-by-hop headers."""
    out: dict[str, list[str]] = {}
    for name, value in request.headers:
        lowered = name.lower()
        if lowered not in HOP_BY_HOP:
            out.setdefault(lowered, []).append(value)
    return out


def forwarded(headers: dict[str, list[str]], request: HttpRequest, request_ids: HttpApiIds) -> None:
    """What API Gateway adds (§3.2 [REC] EVT-2023): `content-length` always (`"0"` without a body), the trace id,
    the client address appended to `x-forwarded-for`, the port and the scheme (here the local server's: http)."""
    headers["content-length"] = [str(len(request.body))]
    headers.setdefault("x-amzn-trace-id", [request_ids.trace_id])
    previous = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = [f"{','.join(previous)}, {request.source_ip}" if previous else request.source_ip]
    headers["x-forwarded-port"] = [str(request.server_port)]
    headers["x-forwarded-proto"] = ["http"]


def cookies(values: list[str]) -> list[str]:
    """Every `Cookie` header split into its `name=value` parts, in order, duplicates kept (§3.3 [REC])."""
    return [part.strip() for value in values for part in value.split(";") if part.strip()]


def query_pairs(raw_query: str | None) -> list[tuple[str, str]]:
    """Decoded, `+` as a space, an empty value kept (§3.4 [REC] VOKER-2026)."""
    if not raw_query:
        return []
    out = []
    for part in raw_query.split("&"):
        if part:
            key, _, value = part.partition("=")
            out.append((unquote_plus(key), unquote_plus(value)))
    return out


def joined_query(raw_query: str | None) -> dict[str, str]:
    """Payload 2.0: repeated keys joined with a comma, no space (§3.4 [REC])."""
    out: dict[str, str] = {}
    for key, value in query_pairs(raw_query):
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def is_text(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media in TEXT_MEDIA_TYPES


def body(request: HttpRequest) -> tuple[str | None, bool]:
    """(body, isBase64Encoded) by content type, with no binary-media-type setting (§3.5 [REC] DOTNET-2025)."""
    if not request.body:
        return None, False
    if is_text(request.header("Content-Type")):
        return request.body.decode("utf-8", errors="replace"), False
    return base64.b64encode(request.body).decode("ascii"), True


def domain(request: HttpRequest) -> tuple[str, str]:
    """(domainName, domainPrefix): the Host the client used and its first label (§3.6 [REC])."""
    host = request.header("Host") or ""
    return host, host.split(":", 1)[0].split(".", 1)[0]
