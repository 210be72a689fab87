"""The payload 2.0 event and payload 1.0 on HTTP APIs, field for field (docs/aws-http-api.md §3, §4).

Each case sends one request through `build_event_v2` / `build_event_v1` and reads one field; ids cite the sheet.
The recorded GET of §3.7 (EVT-2023) pins the key set and order of a bare request.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest

from lambdagate.definition.model.httpapi import HttpApi, HttpRoute, HttpStage
from lambdagate.exchange import HttpRequest
from lambdagate.httpapi.event import build_event_v2
from lambdagate.httpapi.event_v1 import build_event_v1
from lambdagate.httpapi.request import HttpApiIds
from lambdagate.httpapi.routing import HttpRouter, decode_path

ACCOUNT = "123456789012"
RECEIVED_AT = 1674646599.368   # 25/Jan/2023:11:36:39 +0000, EVT-2023's time
REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{15}=$")
ROUTES = ("GET /debug", "ANY /agents/{proxy+}", "POST /test/{user}/orders/{order}", "$default")


def request(method: str, target: str, headers: list[tuple[str, str]] | None = None, body: bytes = b"") -> HttpRequest:
    path, sep, query = target.partition("?")
    return HttpRequest(method, path, query if sep else None, tuple(headers or []), body, "203.233.2.154", 443,
                       RECEIVED_AT)


def event(method: str, target: str, headers: list[tuple[str, str]] | None = None, body: bytes = b"",
          stage: str = "$default", variables: dict[str, str] | None = None, version: str = "2.0") -> dict[str, Any]:
    api = HttpApi("Api", "api", "t8uwvi810g", (HttpStage(stage, variables or {}),),
                  tuple(HttpRoute(k, None) for k in ROUTES))
    r = request(method, target, headers, body)
    match = HttpRouter((api,)).match(method, decode_path(r.raw_path))
    assert match is not None
    ids = HttpApiIds("fTAbLiQlIE0EJbg=", "Root=1-63d11447-14cd0c96003af923393938bd")
    build = build_event_v2 if version == "2.0" else build_event_v1
    return dict(build(r, match, ids, ACCOUNT))


def dig(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


CURL = [("Host", "t8uwvi810g.execute-api.ap-northeast-2.amazonaws.com"), ("User-Agent", "curl/7.77.0"),
        ("Accept", "*/*")]


def test_sec3_7_REC_bare_get_key_set_and_order() -> None:
    e = event("GET", "/debug", CURL)
    assert list(e) == ["version", "routeKey", "rawPath", "rawQueryString", "headers", "requestContext",
                       "isBase64Encoded"]
    assert list(e["requestContext"]) == ["accountId", "apiId", "domainName", "domainPrefix", "http", "requestId",
                                         "routeKey", "stage", "time", "timeEpoch"]
    assert e["requestContext"] == {
        "accountId": ACCOUNT, "apiId": "t8uwvi810g",
        "domainName": "t8uwvi810g.execute-api.ap-northeast-2.amazonaws.com", "domainPrefix": "t8uwvi810g",
        "http": {"method": "GET", "path": "/debug", "protocol": "HTTP/1.1", "sourceIp": "203.233.2.154",
                 "userAgent": "curl/7.77.0"},
        "requestId": "fTAbLiQlIE0EJbg=", "routeKey": "GET /debug", "stage": "$default",
        "time": "25/Jan/2023:11:36:39 +0000", "timeEpoch": 1674646599368}
    assert e["headers"] == {"host": "t8uwvi810g.execute-api.ap-northeast-2.amazonaws.com", "user-agent": "curl/7.77.0",
                            "accept": "*/*", "content-length": "0",
                            "x-amzn-trace-id": "Root=1-63d11447-14cd0c96003af923393938bd",
                            "x-forwarded-for": "203.233.2.154", "x-forwarded-port": "443", "x-forwarded-proto": "http"}
    assert (e["rawQueryString"], e["isBase64Encoded"]) == ("", False)


def case(id: str, target: str, field: tuple[str, ...], expected: Any, method: str = "GET",
         headers: list[tuple[str, str]] | None = None, body: bytes = b"", stage: str = "$default") -> Any:
    return pytest.param(method, target, headers or [], body, stage, field, expected, id=id)


ABSENT = object()
VOKER_QUERY = ("repeat=one&repeat=two&redirect=https%3A%2F%2Fexample.com%2Fa%2Fb&literalPlus=a+b&encodedPlus=a%2Bb"
               "&empty=")

FIELD_CASES = [
    case("sec3.1-REC-version", "/debug", ("version",), "2.0"),
    case("sec2.2-REC-routeKey-as-configured", "/agents/1234", ("routeKey",), "ANY /agents/{proxy+}"),
    case("sec3.6-REC-http-method-real-verb", "/agents/1234", ("requestContext", "http", "method"), "GET"),
    case("sec3.6-REC-context-routeKey", "/agents/1234", ("requestContext", "routeKey"), "ANY /agents/{proxy+}"),
    case("sec2.2-REC-default-routeKey", "/nothing/here", ("routeKey",), "$default"),
    case("sec2.1-REC-rawPath-named-stage-kept", "/dev/agents/1234", ("rawPath",), "/dev/agents/1234", stage="dev"),
    case("sec2.1-REC-http-path-named-stage-kept", "/dev/agents/1234", ("requestContext", "http", "path"),
         "/dev/agents/1234", stage="dev"),
    case("sec2.1-REC-stage-name", "/dev/agents/1234", ("requestContext", "stage"), "dev", stage="dev"),
    case("sec2.3-REC-rawPath-decoded", "/capture/space%20value", ("rawPath",), "/capture/space value"),
    case("sec3.1-REC-rawQueryString-verbatim", "/debug?" + VOKER_QUERY, ("rawQueryString",), VOKER_QUERY),
    case("sec3.4-REC-query-decoded-joined", "/debug?" + VOKER_QUERY, ("queryStringParameters",),
         {"repeat": "one,two", "redirect": "https://example.com/a/b", "literalPlus": "a b", "encodedPlus": "a+b",
          "empty": ""}),
    case("sec3.4-REC-dotnet-query", "/debug?tag=C%23%20Programming&tag=.NET%20Core", ("queryStringParameters", "tag"),
         "C# Programming,.NET Core"),
    case("sec3.1-REC-no-query-no-key", "/debug", ("queryStringParameters",), ABSENT),
    case("sec3.3-REC-cookies-split-in-order", "/debug", ("cookies",), ["session=abc123", "theme=dark"],
         headers=[("Cookie", "session=abc123; theme=dark")]),
    case("sec3.3-INFERRED-cookie-headers-combined-duplicates-kept", "/debug", ("cookies",), ["a=1", "a=2"],
         headers=[("Cookie", "a=1"), ("Cookie", "a=2")]),
    case("sec3.2-REC-cookie-header-removed", "/debug", ("headers", "cookie"), ABSENT,
         headers=[("Cookie", "session=abc123")]),
    case("sec3.1-REC-no-cookies-no-key", "/debug", ("cookies",), ABSENT),
    case("sec3.2-REC-header-names-lower-case", "/debug", ("headers", "x-custom-header"), "v",
         headers=[("X-Custom-Header", "v")]),
    case("sec3.2-REC-repeated-headers-comma-joined", "/debug", ("headers", "x-voker-probe"), "first,second",
         headers=[("X-Voker-Probe", "first"), ("x-voker-probe", "second")]),
    case("sec3.2-REC-content-length-real", "/test/u/orders/o", ("headers", "content-length"), "66", method="POST",
         headers=[("Content-Type", "application/json")], body=b"x" * 66),
    case("sec3.2-REC-x-forwarded-for-appended", "/debug", ("headers", "x-forwarded-for"), "10.0.0.1, 203.233.2.154",
         headers=[("X-Forwarded-For", "10.0.0.1")]),
    case("sec3.1-REC-pathParameters-decoded", "/test/u%201/orders/Summer%20Sale%202023", ("pathParameters",),
         {"user": "u 1", "order": "Summer Sale 2023"}, method="POST"),
    case("sec3.1-DOC-greedy-pathParameter", "/agents/a/b", ("pathParameters",), {"proxy": "a/b"}),
    case("sec3.1-REC-static-route-no-pathParameters", "/debug", ("pathParameters",), ABSENT),
    case("sec3.1-REC-default-route-no-pathParameters", "/x", ("pathParameters",), ABSENT),
    case("sec3.5-REC-json-body-as-text", "/test/u/orders/o", ("body",), '{"message":"hello","unicode":"lambda-λ"}',
         method="POST", headers=[("Content-Type", "application/json")],
         body='{"message":"hello","unicode":"lambda-λ"}'.encode()),
    case("sec3.5-REC-json-not-base64", "/test/u/orders/o", ("isBase64Encoded",), False, method="POST",
         headers=[("Content-Type", "application/json")], body=b"{}"),
    case("sec3.5-REC-octet-stream-base64", "/test/u/orders/o", ("body",), "AQIDBAU=", method="POST",
         headers=[("Content-Type", "application/octet-stream")], body=bytes([1, 2, 3, 4, 5])),
    case("sec3.5-REC-octet-stream-flag", "/test/u/orders/o", ("isBase64Encoded",), True, method="POST",
         headers=[("Content-Type", "application/octet-stream")], body=b"\x01"),
    case("sec3.5-REC-ish-form-urlencoded-base64", "/test/u/orders/o", ("body",),
         base64.b64encode(b"a=1&b=2").decode(), method="POST",
         headers=[("Content-Type", "application/x-www-form-urlencoded")], body=b"a=1&b=2"),
    case("sec3.5-REC-ish-no-content-type-base64", "/test/u/orders/o", ("isBase64Encoded",), True, method="POST",
         body=b"hello"),
    case("sec3.5-REC-ish-text-plain-text", "/test/u/orders/o", ("body",), "hello", method="POST",
         headers=[("Content-Type", "text/plain; charset=utf-8")], body=b"hello"),
    case("sec3.5-REC-no-body-no-key", "/debug", ("body",), ABSENT),
    case("sec3.6-REC-user-agent-empty-without-header", "/debug", ("requestContext", "http", "userAgent"), ""),
    case("sec3.6-REC-no-authorizer-key", "/debug", ("requestContext", "authorizer"), ABSENT),
    case("sec3.1-REC-no-stageVariables-key", "/debug", ("stageVariables",), ABSENT),
    case("sec3.6-REC-protocol", "/debug", ("requestContext", "http", "protocol"), "HTTP/1.1"),
]


@pytest.mark.parametrize(("method", "target", "headers", "body", "stage", "field", "expected"), FIELD_CASES)
def test_event_v2_field(method: str, target: str, headers: list[tuple[str, str]], body: bytes, stage: str,
                        field: tuple[str, ...], expected: Any) -> None:
    e = event(method, target, headers, body, stage)
    if expected is ABSENT:
        with pytest.raises(KeyError):
            dig(e, field)
    else:
        assert dig(e, field) == expected


def test_sec3_1_DOC_stage_variables_present_when_the_stage_has_some() -> None:
    assert event("GET", "/debug", variables={"fn": "blue"})["stageVariables"] == {"fn": "blue"}


def test_sec3_1_REC_no_key_is_ever_null() -> None:
    e = event("POST", "/test/u/orders/o?x=1", [("Cookie", "a=b"), ("Content-Type", "text/plain")], b"hi")
    stack: list[Any] = [e]
    while stack:
        value = stack.pop()
        assert value is not None
        if isinstance(value, dict):
            stack.extend(value.values())


def test_sec3_6_REC_request_id_shape_from_the_generator() -> None:
    assert REQUEST_ID.match(HttpApiIds.new(RECEIVED_AT).request_id)


# ---- payload 1.0 on HTTP APIs (§4) -------------------------------------------------------------------------
V1_CASES = [
    case("sec4-REC-version-first", "/debug", ("version",), "1.0"),
    case("sec4-REC-path-named-stage-raw", "/sandbox/test/u/orders/Summer%20Sale", ("path",),
         "/sandbox/test/u/orders/Summer%20Sale", method="POST", stage="sandbox"),
    case("sec4-REC-resource-route-path", "/test/u/orders/o", ("resource",), "/test/{user}/orders/{order}",
         method="POST"),
    case("sec4-REC-pathParameters-decoded", "/test/u/orders/Summer%20Sale%202023", ("pathParameters", "order"),
         "Summer Sale 2023", method="POST"),
    case("sec4-REC-context-path-decoded", "/test/u/orders/Summer%20Sale", ("requestContext", "path"),
         "/test/u/orders/Summer Sale", method="POST"),
    case("sec4-REC-resourceId-is-route-key", "/test/u/orders/o", ("requestContext", "resourceId"),
         "POST /test/{user}/orders/{order}", method="POST"),
    case("sec4-REC-requestId-16-chars", "/debug", ("requestContext", "requestId"), "fTAbLiQlIE0EJbg="),
    case("sec4-REC-extendedRequestId-equal", "/debug", ("requestContext", "extendedRequestId"), "fTAbLiQlIE0EJbg="),
    case("sec4-REC-stage-default", "/debug", ("requestContext", "stage"), "$default"),
    case("sec4-REC-ish-no-deploymentId", "/debug", ("requestContext", "deploymentId"), ABSENT),
    case("sec4-REC-ish-cognitoAmr-null", "/debug", ("requestContext", "identity", "cognitoAmr"), None),
    case("sec4-REC-userAgent-empty", "/debug", ("requestContext", "identity", "userAgent"), ""),
    case("sec4-REC-canonical-header-names", "/debug", ("headers", "User-Agent"), "curl/8",
         headers=[("user-agent", "curl/8")]),
    case("sec4-REC-other-header-names-as-sent", "/debug", ("headers", "accept"), "*/*", headers=[("accept", "*/*")]),
    case("sec4-REC-content-length-kept", "/test/u/orders/o", ("headers", "Content-Length"), "0", method="POST"),
    case("sec4-REC-cookie-kept", "/debug", ("headers", "cookie"), "a=b", headers=[("cookie", "a=b")]),
    case("sec4-REC-query-last-value", "/debug?tag=important&tag=urgent", ("queryStringParameters", "tag"), "urgent"),
    case("sec4-REC-multi-query", "/debug?tag=important&tag=urgent", ("multiValueQueryStringParameters", "tag"),
         ["important", "urgent"]),
    case("sec4-REC-binary-base64", "/test/u/orders/o", ("isBase64Encoded",), True, method="POST",
         headers=[("Content-Type", "application/octet-stream")], body=b"\x00"),
    case("sec4-UNCERTAIN-no-authorizer-key", "/debug", ("requestContext", "authorizer"), ABSENT),
]


@pytest.mark.parametrize(("method", "target", "headers", "body", "stage", "field", "expected"), V1_CASES)
def test_event_v1_field(method: str, target: str, headers: list[tuple[str, str]], body: bytes, stage: str,
                        field: tuple[str, ...], expected: Any) -> None:
    e = event(method, target, headers, body, stage, version="1.0")
    if expected is ABSENT:
        with pytest.raises(KeyError):
            dig(e, field)
    else:
        assert dig(e, field) == expected
