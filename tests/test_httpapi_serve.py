"""HTTP APIs served by `serve`'s own server on one port (tests/harness.py RunningGateway): real HTTP, real Python and
Node.js workers, the event and error bytes of docs/aws-http-api.md as data. The app is tests/apps/httpapi (copied,
for the local user pool that `lambdagate tokens` makes next to it)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import copy_app
from harness import Reply, RunningGateway
from lambdagate import cli

REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{15}=$")      # §3.6 [REC]: 16 characters, the last `=`
REST_ONLY = {"x-amzn-requestid", "x-amz-apigw-id", "x-amzn-errortype", "x-amzn-trace-id"}
ISSUER = "https://issuer.example"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
POOL = "us-east-1_HttpLocal"
ACCESS_KEY, SECRET = "AKIDLOCALEXAMPLE0001", "local-secret-key"
CALLER = "arn:aws:iam::123456789012:user/alice"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = copy_app(tmp_path_factory, "httpapi")
    jwks = {"keys": [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key())), "kid": "k1"}]}
    (target / "issuer-jwks.json").write_text(json.dumps(jwks))
    return target


@pytest.fixture(scope="module")
def served(app: Path) -> Iterator[RunningGateway]:
    running = RunningGateway(app / "template.yaml", watch=False,
                             user_pool_jwks=(f"{ISSUER}={app / 'issuer-jwks.json'}",),
                             iam_credentials=(f"{ACCESS_KEY}:{SECRET}:{CALLER}",))
    yield running
    running.close()


def token(claims: dict[str, Any] | None = None) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": "notes-app", "sub": "u1", "exp": now + 300, "iat": now - 5, **(claims or {})}
    return jwt.encode(body, KEY, algorithm="RS256", headers={"kid": "k1"})


def assert_http_api_headers(reply: Reply) -> None:
    """§0, §5.7 [REC]: `apigw-requestid` and none of REST's own headers."""
    rid = reply.header("apigw-requestid")
    assert rid is not None and REQUEST_ID.match(rid), reply.headers
    assert not {n.lower() for n, _ in reply.headers} & REST_ONLY
    assert reply.header("Server") is None


