"""What the client gets for each Lambda proxy result (fact sheet §2, §10.1, §10.4a, §10.5).

`POST /respond` answers with whatever JSON the request body holds, so each case sends `json.dumps(result)`.
The same case table also drives a fast unit-level test of `lambdagate.proxy.parse_proxy_result`.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from harness import Reply, RunningGateway
from lambdagate.proxy import Malformed, parse_proxy_result, response_body, response_headers

INTERNAL_ERROR = b'{"message": "Internal server error"}'
MALFORMED_LINE = "Execution failed due to configuration error: Malformed Lambda proxy response"
# The headers API Gateway itself puts on every proxy answer (§2.3 [REC], §10.4b [REC]); everything else on the wire
# comes from the function's result.
GATEWAY_OWN = {"x-amzn-requestid", "x-amz-apigw-id", "x-amzn-trace-id", "content-length", "date", "connection"}
CT_JSON = ("Content-Type", "application/json")
TRACE_ID = re.compile(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$")


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: list[tuple[str, str]]  # the function's headers as they reach the client, one entry per header line


MALFORMED = None  # the expectation "502 Malformed Lambda proxy response"


def case(id: str, result: Any, expected: Answer | None) -> Any:
    return pytest.param(result, expected, id=id)


def ok(body: bytes = b"", *headers: tuple[str, str], status: int = 200) -> Answer:
    return Answer(status, body, list(headers))


REMAPPED = ["Authorization", "Connection", "Content-MD5", "Max-Forwards", "User-Agent", "WWW-Authenticate"]
REMAPPED_OVERWRITTEN = ["Date", "Server"]
DROPPED = ["Expect", "Host", "Proxy-Authenticate", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Via"]
PASSTHROUGH = [("Age", "12"), ("Accept", "text/plain"), ("Accept-Charset", "utf-8"), ("Accept-Encoding", "gzip"),
               ("Content-Encoding", "identity"), ("Pragma", "no-cache"), ("Range", "bytes=0-1"),
               ("Referer", "http://a.b/"), ("Warn", "199 - misc")]

CASES = [
    # ---- §2.1 case table [REC] (LS-snap-lambda, CURL-2025, CWLOG-2019) ----
    case("sec2.1-REC-statusCode-only", {"statusCode": 200}, ok(b"", CT_JSON)),
    case("sec2.1-REC-boolean-header-rendered-true",
         {"statusCode": 200, "headers": {"test-header": "value", "header-bool": True}},
         ok(b"", ("test-header", "value"), ("header-bool", "true"), CT_JSON)),
    case("sec2.1-REC-headers-null", {"statusCode": 200, "headers": None}, ok(b"", CT_JSON)),
    case("sec2.1-REC-statusCode-missing-defaults-200", {"headers": {"test-header": "value"}},
         ok(b"", ("test-header", "value"), CT_JSON)),
    case("sec2.1-REC-empty-object", {}, ok(b"", CT_JSON)),
    case("sec2.1-REC-statusCode-numeric-string", {"statusCode": "201"}, ok(b"", CT_JSON, status=201)),
    case("sec2.1-REC-statusCode-non-numeric-string", {"statusCode": "test"}, MALFORMED),
    case("sec2.1-REC-unknown-top-level-key", {"statusCode": 200, "wrongValue": "value"}, MALFORMED),
    case("sec2.1-REC-multiValueHeaders-value-not-a-list", {"statusCode": 200, "multiValueHeaders": {"x": "value1"}},
         MALFORMED),
    case("sec2.1-REC-top-level-json-string", "justAString", MALFORMED),
    case("sec2.1-REC-body-is-an-object",
         {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": {"hey": "dude"}}, MALFORMED),
    case("sec2.1-REC-plain-string-Bad-response", "Bad response", MALFORMED),
    case("sec2.1-REC-null", None, MALFORMED),
    case("sec2.1-REC-cookies-key-is-v2-only", {"statusCode": 200, "cookies": ["a=b"], "body": "x"}, MALFORMED),
    case("sec2.1-REC-isBase64Encoded-without-binary-types-not-decoded",
         {"statusCode": 200, "body": "dGVzdC1kYXRh", "isBase64Encoded": True}, ok(b"dGVzdC1kYXRh", CT_JSON)),
    case("sec2.1-REC-body-string-verbatim", {"statusCode": 200, "body": '{"a": [1, 2]}'},
         ok(b'{"a": [1, 2]}', CT_JSON)),
    case("sec2.1-REC-body-utf8", {"statusCode": 200, "body": "héllo ✓"}, ok("héllo ✓".encode(), CT_JSON)),
    # ---- §2.5 status code [REC] ----
    case("sec2.5-REC-statusCode-null-defaults-200", {"statusCode": None, "body": "x"}, ok(b"x", CT_JSON)),
    case("sec2.5-REC-function-chosen-404-passes", {"statusCode": 404, "body": "nope"},
         ok(b"nope", CT_JSON, status=404)),
    case("sec2.5-REC-function-chosen-500-passes", {"statusCode": 500, "body": "mine"},
         ok(b"mine", CT_JSON, status=500)),
    # ---- §2.3 merging, §10.5 one header line per value [REC]/[REC-ish]/[DOC] ----
    case("sec2.3-REC-multiValueHeaders-both-values",
         {"statusCode": 200, "multiValueHeaders": {"test-multi": ["value1", "value2"]}},
         ok(b"", ("test-multi", "value1"), ("test-multi", "value2"), CT_JSON)),
    case("sec2.3-REC-multi-values-first-then-single",
         {"statusCode": 200, "multiValueHeaders": {"test-multi": ["value-multi"]},
          "headers": {"test-multi": "value-solo"}},
         ok(b"", ("test-multi", "value-multi"), ("test-multi", "value-solo"), CT_JSON)),
    # §10.5 [INFERRED from the case-staggering workaround]: each casing on its own line, multi values first
    case("sec10.5-INFERRED-two-casings-two-lines",
         {"statusCode": 200, "multiValueHeaders": {"tesT-Multi": ["value-multi"]},
          "headers": {"test-multi": "value-solo"}},
         ok(b"", ("tesT-Multi", "value-multi"), ("test-multi", "value-solo"), CT_JSON)),
    case("sec2.3-DOC-same-pair-in-both-maps-once",
         {"statusCode": 200, "multiValueHeaders": {"X-Same": ["v", "w"]}, "headers": {"X-Same": "v"}},
         ok(b"", ("X-Same", "v"), ("X-Same", "w"), CT_JSON)),
    case("sec10.5-REC-ish-set-cookie-one-line-each",
         {"statusCode": 200, "multiValueHeaders": {"Set-Cookie": [
             "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/", "b=2; HttpOnly"]}},
         ok(b"", ("Set-Cookie", "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/"), ("Set-Cookie", "b=2; HttpOnly"),
            CT_JSON)),
    case("sec10.5-REC-ish-case-staggered-keys-in-headers",
         {"statusCode": 200, "headers": {"Set-Cookie": "a=1", "set-Cookie": "b=2"}},
         ok(b"", ("Set-Cookie", "a=1"), ("set-Cookie", "b=2"), CT_JSON)),
    case("sec2.3-REC-content-type-of-the-function-no-default",
         {"statusCode": 200, "headers": {"Content-Type": "text/html; charset=utf-8"}, "body": "<p>"},
         ok(b"<p>", ("Content-Type", "text/html; charset=utf-8"))),
    case("sec2.3-REC-content-type-lowercase-no-default",
         {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "t"}, ok(b"t", ("content-type",
                                                                                              "text/plain"))),
    case("sec2.3-REC-content-type-in-multiValueHeaders-no-default",
         {"statusCode": 200, "multiValueHeaders": {"Content-Type": ["text/csv"]}, "body": "a,b"},
         ok(b"a,b", ("Content-Type", "text/csv"))),
    # ---- §10.1 loosely typed values ----
    case("sec10.1-REC-ish-number-header-value", {"statusCode": 200, "headers": {"X-Count": 1, "X-Ratio": 1.5}},
         ok(b"", ("X-Count", "1"), ("X-Ratio", "1.5"), CT_JSON)),
    # §10.1 [REC-ish] null accepted; omitting the header (not an empty value) is [UNCERTAIN]: lambdagate's choice
    case("sec10.1-REC-ish-null-header-value-accepted-UNVERIFIED-omitted",
         {"statusCode": 200, "headers": {"Cache-Control": None, "X-Kept": "k"}}, ok(b"", ("X-Kept", "k"), CT_JSON)),
    case("sec10.1-INFERRED-object-header-value", {"statusCode": 200, "headers": {"X-Obj": {"key": "v"}}}, MALFORMED),
    case("sec10.1-INFERRED-array-header-value", {"statusCode": 200, "headers": {"X-Arr": ["v"]}}, MALFORMED),
    case("sec10.1-INFERRED-multi-value-scalars-like-headers",
         {"statusCode": 200, "multiValueHeaders": {"X-M": ["a", 2, True]}},
         ok(b"", ("X-M", "a"), ("X-M", "2"), ("X-M", "true"), CT_JSON)),
    case("sec10.1-INFERRED-multi-value-object-item", {"statusCode": 200, "multiValueHeaders": {"X-M": [{"a": 1}]}},
         MALFORMED),
    # §10.1 [UNCERTAIN]: statusCode float / out of range. Unverified: lambdagate's documented choice (proxy._status).
    case("sec10.1-UNCERTAIN-UNVERIFIED-statusCode-integral-float", {"statusCode": 200.0}, ok(b"", CT_JSON)),
    case("sec10.1-UNCERTAIN-UNVERIFIED-statusCode-fractional-float", {"statusCode": 200.5}, MALFORMED),
    case("sec10.1-UNCERTAIN-UNVERIFIED-statusCode-999", {"statusCode": 999}, MALFORMED),
    case("sec10.1-UNCERTAIN-UNVERIFIED-statusCode-0", {"statusCode": 0}, MALFORMED),
    # §10.1 [IMPL] SAM: string booleans and the base64Encoded alias. Unverified: lambdagate's documented choice.
    case("sec10.1-IMPL-UNVERIFIED-isBase64Encoded-string-true",
         {"statusCode": 200, "body": "eA==", "isBase64Encoded": "true"}, ok(b"eA==", CT_JSON)),
    case("sec10.1-IMPL-UNVERIFIED-base64Encoded-alias", {"statusCode": 200, "body": "eA==", "base64Encoded": True},
         ok(b"eA==", CT_JSON)),
    case("sec10.1-IMPL-UNVERIFIED-isBase64Encoded-other-string", {"statusCode": 200, "isBase64Encoded": "yes"},
         MALFORMED),
    # §10.1 [UNCERTAIN]: body number/boolean coerced to text. Unverified: lambdagate's documented choice.
    case("sec10.1-UNCERTAIN-UNVERIFIED-body-number", {"statusCode": 200, "body": 123}, ok(b"123", CT_JSON)),
    case("sec10.1-UNCERTAIN-UNVERIFIED-body-boolean", {"statusCode": 200, "body": True}, ok(b"true", CT_JSON)),
    case("sec10.1-UNVERIFIED-body-null-empty", {"statusCode": 200, "body": None}, ok(b"", CT_JSON)),
    # ---- §10.4a reserved response headers [DOC] + [REC-ish] ----
    *[case(f"sec10.4a-DOC-remapped-{name}", {"statusCode": 200, "headers": {name: "v"}},
           ok(b"", ("x-amzn-Remapped-" + name, "v"), CT_JSON)) for name in REMAPPED],
    case("sec10.4a-REC-ish-remapped-keeps-function-casing", {"statusCode": 200,
                                                          "headers": {"www-authenticate": 'Bearer realm="x"'}},
         ok(b"", ("x-amzn-Remapped-www-authenticate", 'Bearer realm="x"'), CT_JSON)),
    case("sec10.4a-DOC-remapped-in-multiValueHeaders", {"statusCode": 200,
                                                     "multiValueHeaders": {"WWW-Authenticate": ["Basic", "Bearer"]}},
         ok(b"", ("x-amzn-Remapped-WWW-Authenticate", "Basic"), ("x-amzn-Remapped-WWW-Authenticate", "Bearer"),
            CT_JSON)),
    *[case(f"sec10.4a-DOC-remapped-overwritten-{name}", {"statusCode": 200, "headers": {name: "from-the-function"}},
           ok(b"", ("x-amzn-Remapped-" + name, "from-the-function"), CT_JSON)) for name in REMAPPED_OVERWRITTEN],
    *[case(f"sec10.4a-DOC-dropped-{name}", {"statusCode": 200, "headers": {name: "v", "X-Other": "o"}},
           ok(b"", ("X-Other", "o"), CT_JSON)) for name in DROPPED],
    *[case(f"sec10.4a-DOC-passthrough-{name}", {"statusCode": 200, "headers": {name: value}},
           ok(b"", (name, value), CT_JSON)) for name, value in PASSTHROUGH],
    # §10.4a: a function-supplied Content-Length is [UNCERTAIN]; the emulator rule says recompute it.
    case("sec10.4a-UNCERTAIN-Content-Length-recomputed", {"statusCode": 200, "headers": {"Content-Length": "999"},
                                                       "body": "abc"}, ok(b"abc", CT_JSON)),
    case("sec10.1-REC-ish-Content-Length-number-recomputed", {"statusCode": 200, "headers": {"Content-Length": 3},
                                                           "body": "abcd"}, ok(b"abcd", CT_JSON)),
]


def by_name(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Group by lowercase name, keeping the order of lines within a name (a stable sort)."""
    return sorted(headers, key=lambda h: h[0].lower())


