"""The proxy request event (payload format 1.0), end to end: real HTTP in, the echo function's event out.

Every case cites the fact sheet (docs/aws-behavior.md) section and tag in its id. The echo routes answer
with `json.dumps(event)` as the body, so the reply body *is* the event, keys in the order the gateway sent them.
"""

from __future__ import annotations

import calendar
import json
import re
import time
from typing import Any

import pytest

from harness import Reply, RunningGateway

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
REQUEST_TIME = re.compile(r"^(\d{2})/(" + "|".join(MONTHS) + r")/(\d{4}):(\d{2}):(\d{2}):(\d{2}) \+0000$")

ENCODED_PATH = "/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com"

# §10.7 [REC]: AWS's wire order of the event's keys.
TOP_LEVEL_ORDER = ["resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
                   "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext", "body",
                   "isBase64Encoded"]
REQUEST_CONTEXT_ORDER = ["resourceId", "resourcePath", "httpMethod", "extendedRequestId", "requestTime", "path",
                         "accountId", "protocol", "stage", "domainPrefix", "requestTimeEpoch", "requestId",
                         "identity", "domainName", "deploymentId", "apiId"]
IDENTITY_ORDER = ["cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "sourceIp", "principalOrgId",
                  "accessKey", "cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn", "userAgent",
                  "user"]


def echo(gateway: RunningGateway, method: str, target: str, headers: list[tuple[str, str]] | None = None,
         body: bytes | str | None = None) -> tuple[Reply, dict[str, Any]]:
    reply = gateway.request(method, target, headers=headers or [], body=body)
    assert reply.status == 200, reply.body
    return reply, json.loads(reply.body)


