"""`lambdagate compare --aws`: the same requests to the deployed stage and to lambdagate serving the project, and
every difference in status, headers and body — the check that local equals AWS for this project.

The requests: one per method of the project's API (a path parameter as `1`, a greedy one as `example`, `{}` as the
body of a write, as `doctor` invokes them) and one for a path no resource matches; or those given with --request.
The local side is `lambdagate.Gateway` (the same pipeline as `serve`), called as a client would call the stage.

What always differs between two calls, and is not compared: the headers in IGNORED_HEADERS (request ids, dates,
trace ids, CloudFront's, and the transport's), and in bodies and other header values the request ids, trace ids,
dates and times, the two API ids and the two account ids (MASKS).
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from ..definition.model.deployment import Deployment
from ..doctor.invoke import sample_request
from ..doctor.targets import Route
from ..errors import LambdagateError
from ..sync import Gateway

IGNORED_HEADERS = frozenset({
    "x-amzn-requestid", "x-amz-apigw-id", "x-amzn-trace-id", "date",      # ids, dates, trace ids
    "via", "x-amz-cf-id", "x-amz-cf-pop", "x-cache",                      # CloudFront, edge-optimized APIs
    "connection", "keep-alive", "transfer-encoding", "content-length",    # the transport (bodies are compared)
})
MASKS = (
    ("<uuid>", re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")),
    ("<trace-id>", re.compile(r"\b1-[0-9a-f]{8}-[0-9a-f]{24}\b")),
    ("<date>", re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\b")),
    ("<time>", re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?\b")),
    ("<time>", re.compile(r"\b\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\b")),   # $context.requestTime
    ("<epoch-ms>", re.compile(r"\b1\d{12}\b")),                                      # requestTimeEpoch
)
UNROUTED = "/lambdagate-compare-no-such-resource"
Part = Literal["status", "header", "body"]


@dataclass(frozen=True)
class Sent:
    method: str
    path: str                      # with its query string
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    route: Route | None = None     # the project's method it is meant for

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True)
class Difference:
    part: Part
    name: str                      # the header's name; "" for status and body
    deployed: str
    local: str


@dataclass
class Comparison:
    sent: Sent
    deployed: Answer | None
    local: Answer | None
    differences: list[Difference] = field(default_factory=list)
    error: str | None = None       # a side could not be asked


def requests_for(deployment: Deployment, given: list[str]) -> list[Sent]:
    """`--request "METHOD /path"` items, or one per method of the project's first API and one unrouted path."""
    if given:
        out = []
        for item in given:
            method, _, path = item.strip().partition(" ")
            if not method.isalpha() or not path.startswith("/"):
                raise LambdagateError(f"--request: expected \"METHOD /path?query\", got {item!r}")
            out.append(Sent(method.upper(), path.strip()))
        return out
    if not deployment.apis:
        raise LambdagateError("the project defines no REST API to compare")
    api = deployment.apis[0]
    sent = []
    for resource in api.resources:
        for configured in resource.methods.values():
            route = Route(api, resource, configured)
            request, _ = sample_request(route, deployment.region, time.time())
            sent.append(Sent(request.method, request.raw_path, request.body, (), route))
    return sent + [Sent("GET", UNROUTED)]


def compare(base_url: str, gateway: Gateway, sent: Iterable[Sent], masks: dict[str, str], timeout: float = 35.0
            ) -> list[Comparison]:
    """`masks`: further values that differ by nature (the two API ids, the two accounts) -> their placeholder."""
    out = []
    for item in sent:
        host = re.sub(r"^https?://([^/]+).*$", r"\1", base_url)
        # the headers urllib sends on its own (Accept-Encoding) go to both sides, so that events are alike
        headers = (("Host", host), ("Accept", "*/*"), ("Accept-Encoding", "identity"),
                   ("User-Agent", "lambdagate-compare"), *item.headers) + \
            ((("Content-Type", "application/json"),) if item.body else ())
        item = Sent(item.method, item.path, item.body, headers, item.route)
        comparison = Comparison(item, None, None)
        try:
            comparison.deployed = _deployed(base_url, item, timeout)
            result = gateway.request(item.method, item.path, headers=list(headers), body=item.body,
                                     test_invoke=False, timeout=timeout)
            comparison.local = Answer(result.status, tuple((k, v) for k, vs in result.multi_value_headers.items()
                                                           for v in vs), result.body_bytes)
        except LambdagateError as e:
            comparison.error = str(e)
        if comparison.deployed is not None and comparison.local is not None:
            comparison.differences = differences(comparison.deployed, comparison.local, masks)
        out.append(comparison)
    return out


def differences(deployed: Answer, local: Answer, masks: dict[str, str]) -> list[Difference]:
    out = []
    if deployed.status != local.status:
        out.append(Difference("status", "", str(deployed.status), str(local.status)))
    theirs, ours = _headers(deployed.headers, masks), _headers(local.headers, masks)
    for name in sorted(set(theirs) | set(ours), key=str.lower):
        if theirs.get(name) != ours.get(name):
            out.append(Difference("header", _spelling(name, deployed.headers, local.headers),
                                  theirs.get(name, "(absent)"), ours.get(name, "(absent)")))
    if deployed.body != local.body:
        a, b = mask(_text(deployed.body), masks), mask(_text(local.body), masks)
        if a != b:
            out.append(Difference("body", "", a, b))
    return out


def mask(text: str, masks: dict[str, str]) -> str:
    for value, placeholder in masks.items():
        if value:
            text = text.replace(value, placeholder)
    for placeholder, pattern in MASKS:
        text = pattern.sub(placeholder, text)
    return text


def _headers(headers: tuple[tuple[str, str], ...], masks: dict[str, str]) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for name, value in headers:
        if name.lower() not in IGNORED_HEADERS:
            out.setdefault(name.lower(), []).append(mask(value, masks))
    return {name: ", ".join(values) for name, values in out.items()}


def _spelling(name: str, *lists: tuple[tuple[str, str], ...]) -> str:
    return next((n for headers in lists for n, _ in headers if n.lower() == name), name)


def _text(body: bytes) -> str:
    return body.decode("utf-8", "backslashreplace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3XX is an answer to compare, not a place to go."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _deployed(base_url: str, sent: Sent, timeout: float) -> Answer:
    url = base_url.rstrip("/") + sent.path
    request = urllib.request.Request(url, data=sent.body or None, method=sent.method,
                                     headers={k: v for k, v in sent.headers if k.lower() != "host"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as reply:
            return Answer(reply.status, tuple(reply.headers.items()), reply.read())
    except urllib.error.HTTPError as reply:
        return Answer(reply.code, tuple(reply.headers.items()), reply.read())
    except (urllib.error.URLError, OSError) as e:
        raise LambdagateError(f"{sent.label}: cannot reach the deployed stage at {url}: {e}") from None