def function_headers(reply: Reply) -> list[tuple[str, str]]:
    return [(k, v) for k, v in reply.headers if k.lower() not in GATEWAY_OWN]


def respond(gateway: RunningGateway, result: Any, headers: list[tuple[str, str]] | None = None,
            accept: str = "*/*") -> Reply:
    return gateway.request("POST", "/respond", headers=[("Content-Type", "application/json"), ("Accept", accept)]
                           + (headers or []), body=json.dumps(result))


def assert_malformed(gateway: RunningGateway, reply: Reply) -> None:
    """§2.2 [REC]: the wire shape of a malformed answer, and §3 [REC]: its execution-log lines."""
    assert reply.status == 502
    assert reply.body == INTERNAL_ERROR and len(reply.body) == 36
    assert reply.all("Content-Type") == ["application/json"]
    assert reply.all("Content-Length") == ["36"]
    assert ("x-amzn-ErrorType", "InternalServerErrorException") in reply.headers
    request_id = reply.header("x-amzn-RequestId")
    assert request_id
    assert reply.header("x-amz-apigw-id")
    lines = gateway.log_lines(request_id)
    assert MALFORMED_LINE in lines
    assert lines[lines.index(MALFORMED_LINE) + 1:] == ["Method completed with status: 502"]


@pytest.mark.parametrize("result, expected", CASES)
def test_proxy_result(gateway: RunningGateway, result: Any, expected: Answer | None) -> None:
    reply = respond(gateway, result)
    if expected is MALFORMED:
        assert_malformed(gateway, reply)
        return
    assert reply.status == expected.status, reply.body
    assert reply.body == expected.body
    assert by_name(function_headers(reply)) == by_name(expected.headers)
    assert reply.all("Content-Length") == [str(len(expected.body))]