def dig(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


# --------------------------------------------------------------------------------------------------------------
# One field of the event, for one request: (method, target, request headers, body, field path, expected value).
# --------------------------------------------------------------------------------------------------------------
def case(id: str, target: str, field: tuple[str, ...], expected: Any, method: str = "GET",
         headers: list[tuple[str, str]] | None = None, body: str | None = None) -> Any:
    return pytest.param(method, target, headers or [], body, field, expected, id=id)


FIELD_CASES = [
    # resource: the matched template [REC §1.1]; requestContext.resourcePath is the same [REC §1.2]
    *[case(f"sec1.1-REC-resource-{expected}", target, ("resource",), expected) for target, expected in [
        ("/hardcoded", "/hardcoded"), ("/proxy-value", "/{proxy+}"), ("/items/5", "/items/{id}"),
        ("/items/5/detail", "/items/{id}/detail"), ("/files/a/b", "/files/{path+}"), ("/", "/")]],
    *[case(f"sec1.2-REC-resourcePath-{expected}", target, ("requestContext", "resourcePath"), expected)
      for target, expected in [("/hardcoded", "/hardcoded"), ("/proxy-value", "/{proxy+}"),
                               ("/items/5", "/items/{id}"), ("/", "/")]],

    # path: raw, without the stage [REC §1.1]
    case("sec1.1-REC-path-raw-not-decoded", ENCODED_PATH, ("path",), ENCODED_PATH),
    case("sec1.1-REC-path-trailing-slash-kept", "/proxy-value/", ("path",), "/proxy-value/"),
    case("sec1.1-REC-path-double-slash-kept", "/proxy-value//double-slash", ("path",), "/proxy-value//double-slash"),
    case("sec1.1-REC-path-leading-slashes-collapsed", "//proxy-value", ("path",), "/proxy-value"),
    case("sec1.1-REC-path-many-leading-slashes-collapsed", "///proxy-value", ("path",), "/proxy-value"),
    case("sec1.1-REC-path-without-query", "/proxy-value?a=1", ("path",), "/proxy-value"),

    # requestContext.path: stage-prefixed raw path, client's extra slashes kept [REC §1.2]
    case("sec1.2-REC-context-path-stage-prefixed", "/proxy-value", ("requestContext", "path"), "/Prod/proxy-value"),
    case("sec1.2-REC-context-path-keeps-leading-slashes", "//proxy-value", ("requestContext", "path"),
         "/Prod//proxy-value"),
    case("sec1.2-REC-context-path-raw", ENCODED_PATH, ("requestContext", "path"), "/Prod" + ENCODED_PATH),
    case("sec1.2-REC-context-path-trailing-slash", "/proxy-value/", ("requestContext", "path"), "/Prod/proxy-value/"),
    case("sec1.2-REC-context-path-root", "/", ("requestContext", "path"), "/Prod/"),
    case("sec1.2-REC-context-path-other-stage", "/defined/permitted", ("requestContext", "path"),
         "/v1/defined/permitted"),
    case("sec1.2-REC-stage-implicit-api", "/hardcoded", ("requestContext", "stage"), "Prod"),
    case("sec1.2-REC-stage-defined-api", "/defined/permitted", ("requestContext", "stage"), "v1"),
    case("sec1.2-REC-protocol", "/hardcoded", ("requestContext", "protocol"), "HTTP/1.1"),

    # httpMethod: the real verb, never ANY [REC §1.1, §1.2]
    *[case(f"sec1.1-REC-httpMethod-{verb}", "/proxy-value", ("httpMethod",), verb, method=verb)
      for verb in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")],
    *[case(f"sec1.2-REC-context-httpMethod-{verb}", "/proxy-value", ("requestContext", "httpMethod"), verb,
           method=verb) for verb in ("GET", "DELETE")],

    # headers / multiValueHeaders [REC §1.1]
    case("sec1.1-REC-headers-last-value-wins", "/proxy-value", ("headers", "X-Dup"), "second",
         headers=[("X-Dup", "first"), ("X-Dup", "second")]),
    case("sec1.1-REC-multiValueHeaders-all-values-in-order", "/proxy-value", ("multiValueHeaders", "X-Dup"),
         ["first", "second", "third"], headers=[("X-Dup", "first"), ("X-Dup", "second"), ("X-Dup", "third")]),
    case("sec1.1-REC-multiValueHeaders-single-value-is-a-list", "/proxy-value", ("multiValueHeaders", "X-One"),
         ["1"], headers=[("X-One", "1")]),
    case("sec1.1-REC-header-client-casing-kept", "/proxy-value", ("headers", "tEsT-HEADeR"), "v",
         headers=[("tEsT-HEADeR", "v")]),
    case("sec1.1-REC-multi-header-client-casing-kept", "/proxy-value", ("multiValueHeaders", "tEsT-HEADeR"), ["v"],
         headers=[("tEsT-HEADeR", "v")]),
    case("sec1.1-REC-Authorization-canonical-casing", "/proxy-value", ("headers", "Authorization"),
         "Bearer token123;API key456", headers=[("aUThorization", "Bearer token123;API key456")]),
    case("sec1.1-REC-Authorization-canonical-casing-multi", "/proxy-value", ("multiValueHeaders", "Authorization"),
         ["Bearer t"], headers=[("authorization", "Bearer t")]),
    case("sec1.1-REC-User-Agent-canonical-casing", "/proxy-value", ("headers", "User-Agent"),
         "python-requests/testing", headers=[("user-Agent", "python-requests/testing")]),
    case("sec1.1-REC-User-Agent-canonical-casing-multi", "/proxy-value", ("multiValueHeaders", "User-Agent"),
         ["ua"], headers=[("USER-AGENT", "ua")]),
    case("sec1.1-REC-header-value-kept-verbatim", "/proxy-value", ("headers", "Content-Type"),
         "application/json;charset=utf-8", method="POST", headers=[("Content-Type", "application/json;charset=utf-8")],
         body="{}"),

    # query strings [REC §1.1]
    case("sec1.1-REC-no-query-null", "/proxy-value", ("queryStringParameters",), None),
    case("sec1.1-REC-no-query-multi-null", "/proxy-value", ("multiValueQueryStringParameters",), None),
    case("sec1.1-REC-query-repeated-key-last-wins", "/proxy-value?category=electronics&category=books",
         ("queryStringParameters", "category"), "books"),
    case("sec1.1-REC-multi-query-all-values", "/proxy-value?category=electronics&category=books&price=10&price=20"
         "&price=30", ("multiValueQueryStringParameters",),
         {"category": ["electronics", "books"], "price": ["10", "20", "30"]}),
    case("sec1.4-REC-query-last-values", "/proxy-value?category=electronics&category=books&price=10&price=20"
         "&price=30", ("queryStringParameters",), {"category": "books", "price": "30"}),
    case("sec1.1-REC-query-plus-is-space", "/proxy-value?plus=test+alias@gmail.com",
         ("queryStringParameters", "plus"), "test alias@gmail.com"),
    case("sec1.1-REC-query-percent-2B-is-plus", "/proxy-value?email=test%2Balias@gmail.com",
         ("queryStringParameters", "email"), "test+alias@gmail.com"),
    case("sec1.1-REC-multi-query-decoded-too", "/proxy-value?plus=test+alias@gmail.com&plus=a%2Bb",
         ("multiValueQueryStringParameters", "plus"), ["test alias@gmail.com", "a+b"]),
    # A client never sends the fragment; that one arriving raw is cut off too is lambdagate's handling of the
    # [REC §1.1] rule "a #fragment is not part of it".
    case("sec1.1-REC-query-without-fragment", "/proxy-value?a=1#frag", ("queryStringParameters",), {"a": "1"}),

    # pathParameters [REC §1.1]
    case("sec1.1-REC-pathParameters-null-without-variables", "/hardcoded", ("pathParameters",), None),
    case("sec1.1-REC-pathParameters-null-at-root", "/", ("pathParameters",), None),
    case("sec1.1-REC-pathParameters-variable", "/items/5", ("pathParameters",), {"id": "5"}),
    case("sec1.1-REC-pathParameters-variable-nested", "/items/5/detail", ("pathParameters",), {"id": "5"}),
    case("sec1.1-REC-greedy-no-trailing-slash", "/proxy-value/", ("pathParameters",), {"proxy": "proxy-value"}),
    case("sec1.1-REC-greedy-inner-double-slash-kept", "/proxy-value//double-slash", ("pathParameters",),
         {"proxy": "proxy-value//double-slash"}),
    case("sec1.1-REC-greedy-still-encoded", ENCODED_PATH, ("pathParameters",), {"proxy": ENCODED_PATH[1:]}),
    case("sec1.1-REC-greedy-under-literal-encoded-no-trailing-slash", "/files/a%20b/c%2Fd/", ("pathParameters",),
         {"path": "a%20b/c%2Fd"}),
    # follows from the [REC] path rule (leading slashes collapsed) and the greedy rule ("rest of the path")
    case("sec1.1-REC-greedy-after-collapsed-leading-slashes", "//proxy-value", ("pathParameters",),
         {"proxy": "proxy-value"}),

    # stageVariables [REC §1.1]
    case("sec1.1-REC-stageVariables-null-when-none", "/hardcoded", ("stageVariables",), None),
    case("sec1.1-REC-stageVariables-of-the-stage", "/defined/permitted", ("stageVariables",), {"color": "blue"}),

    # body / isBase64Encoded [REC §1.1]
    case("sec1.1-REC-body-null-for-GET", "/proxy-value", ("body",), None),
    case("sec1.1-REC-isBase64Encoded-false-for-null-body", "/proxy-value", ("isBase64Encoded",), False),
    case("sec1.4-REC-body-is-the-raw-string-not-parsed", "/proxy-value", ("body",), '{"message": "hello world"}',
         method="POST", headers=[("Content-Type", "application/json;charset=utf-8")],
         body='{"message": "hello world"}'),
    case("sec1.1-REC-isBase64Encoded-false-for-text", "/proxy-value", ("isBase64Encoded",), False, method="POST",
         headers=[("Content-Type", "application/json")], body='{"message": "hello world"}'),
    case("sec1.1-REC-body-text-utf8", "/proxy-value", ("body",), "héllo ✓ wörld", method="POST",
         headers=[("Content-Type", "text/plain; charset=utf-8")], body="héllo ✓ wörld"),

    # identity: all null for unauthenticated calls except sourceIp and userAgent [REC §1.2]
    case("sec1.2-REC-identity-userAgent", "/proxy-value", ("requestContext", "identity", "userAgent"), "ua/1.0",
         headers=[("User-Agent", "ua/1.0")]),
    case("sec1.2-REC-identity-userAgent-null-without-header", "/proxy-value",
         ("requestContext", "identity", "userAgent"), None),
    case("sec1.2-REC-identity-sourceIp", "/proxy-value", ("requestContext", "identity", "sourceIp"), "127.0.0.1"),
]


@pytest.mark.parametrize("method, target, headers, body, field, expected", FIELD_CASES)
def test_event_field(gateway: RunningGateway, method: str, target: str, headers: list[tuple[str, str]],
                     body: str | None, field: tuple[str, ...], expected: Any) -> None:
    _reply, event = echo(gateway, method, target, headers, body)
    assert dig(event, field) == expected


# --------------------------------------------------------------------------------------------------------------
# Headers that must not be in the event.
# --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("headers, body, absent, present", [
    pytest.param([("Content-Type", "text/plain")], "abc", "content-length", None, id="sec1.1-REC-no-Content-Length"),
    pytest.param([("Connection", "keep-alive")], None, "connection", None, id="sec1.1-REC-no-Connection"),
    pytest.param([("aUThorization", "x")], None, "aUThorization", "Authorization",
                 id="sec1.1-REC-Authorization-only-in-canonical-casing"),
    pytest.param([("user-Agent", "x")], None, "user-Agent", "User-Agent",
                 id="sec1.1-REC-User-Agent-only-in-canonical-casing"),
])
def test_event_header_absent(gateway: RunningGateway, headers: list[tuple[str, str]], body: str | None,
                             absent: str, present: str | None) -> None:
    """`absent` in lowercase: no spelling of it at all; otherwise: that exact spelling is replaced by `present`."""
    _reply, event = echo(gateway, "POST" if body else "GET", "/proxy-value", headers, body)
    for field in ("headers", "multiValueHeaders"):
        names = list(event[field])
        if present is None:
            assert absent not in [n.lower() for n in names]
        else:
            assert absent not in names
            assert [n for n in names if n.lower() == present.lower()] == [present]