# ---- §3 the 2.0 event, as recorded ------------------------------------------------------------------------------
def test_sec3_7_REC_EVT_2023_a_bare_get_has_the_recorded_keys_in_order(served: RunningGateway) -> None:
    reply = served.request("GET", "/debug", {"Host": "t8uwvi810g.execute-api.ap-northeast-2.amazonaws.com",
                                             "User-Agent": "curl/7.77.0", "Accept": "*/*"})
    assert (reply.status, reply.header("Content-Type")) == (200, "application/json")   # inferred (§5.1)
    event = reply.json()
    assert list(event) == ["version", "routeKey", "rawPath", "rawQueryString", "headers", "requestContext",
                           "isBase64Encoded"]
    assert (event["version"], event["routeKey"], event["rawPath"], event["rawQueryString"]) == (
        "2.0", "GET /debug", "/debug", "")
    assert sorted(event["headers"]) == ["accept", "content-length", "host", "user-agent", "x-amzn-trace-id",
                                        "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"]
    assert event["headers"]["content-length"] == "0"
    assert re.match(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$", event["headers"]["x-amzn-trace-id"])
    context = event["requestContext"]
    assert list(context) == ["accountId", "apiId", "domainName", "domainPrefix", "http", "requestId", "routeKey",
                             "stage", "time", "timeEpoch"]
    assert (context["domainPrefix"], context["stage"], context["routeKey"]) == ("t8uwvi810g", "$default", "GET /debug")
    assert context["http"] == {"method": "GET", "path": "/debug", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                               "userAgent": "curl/7.77.0"}
    assert re.match(r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$", context["time"])
    assert abs(context["timeEpoch"] - time.time() * 1000) < 60000          # milliseconds, not seconds
    assert context["requestId"] == reply.header("apigw-requestid")
    assert_http_api_headers(reply)


def test_sec3_7_REC_VOKER_2026_query_cookies_repeats_and_decoded_path(served: RunningGateway) -> None:
    query = ("repeat=one&repeat=two&redirect=https%3A%2F%2Fexample.com%2Fa%2Fb&literalPlus=a+b&encodedPlus=a%2Bb"
             "&empty=")
    body = '{"message":"hello from the public internet","unicode":"lambda-λ"}'
    reply = served.request("POST", f"/capture/space%20value?{query}",
                           [("Content-Type", "application/json"), ("Cookie", "session=abc123; theme=dark"),
                            ("X-Voker-Probe", "first"), ("X-Voker-Probe", "second")], body)
    event = reply.json()
    assert (event["rawPath"], event["rawQueryString"], event["routeKey"]) == (
        "/capture/space value", query, "ANY /capture/{proxy+}")
    assert event["cookies"] == ["session=abc123", "theme=dark"] and "cookie" not in event["headers"]
    assert event["headers"]["x-voker-probe"] == "first,second"
    assert event["headers"]["content-length"] == str(len(body.encode()))
    assert event["queryStringParameters"] == {"empty": "", "encodedPlus": "a+b", "literalPlus": "a b",
                                              "redirect": "https://example.com/a/b", "repeat": "one,two"}
    assert (event["body"], event["isBase64Encoded"]) == (body, False)
    assert event["pathParameters"] == {"proxy": "space value"}
    assert event["requestContext"]["http"]["method"] == "POST"


BODY_CASES = [
    pytest.param("application/octet-stream", b"\x01\x02\x03\x04\x05", "AQIDBAU=", True,
                 id="sec3.5-REC-DOTNET-octet-stream-base64"),
    pytest.param(None, b"plain", "cGxhaW4=", True, id="sec3.5-REC-ish-no-content-type-base64"),
    pytest.param("application/x-www-form-urlencoded", b"a=1", "YT0x", True, id="sec3.5-REC-ish-form-base64"),
    pytest.param("text/csv; charset=utf-8", b"a,b", "a,b", False, id="sec3.5-REC-ish-text-as-text"),
    pytest.param("application/json", b'{"a":1}', '{"a":1}', False, id="sec3.5-REC-json-as-text"),
]


@pytest.mark.parametrize(("content_type", "data", "body", "encoded"), BODY_CASES)
def test_request_body_by_content_type(served: RunningGateway, content_type: str | None, data: bytes, body: str,
                                      encoded: bool) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    event = served.request("POST", "/capture/body", headers, data).json()
    assert (event["body"], event["isBase64Encoded"]) == (body, encoded)


def test_sec2_1_REC_EVT_2021_a_named_stage_stays_in_rawPath(served: RunningGateway) -> None:
    event = served.request("GET", "/dev/open").json()
    assert (event["rawPath"], event["requestContext"]["stage"], event["routeKey"]) == ("/dev/open", "dev",
                                                                                      "GET /open")
    assert event["stageVariables"] == {"color": "blue"}


def test_sec4_REC_EVT1_2022_payload_1_0(served: RunningGateway) -> None:
    reply = served.request("GET", "/v1/echo/John%20Doe", {"user-agent": "x"})
    event = reply.json()
    assert list(event)[0] == "version" and event["version"] == "1.0"
    assert (event["path"], event["resource"], event["pathParameters"]) == ("/v1/echo/John%20Doe", "/v1/echo/{name}",
                                                                           {"name": "John Doe"})
    context = event["requestContext"]
    assert context["requestId"] == context["extendedRequestId"] == reply.header("apigw-requestid")
    assert (context["resourceId"], context["stage"]) == ("GET /v1/echo/{name}", "$default")
    assert "deploymentId" not in context and context["identity"]["cognitoAmr"] is None
    assert event["headers"]["Content-Length"] == "0" and event["headers"]["User-Agent"] == "x"


# ---- §5 the function's answer -------------------------------------------------------------------------------------
RESULT_CASES = [
    pytest.param("/respond", '"Hello from Lambda!"', 200, b"Hello from Lambda!", "application/json",
                 id="sec5.1-DOC-inferred-string"),
    pytest.param("/respond", '{"message": "Hello from Lambda!"}', 200, None, "application/json",
                 id="sec5.1-DOC-inferred-object"),
    pytest.param("/respond", '{"statusCode": 201, "body": "{\\"message\\":\\"Created\\"}"}', 201,
                 b'{"message":"Created"}', "text/plain; charset=utf-8", id="sec5.3-REC-DOTNET-text-plain-default"),
    pytest.param("/respond", '{"statusCode": 200, "headers": null, "cookies": null, "body": "Hello, World!", '
                 '"isBase64Encoded": false}', 200, b"Hello, World!", "text/plain; charset=utf-8",
                 id="sec5.2-REC-DOTNET-null-headers-and-cookies"),
    pytest.param("/respond", '{"statusCode": 200, "body": "eyJtZXNzYWdlIjoiSGVsbG8sIEFQSSBHYXRld2F5IHYyISJ9", '
                 '"isBase64Encoded": true}', 200, b'{"message":"Hello, API Gateway v2!"}',
                 "text/plain; charset=utf-8", id="sec5.5-REC-DOTNET-base64-always-decoded"),
    pytest.param("/respond", '{"statusCode": 200, "headers": {"Content-Type": "application/xml"}, "body": "<a/>"}',
                 200, b"<a/>", "application/xml", id="sec5.2-REC-DOTNET-content-type-kept"),
    pytest.param("/respond", '{"statusCode": 0, "body": "x"}', 500, b'{"message":"Internal Server Error"}',
                 "application/json", id="sec5.6-REC-DOTNET-status-zero-500"),
    pytest.param("/respond", '{"statusCode": 200, "body": {"a": 1}}', 500, b'{"message":"Internal Server Error"}',
                 "application/json", id="sec5.6-REC-ish-object-body-500"),
    pytest.param("/v1/respond", '{"statusCode": 0}', 500, b'{"message":"Internal Server Error"}', "application/json",
                 id="sec5.8-REC-DOTNET-1.0-status-zero-500"),
    pytest.param("/v1/respond", '{"statusCode": 200, "body": "x"}', 200, b"x", "text/plain; charset=utf-8",
                 id="sec5.8-REC-DOTNET-1.0-text-plain-default"),
]


@pytest.mark.parametrize(("path", "answer", "status", "body", "content_type"), RESULT_CASES)
def test_results(served: RunningGateway, path: str, answer: str, status: int, body: bytes | None,
                 content_type: str) -> None:
    reply = served.request("POST", path, {"Content-Type": "application/json"}, answer)
    assert (reply.status, reply.header("Content-Type")) == (status, content_type)
    assert reply.body == (body if body is not None else answer.encode())
    assert reply.header("Content-Length") == str(len(reply.body))
    assert_http_api_headers(reply)


def test_sec5_2_REC_cookies_and_comma_headers(served: RunningGateway) -> None:
    answer = {"statusCode": 200, "headers": {"myheader": "test,shouldhavesecondvalue"}, "cookies": ["a=1", "b=2"],
              "body": "ok"}
    reply = served.request("POST", "/respond", {"Content-Type": "application/json"}, json.dumps(answer))
    assert reply.all("myheader") == ["test,shouldhavesecondvalue"]
    assert reply.all("Set-Cookie") == ["a=1", "b=2"]


def test_sec5_8_REC_DOTNET_1_0_single_header_before_the_multi_values(served: RunningGateway) -> None:
    answer = {"statusCode": 200, "headers": {"Combined-Header": "single-value"},
              "multiValueHeaders": {"Combined-Header": ["multi-value1", "multi-value2"], "X-Multi": ["V1", "V2"]},
              "body": "x"}
    reply = served.request("POST", "/v1/respond", {"Content-Type": "application/json"}, json.dumps(answer))
    assert reply.all("Combined-Header") == ["single-value", "multi-value1", "multi-value2"]
    assert reply.all("X-Multi") == ["V1", "V2"]


# ---- §6 the error catalogue, over HTTP ----------------------------------------------------------------------------
ERROR_CASES = [
    pytest.param("GET", "/nothing", 404, b'{"message":"Not Found"}', id="sec2.4-DOC-no-route"),
    pytest.param("DELETE", "/debug", 404, b'{"message":"Not Found"}', id="sec2.4-DOC-no-method-no-405"),
    pytest.param("GET", "/debug/", 404, b'{"message":"Not Found"}', id="sec2.3-UNCERTAIN-trailing-slash-strict"),
    pytest.param("GET", "/node-throws", 500, b'{"message":"Internal Server Error"}', id="sec6-REC-function-error"),
    pytest.param("GET", "/slow", 503, b'{"message":"Service Unavailable"}', id="sec6-REC-integration-timeout"),
    pytest.param("GET", "/locked/locked", 500, b'{"message":"Internal Server Error"}', id="sec1.7-REC-no-permission"),
    pytest.param("GET", "/dev/limited", 429, b'{"message":"Too Many Requests"}', id="sec10.3-REC-ish-zero-limits"),
    pytest.param("GET", "/capture/%25done", 400, b'{"message":"Bad Request"}', id="sec2.3-REC-undecodable-path"),
    pytest.param("GET", "/dev/jwt", 401, b'{"message":"Unauthorized"}', id="sec9-REC-no-token"),
]


@pytest.mark.parametrize(("method", "target", "status", "body"), ERROR_CASES)
def test_error_catalogue(served: RunningGateway, method: str, target: str, status: int, body: bytes) -> None:
    reply = served.request(method, target)
    assert (reply.status, reply.body) == (status, body)
    assert (reply.header("Content-Type"), reply.header("Content-Length")) == ("application/json", str(len(body)))
    assert_http_api_headers(reply)


def test_sec10_2_DOC_over_10_MB_is_413(served: RunningGateway) -> None:
    reply = served.request("POST", "/respond", {"Content-Type": "application/json"}, b"x" * (10485760 + 1))
    assert reply.status == 413


# ---- §8 CORS ------------------------------------------------------------------------------------------------------
def test_sec8_DOC_preflight_and_actual_request(served: RunningGateway) -> None:
    preflight = served.request("OPTIONS", "/dev/anything", {"Origin": "https://app.example",
                                                            "Access-Control-Request-Method": "POST"})
    assert (preflight.status, preflight.body) == (204, b"")
    assert preflight.header("access-control-allow-origin") == "https://app.example"
    assert preflight.header("access-control-allow-methods") == "GET,POST"
    assert preflight.header("access-control-max-age") == "600"
    actual = served.request("GET", "/dev/open", {"Origin": "https://app.example"})
    assert actual.header("access-control-allow-origin") == "https://app.example"
    assert actual.header("access-control-expose-headers") == "x-request-id"
    denied = served.request("GET", "/dev/jwt", {"Origin": "https://app.example"})
    assert denied.status == 401 and denied.header("access-control-allow-credentials") == "true"   # [REC] CURL-AUTH


# ---- §9 authorizers -----------------------------------------------------------------------------------------------
def test_sec9_DOC_jwt_with_a_local_jwks_file(served: RunningGateway) -> None:
    allowed = served.request("GET", "/dev/jwt", {"Authorization": f"Bearer {token({'scope': 'notes/read'})}"})
    assert allowed.status == 200
    jwt_context = allowed.json()["requestContext"]["authorizer"]["jwt"]
    assert (jwt_context["claims"]["sub"], jwt_context["scopes"]) == ("u1", ["notes/read"])
    refused = served.request("GET", "/dev/jwt", {"Authorization": token({"aud": "someone-else"})})
    assert (refused.status, refused.body) == (401, b'{"message":"Unauthorized"}')
    assert refused.header("www-authenticate") == ('Bearer scope="" error="invalid_token" error_description="the token '
                                                  'does not have a valid audience"')
    scoped = served.request("GET", "/dev/scoped", {"Authorization": token({"scope": "notes/read"})})
    assert scoped.status == 403


def test_sec9_DOC_jwt_with_a_token_from_lambdagate_tokens(served: RunningGateway, app: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["tokens", POOL, "-t", str(app / "template.yaml"), "--claim", "email=ada@example.com"]) == 0
    minted = capsys.readouterr().out.strip()
    reply = served.request("GET", "/dev/cognito", {"Authorization": minted})
    assert reply.status == 200, reply.body
    assert reply.json()["requestContext"]["authorizer"]["jwt"]["claims"]["email"] == "ada@example.com"
    assert cli.main(["tokens", POOL, "-t", str(app / "template.yaml"), "--expires-in", "-60"]) == 0
    expired = served.request("GET", "/dev/cognito", {"Authorization": capsys.readouterr().out.strip()})
    assert expired.status == 401


def test_sec9_DOC_lambda_authorizer_simple_responses(served: RunningGateway) -> None:
    assert served.request("GET", "/dev/lambda").status == 401          # identity source missing: not invoked
    assert served.request("GET", "/dev/lambda", {"x-pass": "no"}).status == 403
    allowed = served.request("GET", "/dev/lambda", {"x-pass": "yes"})
    assert allowed.status == 200
    assert allowed.json()["requestContext"]["authorizer"] == {"lambda": {"user": "alice", "route": "GET /lambda"}}
    assert served.request("GET", "/dev/unpermitted", {"x-pass": "yes"}).status == 500   # its own resource policy


IAM_CASES = [
    pytest.param("allow", 200, id="sec9-DOC-iam-answer-allows-the-route-arn"),
    pytest.param("deny", 403, id="sec9-DOC-iam-answer-deny"),
    pytest.param("post-only", 403, id="sec9-DOC-iam-answer-other-routes-only"),
]


@pytest.mark.parametrize(("answer", "status"), IAM_CASES)
def test_lambda_authorizer_iam_answers(served: RunningGateway, answer: str, status: int) -> None:
    reply = served.request("GET", "/dev/policy/7", {"x-token": answer})
    assert reply.status == status
    if status == 200:
        assert reply.json()["requestContext"]["authorizer"] == {"lambda": {"tier": "gold", "count": 3}}


def _signed(served: RunningGateway, path: str, secret: str = SECRET) -> dict[str, str]:
    request = AWSRequest(method="GET", url=f"http://127.0.0.1:{served.port}{path}")
    SigV4Auth(Credentials(ACCESS_KEY, secret), "execute-api", "us-east-1").add_auth(request)
    return {"Host": f"127.0.0.1:{served.port}", **dict(request.headers.items())}


def test_sec9_DOC_aws_iam_route_checks_the_sigv4_signature(served: RunningGateway) -> None:
    reply = served.request("GET", "/dev/iam", _signed(served, "/dev/iam"))
    assert reply.status == 200, reply.body
    iam = reply.json()["requestContext"]["authorizer"]["iam"]
    assert (iam["accessKey"], iam["userArn"], iam["accountId"]) == (ACCESS_KEY, CALLER, "123456789012")
    unsigned = served.request("GET", "/dev/iam")
    assert (unsigned.status, unsigned.body) == (403, b'{"message":"Forbidden"}')
    assert served.request("GET", "/dev/iam", _signed(served, "/dev/iam", "wrong-secret")).status == 403


# ---- a Node.js function on the real `node` ------------------------------------------------------------------------
def test_a_node_function_behind_an_http_api(served: RunningGateway) -> None:
    reply = served.request("GET", "/node/ada%20lovelace", {"Cookie": "a=1"})
    assert (reply.status, reply.header("Content-Type")) == (201, "text/plain; charset=utf-8")
    assert reply.all("Set-Cookie") == ["flavour=node; Path=/", "second=2"]
    assert reply.json() == {"rawPath": "/node/ada lovelace", "routeKey": "GET /node/{name}", "name": "ada lovelace",
                            "requestId": reply.header("apigw-requestid"), "cookies": ["a=1"]}
    inferred = served.request("GET", "/node-inferred")
    assert (inferred.status, inferred.header("Content-Type")) == (200, "application/json")
    assert inferred.json() == {"message": "inferred", "routeKey": "GET /node-inferred"}
    legacy = served.request("GET", "/node-v1/x%20y")
    assert legacy.json() == {"path": "/node-v1/x%20y", "name": "x y", "version": "1.0"}
    assert "hello from node for ada lovelace" in served.console


def test_startup_says_where_each_jwt_issuers_keys_come_from(served: RunningGateway, app: Path) -> None:
    lines = served.runner.authorizer_lines()
    assert f"JWT authorizer Jwt: issuer {ISSUER} (keys from {app / 'issuer-jwks.json'}); local keys: " \
           f"--user-pool-jwks {ISSUER}=FILE" in lines
    cognito = next(line for line in lines if line.startswith("JWT authorizer Cognito:"))
    assert cognito.endswith(f"test tokens: lambdagate tokens {POOL}")