@pytest.mark.parametrize("result, expected", CASES)
def test_parse_proxy_result_unit(result: Any, expected: Answer | None) -> None:
    """The same table against lambdagate.proxy directly (no binary media types, Accept */*)."""
    payload = json.dumps(result).encode()
    if expected is MALFORMED:
        with pytest.raises(Malformed):
            parse_proxy_result(payload)
        return
    parsed = parse_proxy_result(payload)
    assert parsed.status == expected.status
    assert response_body(parsed, "*/*", ()) == expected.body
    assert by_name(response_headers(parsed)) == by_name(expected.headers)


def test_malformed_null_log_lines(gateway: RunningGateway) -> None:
    """§2.1 [REC-ish] (aws-lambda-graphql#48): `Endpoint response body before transformations: null`, then the
    malformed line, then the method's status."""
    reply = respond(gateway, None)
    assert reply.status == 502
    request_id = reply.header("x-amzn-RequestId") or ""
    assert gateway.log_lines(request_id)[-3:] == [
        "Endpoint response body before transformations: null", MALFORMED_LINE, "Method completed with status: 502"]


def test_parse_proxy_result_unit_duplicate_keys() -> None:
    """§10.5 [REC] (SO 39769222): duplicate JSON keys in `headers` keep only the last."""
    parsed = parse_proxy_result(b'{"statusCode":200,"headers":{"Set-Cookie":"cookie1=chocolate",'
                                b'"Set-Cookie":"cookie2=oatmeal"}}')
    assert [h for h in response_headers(parsed) if h[0] == "Set-Cookie"] == [("Set-Cookie", "cookie2=oatmeal")]