# §10.4b [REC] (LS test_apigateway_header_remapping_aws[AWS_PROXY], REGIONAL): the client sent these ...
RESERVED_REQUEST = [
    ("Accept", "application/json"), ("Accept-Charset", "utf-8"), ("Accept-Encoding", "gzip"), ("Age", "3"),
    ("Authorization", "Bearer x"), ("Connection", "keep-alive"), ("Content-Encoding", "identity"),
    ("Content-MD5", "Q2hlY2sgSW50ZWdyaXR5IQ=="), ("Content-Type", "text/plain"),
    ("Date", "Tue, 20 May 2025 02:42:25 GMT"), ("Expect", "100-continue"), ("Max-Forwards", "10"),
    ("Pragma", "no-cache"), ("Proxy-Authenticate", "Basic"), ("Range", "bytes=0-1"), ("Referer", "http://a.b/"),
    ("Server", "client-server"), ("TE", "trailers"), ("Trailer", "X-Trailing"), ("Transfer-Encoding", "chunked"),
    ("Upgrade", "h2c"), ("User-Agent", "client/1.0"), ("Via", "1.1 proxy"), ("Warn", "199 - misc"),
    ("WWW-Authenticate", "Basic"),
]
# ... and the event's `headers` held exactly these.
RECORDED_EVENT_HEADERS = {
    "Accept", "Accept-Charset", "Accept-Encoding", "Age", "Authorization", "Content-Encoding", "Content-Type", "Date",
    "Host", "Pragma", "Range", "Referer", "User-Agent", "Via", "Warn", "X-Amzn-Trace-Id", "X-Forwarded-For",
    "X-Forwarded-Port", "X-Forwarded-Proto"}
DROPPED_REQUEST = ["Connection", "Content-Length", "Content-MD5", "Expect", "Max-Forwards", "Proxy-Authenticate",
                   "Server", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "WWW-Authenticate"]


def reserved_request(gateway: RunningGateway) -> dict[str, Any]:
    """The recorded GET, written by hand: Transfer-Encoding: chunked needs a (here empty) chunked body."""
    lines = ["GET /proxy-value HTTP/1.1", f"Host: 127.0.0.1:{gateway.port}"]
    lines += [f"{name}: {value}" for name, value in RESERVED_REQUEST]
    reply = gateway.raw(("\r\n".join(lines) + "\r\n\r\n0\r\n\r\n").encode("latin-1"))
    assert reply.status == 200, reply.body
    event: dict[str, Any] = json.loads(reply.body)
    return event


def test_event_headers_exactly_as_recorded(gateway: RunningGateway) -> None:
    """§10.4b [REC]: the event's header names for the recorded request, exactly."""
    event = reserved_request(gateway)
    assert set(event["headers"]) == RECORDED_EVENT_HEADERS
    assert set(event["multiValueHeaders"]) == RECORDED_EVENT_HEADERS
    assert event["body"] is None


@pytest.mark.parametrize("name", DROPPED_REQUEST, ids=[f"sec10.4b-REC-dropped-{n}" for n in DROPPED_REQUEST])
def test_event_drops_reserved_request_header(gateway: RunningGateway, name: str) -> None:
    event = reserved_request(gateway)
    assert name.lower() not in {k.lower() for k in event["headers"]}
    assert name.lower() not in {k.lower() for k in event["multiValueHeaders"]}