def test_duplicate_json_keys_in_headers_last_wins(gateway: RunningGateway) -> None:
    """§10.5 [REC] end to end: /respond-raw answers with the request body's bytes, duplicate keys included."""
    reply = gateway.request("POST", "/respond-raw", headers=[("Content-Type", "application/json")],
                            body=b'{"statusCode":200,"headers":{"Set-Cookie":"cookie1=chocolate",'
                                 b'"Set-Cookie":"cookie2=oatmeal"},"body":"ok"}')
    assert reply.status == 200, reply.body
    assert reply.all("Set-Cookie") == ["cookie2=oatmeal"]
    assert reply.body == b"ok"


# --------------------------------------------------------------------------------------------------------------
# The gateway's own headers on a successful answer
# --------------------------------------------------------------------------------------------------------------
def test_success_headers_exactly(gateway: RunningGateway) -> None:
    """§10.4b [REC]: a successful AWS_PROXY answer carried exactly these header names (regional endpoint), in these
    casings (§2.2 [REC]); §2.3 [REC]: Connection: keep-alive on HTTP/1.1."""
    reply = respond(gateway, {"statusCode": 200, "body": "hi"})
    assert reply.status == 200
    assert sorted(k for k, _ in reply.headers) == sorted(
        ["Connection", "Content-Length", "Content-Type", "Date", "X-Amzn-Trace-Id", "x-amz-apigw-id",
         "x-amzn-RequestId"])
    assert reply.header("Connection") == "keep-alive"
    assert TRACE_ID.match(reply.header("X-Amzn-Trace-Id") or ""), reply.header("X-Amzn-Trace-Id")