@pytest.mark.parametrize("name, value", [(n, v) for n, v in RESERVED_REQUEST if n in RECORDED_EVENT_HEADERS],
                         ids=[f"sec10.4b-REC-kept-{n}" for n, _ in RESERVED_REQUEST if n in RECORDED_EVENT_HEADERS])
def test_event_keeps_passthrough_request_header(gateway: RunningGateway, name: str, value: str) -> None:
    event = reserved_request(gateway)
    # Via is kept; on AWS the edge rewrites its value (the recording redacts it), so only its presence is checked.
    if name != "Via":
        assert event["headers"][name] == value
    assert name in event["multiValueHeaders"]


def test_event_headers_and_multi_value_headers_have_the_same_names(gateway: RunningGateway) -> None:
    """§1.1 [REC]: same names in both; the single value is the last of the list."""
    _reply, event = echo(gateway, "GET", "/proxy-value", [("X-A", "1"), ("X-B", "2"), ("X-A", "3")])
    assert list(event["headers"]) == list(event["multiValueHeaders"])
    for name, values in event["multiValueHeaders"].items():
        assert event["headers"][name] == values[-1]


# --------------------------------------------------------------------------------------------------------------
# requestContext
# --------------------------------------------------------------------------------------------------------------
def test_request_context_keys_exactly(gateway: RunningGateway) -> None:
    """§1.2 [REC]: exactly these keys with no authorizer configured; in particular no `authorizer` key."""
    _reply, event = echo(gateway, "GET", "/proxy-value")
    assert set(event["requestContext"]) == {
        "accountId", "apiId", "deploymentId", "domainName", "domainPrefix", "extendedRequestId", "httpMethod",
        "identity", "path", "protocol", "requestId", "requestTime", "requestTimeEpoch", "resourceId", "resourcePath",
        "stage"}
    assert "authorizer" not in event["requestContext"]


def test_identity_keys_exactly_and_null(gateway: RunningGateway) -> None:
    """§1.2 [REC]: exactly these identity keys, all null except sourceIp and userAgent; no clientCert."""
    _reply, event = echo(gateway, "GET", "/proxy-value", [("User-Agent", "ua")])
    identity = event["requestContext"]["identity"]
    assert set(identity) == set(IDENTITY_ORDER)
    assert {k: v for k, v in identity.items() if k not in ("sourceIp", "userAgent")} == \
        {k: None for k in IDENTITY_ORDER if k not in ("sourceIp", "userAgent")}
    assert isinstance(identity["sourceIp"], str) and identity["sourceIp"]


def test_request_id_is_the_response_header(gateway: RunningGateway) -> None:
    """§1.2 [REC]: requestId is a UUID v4 and equals the response header x-amzn-RequestId."""
    reply, event = echo(gateway, "GET", "/proxy-value")
    request_id = event["requestContext"]["requestId"]
    assert UUID4.match(request_id), request_id
    assert reply.all("x-amzn-RequestId") == [request_id]
    assert ("x-amzn-RequestId", request_id) in reply.headers  # §2.2: canonical casing on HTTP/1.1


def test_request_ids_differ_per_request(gateway: RunningGateway) -> None:
    _r1, first = echo(gateway, "GET", "/proxy-value")
    _r2, second = echo(gateway, "GET", "/proxy-value")
    assert first["requestContext"]["requestId"] != second["requestContext"]["requestId"]
    assert first["requestContext"]["extendedRequestId"] != second["requestContext"]["extendedRequestId"]


def test_extended_request_id_is_the_apigw_id_header(gateway: RunningGateway) -> None:
    """§1.2 [REC]: a short base64-ish id ending in `=` (`Vwc2MGFUrPEFV_g=`), the same as x-amz-apigw-id."""
    reply, event = echo(gateway, "GET", "/proxy-value")
    extended = event["requestContext"]["extendedRequestId"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{15}=", extended), extended
    assert ("x-amz-apigw-id", extended) in reply.headers


def test_request_time_epoch_and_request_time(gateway: RunningGateway) -> None:
    """§1.2 [DOC]: requestTimeEpoch is an integer (JSON number) of milliseconds; requestTime is
    `dd/MMM/yyyy:HH:mm:ss +0000` in UTC, the same instant."""
    before = int(time.time() * 1000)
    reply, _ = echo(gateway, "GET", "/proxy-value")
    after = int(time.time() * 1000)
    context = json.loads(reply.body)["requestContext"]
    epoch = context["requestTimeEpoch"]
    assert type(epoch) is int
    assert re.search(r'"requestTimeEpoch": \d+,', reply.body.decode())  # a number, not a string
    assert before - 1000 <= epoch <= after + 1000
    m = REQUEST_TIME.match(context["requestTime"])
    assert m, context["requestTime"]
    day, month, year, hh, mm, ss = m.groups()
    stamp = calendar.timegm((int(year), MONTHS.index(month) + 1, int(day), int(hh), int(mm), int(ss)))
    assert stamp == epoch // 1000


@pytest.mark.parametrize("key, pattern", [
    pytest.param("accountId", r"\d{12}", id="sec1.2-REC-accountId-12-digits"),
    pytest.param("apiId", r"[a-z0-9]{10}", id="sec1.2-REC-apiId-10-lowercase-alnum"),
    pytest.param("resourceId", r"[a-z0-9]{6}", id="sec1.2-REC-resourceId-6-lowercase-alnum"),
    pytest.param("deploymentId", r"[a-z0-9]+", id="sec1.2-REC-deploymentId"),
])
def test_request_context_id_shapes(gateway: RunningGateway, key: str, pattern: str) -> None:
    _reply, event = echo(gateway, "GET", "/proxy-value")
    assert re.fullmatch(pattern, event["requestContext"][key]), event["requestContext"][key]


def test_resource_id_is_per_resource(gateway: RunningGateway) -> None:
    """§1.2 [REC]: resourceId identifies the matched resource."""
    ids = {target: echo(gateway, "GET", target)[1]["requestContext"]["resourceId"]
           for target in ("/hardcoded", "/items/1", "/items/2", "/proxy-value")}
    assert ids["/items/1"] == ids["/items/2"]
    assert len({ids["/hardcoded"], ids["/items/1"], ids["/proxy-value"]}) == 3


@pytest.mark.parametrize("host, prefix", [
    pytest.param("uwe3g5jm54.execute-api.us-east-1.amazonaws.com", "uwe3g5jm54", id="sec1.2-REC-execute-api-host"),
    pytest.param("api.example.com", "api", id="sec1.2-REC-custom-host"),
])
def test_domain_name_is_host_and_prefix_its_first_label(gateway: RunningGateway, host: str, prefix: str) -> None:
    """§1.2 [REC]: domainName is the Host header value; domainPrefix its first label."""
    reply = gateway.raw(f"GET /proxy-value HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    assert reply.status == 200
    context = json.loads(reply.body)["requestContext"]
    assert context["domainName"] == host
    assert context["domainPrefix"] == prefix


def test_integration_request_parameters_are_ignored(gateway: RunningGateway) -> None:
    """§1.1 [REC] (LS test_lambda_aws_proxy_integration_request_data_mapping): integration.request.header.* and
    integration.request.querystring.* mappings do not reach an AWS_PROXY event."""
    _reply, event = echo(gateway, "GET", "/defined/mapped")
    assert "x-mapped" not in {k.lower() for k in event["headers"]}
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None


# --------------------------------------------------------------------------------------------------------------
# Key order (§10.7 [REC]); the echo function's json.dumps keeps the order the gateway sent.
# --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method, target, headers, body", [
    pytest.param("GET", "/hardcoded", [], None, id="sec10.7-REC-GET-no-params"),
    pytest.param("POST", "/proxy-value?a=1", [("Content-Type", "application/json")], "{}", id="sec10.7-REC-POST-query"),
    pytest.param("GET", "/defined/permitted", [("User-Agent", "ua")], None, id="sec10.7-REC-stage-variables"),
])
def test_event_key_order(gateway: RunningGateway, method: str, target: str, headers: list[tuple[str, str]],
                         body: str | None) -> None:
    _reply, event = echo(gateway, method, target, headers, body)
    assert list(event) == TOP_LEVEL_ORDER
    assert list(event["requestContext"]) == REQUEST_CONTEXT_ORDER
    assert list(event["requestContext"]["identity"]) == IDENTITY_ORDER