def test_connection_close_is_echoed(gateway: RunningGateway) -> None:
    """§10.4b [REC]: the client sent `Connection: close`, the answer said `Connection: close`."""
    reply = respond(gateway, {"statusCode": 200}, headers=[("Connection", "close")])
    assert reply.status == 200
    assert reply.all("Connection") == ["close"]


@pytest.mark.parametrize("name", REMAPPED_OVERWRITTEN + ["Connection"],
                         ids=[f"sec10.4a-DOC-own-{n}-not-the-functions" for n in REMAPPED_OVERWRITTEN + ["Connection"]])
def test_gateway_keeps_its_own_reserved_header(gateway: RunningGateway, name: str) -> None:
    """§10.4a [DOC]: Date and Server are API Gateway's own (the function's value moves to x-amzn-Remapped-*);
    lambdagate sends no Server at all (§10.4a: 'and Server, if the emulator sends one')."""
    reply = respond(gateway, {"statusCode": 200, "headers": {name: "from-the-function"}})
    assert reply.status == 200
    assert reply.all("x-amzn-Remapped-" + name) == ["from-the-function"]
    own = reply.all(name)
    assert "from-the-function" not in own
    if name == "Date":
        assert len(own) == 1 and parsedate_to_datetime(own[0]) is not None
    elif name == "Connection":
        assert own == ["keep-alive"]
    else:
        assert own == []


def test_base64_body_of_proxy_result_is_text_without_binary_types(gateway: RunningGateway) -> None:
    """§2.4 [REC]: no binaryMediaTypes on the API -> returned as the base64 text, even with a matching-looking
    Accept."""
    encoded = base64.b64encode(b"\x89PNG\r\n").decode()
    reply = respond(gateway, {"statusCode": 200, "body": encoded, "isBase64Encoded": True},
                    accept="image/png")
    assert reply.status == 200
    assert reply.body == encoded.encode()
