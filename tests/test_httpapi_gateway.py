"""HttpApiGateway over a fake invoker: the error catalogue's bytes and headers, no REST-only headers, CORS,
authorizers, throttling, the access-log line and the metric sample (docs/aws-http-api.md §5-§11). The app is
tests/apps/httpapi; the fake stands in for Lambda (a real-worker end-to-end test is in test_httpapi_live.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import APPS
from lambdagate.config import Source
from lambdagate.definition.loader import load
from lambdagate.definition.model.deployment import Deployment
from lambdagate.definition.model.function import Function
from lambdagate.exchange import HttpRequest, HttpResponse
from lambdagate.httpapi import Answered, FunctionFailed, HttpApiExchange, HttpApiGateway, Invoked, Reached, Throttled
from lambdagate.httpapi.access_log import LAMBDAGATE_FORMAT, access_log_line
from lambdagate.httpapi.jwt_authorizer import JwksKeys
from lambdagate.httpapi.metrics import metric_sample

TEMPLATE = APPS / "httpapi" / "template.yaml"
REST_ONLY = {"x-amzn-requestid", "x-amz-apigw-id", "x-amzn-errortype", "x-amzn-trace-id"}
ISSUER = "https://issuer.example"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWKS = {"keys": [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key())), "kid": "k1", "alg": "RS256",
                  "use": "sig"}]}


def token(claims: dict[str, Any] | None = None, kid: str = "k1", key: Any = KEY) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": "notes-app", "sub": "u1", "exp": now + 300, "iat": now - 5, **(claims or {})}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


Behaviour = Callable[[dict[str, Any]], Invoked]


class FakeLambda:
    """Answers per function logical id; records every event."""

    def __init__(self) -> None:
        self.behaviour: dict[str, Behaviour] = {}
        self.events: list[tuple[str, dict[str, Any]]] = []

    def ends_within(self, function: Function, seconds: float) -> bool:
        return False

    async def invoke(self, function: Function, event: bytes, trace_id: str | None) -> Invoked:
        data = json.loads(event)
        self.events.append((function.logical_id, data))
        answer = self.behaviour.get(function.logical_id, _echo)
        if answer is _slow:
            await asyncio.sleep(1)
        return answer(data)


def _echo(event: dict[str, Any]) -> Invoked:
    return Answered(json.dumps(event).encode(), "11111111-1111-4111-8111-111111111111")


def _slow(event: dict[str, Any]) -> Invoked:
    return Answered(b'{"statusCode": 200, "body": "late"}', "22222222-2222-4222-8222-222222222222")


def _respond(event: dict[str, Any]) -> Invoked:
    return Answered(event["body"].encode(), "33333333-3333-4333-8333-333333333333")


def _authorize(event: dict[str, Any]) -> Invoked:
    allowed = event["headers"].get("x-pass") == "yes"
    return Answered(json.dumps({"isAuthorized": allowed, "context": {"user": "alice"}}).encode(), "a-rid")


@pytest.fixture(scope="module")
def deployment() -> Deployment:
    return load(Source(template=TEMPLATE))


@pytest.fixture
def fake() -> FakeLambda:
    f = FakeLambda()
    f.behaviour.update({"SlowFunction": _slow, "RespondFunction": _respond, "AuthorizerFunction": _authorize})
    return f


def send(deployment: Deployment, fake: FakeLambda, method: str, target: str,
         headers: list[tuple[str, str]] | None = None, body: bytes = b"",
         gateway: HttpApiGateway | None = None) -> tuple[HttpResponse, HttpApiExchange]:
    path, sep, query = target.partition("?")
    headers = headers or [("Host", "localhost:3000")] + ([("Content-Type", "application/json")] if body else [])
    request = HttpRequest(method, path, query if sep else None, tuple(headers), body,
                          "127.0.0.1", 3000, time.time(), body_too_large=len(body) > 10485760)
    gw = gateway or HttpApiGateway(deployment, fake, JwksKeys({ISSUER: JWKS}))
    x = asyncio.run(gw.handle(request))
    return x.response, x


def names(response: HttpResponse) -> set[str]:
    return {n.lower() for n, _ in response.headers}


# ---- §6 the error catalogue -----------------------------------------------------------------------------------
ERROR_CASES = [
    pytest.param("GET", "/nothing", None, 404, b'{"message":"Not Found"}', id="sec2.4-DOC-no-route-404"),
    pytest.param("DELETE", "/echo/x", None, 404, b'{"message":"Not Found"}', id="sec2.4-DOC-no-method-404"),
    pytest.param("GET", "/echo/x", FunctionFailed(b'{"errorMessage":"boom","errorType":"Error"}', "r1"), 500,
                 b'{"message":"Internal Server Error"}', id="sec6-REC-function-error-500"),
    pytest.param("GET", "/echo/x", Answered(b'{"statusCode": 0}', "r2"), 500,
                 b'{"message":"Internal Server Error"}', id="sec5.6-REC-malformed-500"),
    pytest.param("GET", "/echo/x", Throttled("r3"), 503, b'{"message":"Service Unavailable"}',
                 id="sec6-REC-throttled-503"),
    pytest.param("GET", "/locked/locked", None, 500, b'{"message":"Internal Server Error"}',
                 id="sec1.7-REC-no-permission-500"),
    pytest.param("GET", "/capture/%25done", None, 400, b'{"message":"Bad Request"}',
                 id="sec2.3-REC-undecodable-path-400"),
    pytest.param("GET", "/dev/limited", None, 429, b'{"message":"Too Many Requests"}',
                 id="sec10.3-REC-ish-zero-limits-429"),
]


@pytest.mark.parametrize(("method", "target", "answer", "status", "body"), ERROR_CASES)
def test_error_catalogue(deployment: Deployment, fake: FakeLambda, method: str, target: str, answer: Invoked | None,
                         status: int, body: bytes) -> None:
    if answer is not None:
        fake.behaviour["EchoFunction"] = lambda _event: answer
    response, x = send(deployment, fake, method, target)
    assert (response.status, response.body) == (status, body)
    assert ("Content-Type", "application/json") in response.headers
    assert dict(response.headers)["apigw-requestid"] == x.ids.request_id
    assert not names(response) & REST_ONLY


def test_sec6_REC_bodies_have_the_recorded_lengths(deployment: Deployment, fake: FakeLambda) -> None:
    fake.behaviour["EchoFunction"] = lambda _e: FunctionFailed(b'{"errorMessage":"x"}', "r")
    assert len(send(deployment, fake, "GET", "/echo/x")[0].body) == 35
    assert len(send(deployment, fake, "GET", "/nothing")[0].body) == 23
    fake.behaviour["EchoFunction"] = lambda _e: Throttled("r")
    assert len(send(deployment, fake, "GET", "/echo/x")[0].body) == 33


def test_sec10_1_REC_integration_timeout_is_503(deployment: Deployment, fake: FakeLambda) -> None:
    started = time.perf_counter()
    response, x = send(deployment, fake, "GET", "/slow")
    assert (response.status, response.body) == (503, b'{"message":"Service Unavailable"}')
    assert 0.25 < time.perf_counter() - started < 0.9   # TimeoutInMillis: 300, the function takes 1 s
    assert x.reached is Reached.SENT


def test_sec10_2_DOC_over_10_MB_is_413_and_no_call(deployment: Deployment, fake: FakeLambda) -> None:
    response, x = send(deployment, fake, "POST", "/respond", body=b"x" * (10485760 + 1))
    assert response.status == 413 and fake.events == [] and x.match is None


def test_sec6_REC_function_error_message_reaches_the_access_log_variable(deployment: Deployment,
                                                                         fake: FakeLambda) -> None:
    fake.behaviour["EchoFunction"] = lambda _e: FunctionFailed(b'{"errorMessage":"boom","errorType":"Error"}', "r")
    _response, x = send(deployment, fake, "GET", "/echo/x")
    assert x.error is not None
    assert x.error.integration_error == ("The Lambda function returned the following error: boom. Check your Lambda "
                                         "function code and try again.")


# ---- §5 success responses -------------------------------------------------------------------------------------
def test_sec5_7_REC_success_headers(deployment: Deployment, fake: FakeLambda) -> None:
    response, x = send(deployment, fake, "POST", "/respond",
                       body=json.dumps({"statusCode": 201, "body": "made", "cookies": ["a=1"]}).encode())
    assert (response.status, response.body) == (201, b"made")
    assert response.headers == [("Content-Type", "text/plain; charset=utf-8"), ("Set-Cookie", "a=1"),
                                ("apigw-requestid", x.ids.request_id)]
    assert x.reached is Reached.RESPONDED and x.integration_status == 201


def test_sec5_1_DOC_inferred_response(deployment: Deployment, fake: FakeLambda) -> None:
    response, _x = send(deployment, fake, "POST", "/respond", body=b'"Hello from Lambda!"')
    assert (response.status, response.body, response.headers[0]) == (200, b"Hello from Lambda!",
                                                                      ("Content-Type", "application/json"))


def test_sec4_REC_payload_1_0_route_gets_the_1_0_event(deployment: Deployment, fake: FakeLambda) -> None:
    send(deployment, fake, "GET", "/v1/echo/a%20b")
    event = fake.events[-1][1]
    assert (event["version"], event["resource"], event["pathParameters"]) == ("1.0", "/v1/echo/{name}",
                                                                              {"name": "a b"})


def test_sec3_6_REC_request_id_of_the_event_is_the_apigw_requestid(deployment: Deployment, fake: FakeLambda) -> None:
    response, _x = send(deployment, fake, "GET", "/echo/x")
    assert fake.events[-1][1]["requestContext"]["requestId"] == dict(response.headers)["apigw-requestid"]


# ---- §8 CORS ---------------------------------------------------------------------------------------------------
PREFLIGHT = [("Host", "localhost:3000"), ("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")]


def test_sec8_DOC_preflight_answered_without_an_options_route(deployment: Deployment, fake: FakeLambda) -> None:
    response, _x = send(deployment, fake, "OPTIONS", "/dev/no-such-route", PREFLIGHT)
    assert response.status == 204 and response.body == b""
    headers = dict(response.headers)
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert headers["access-control-allow-methods"] == "GET,POST"
    assert headers["access-control-allow-headers"] == "content-type,authorization"
    assert headers["access-control-max-age"] == "600"
    assert headers["access-control-allow-credentials"] == "true"
    assert fake.events == []


def test_sec8_UNCERTAIN_preflight_from_another_origin_has_no_cors_headers(deployment: Deployment,
                                                                          fake: FakeLambda) -> None:
    response, _x = send(deployment, fake, "OPTIONS", "/dev/open",
                        [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "GET")])
    assert response.status == 204 and not any(n.startswith("access-control-") for n in names(response))


def test_sec8_DOC_configured_headers_replace_the_backends(deployment: Deployment, fake: FakeLambda) -> None:
    fake.behaviour["SecuredFunction"] = lambda _e: Answered(json.dumps(
        {"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "*"}, "body": "x"}).encode(), "r")
    response, _x = send(deployment, fake, "GET", "/dev/open", [("Origin", "https://app.example")])
    origins = [v for n, v in response.headers if n.lower() == "access-control-allow-origin"]
    assert origins == ["https://app.example"]
    assert ("access-control-expose-headers", "x-request-id") in response.headers
    assert ("vary", "origin") in response.headers


def test_sec8_REC_gateway_errors_carry_cors_headers(deployment: Deployment, fake: FakeLambda) -> None:
    response, _x = send(deployment, fake, "GET", "/dev/jwt", [("Origin", "https://app.example")])
    assert response.status == 401
    assert ("access-control-allow-origin", "https://app.example") in response.headers
    assert ("access-control-allow-credentials", "true") in response.headers


# ---- §9 authorizers -------------------------------------------------------------------------------------------
def test_sec9_REC_jwt_missing_token_401_bearer(deployment: Deployment, fake: FakeLambda) -> None:
    response, _x = send(deployment, fake, "GET", "/dev/jwt")
    assert (response.status, response.body) == (401, b'{"message":"Unauthorized"}')
    assert ("www-authenticate", "Bearer") in response.headers
    assert fake.events == []


def test_sec9_DOC_jwt_bad_audience_401(deployment: Deployment, fake: FakeLambda) -> None:
    response, _x = send(deployment, fake, "GET", "/dev/jwt",
                        [("Authorization", "Bearer " + token({"aud": "other-app"}))])
    assert response.status == 401
    assert dict(response.headers)["www-authenticate"] == (
        'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"')


def test_sec9_DOC_jwt_claims_and_scopes_reach_the_integration(deployment: Deployment, fake: FakeLambda) -> None:
    response, x = send(deployment, fake, "GET", "/dev/jwt", [("Authorization", token({"scope": "notes/read"}))])
    assert response.status == 200
    authorizer = fake.events[-1][1]["requestContext"]["authorizer"]
    assert authorizer["jwt"]["claims"]["sub"] == "u1" and authorizer["jwt"]["scopes"] == ["notes/read"]
    assert x.authorizer["claims.sub"] == "u1"


def test_sec9_UNCERTAIN_jwt_without_the_route_scope_403(deployment: Deployment, fake: FakeLambda) -> None:
    response, _x = send(deployment, fake, "GET", "/dev/scoped", [("Authorization", token({"scope": "notes/read"}))])
    assert response.status == 403
    allowed, _x = send(deployment, fake, "GET", "/dev/scoped", [("Authorization", token({"scope": "notes/write"}))])
    assert allowed.status == 200


def test_sec9_DOC_lambda_authorizer_simple_response(deployment: Deployment, fake: FakeLambda) -> None:
    missing, _x = send(deployment, fake, "GET", "/dev/lambda")
    assert missing.status == 401 and fake.events == []   # no identity source: the authorizer is not invoked
    denied, _x = send(deployment, fake, "GET", "/dev/lambda", [("x-pass", "no")])
    assert denied.status == 403
    allowed, x = send(deployment, fake, "GET", "/dev/lambda", [("x-pass", "yes")])
    assert allowed.status == 200
    authorizer_event = [e for name, e in fake.events if name == "AuthorizerFunction"][-1]
    assert (authorizer_event["type"], authorizer_event["identitySource"]) == ("REQUEST", ["yes"])
    assert authorizer_event["routeArn"].endswith(":" + (x.match.api.id if x.match else "") + "/dev/GET/lambda")
    assert fake.events[-1][1]["requestContext"]["authorizer"] == {"lambda": {"user": "alice"}}
    assert x.authorizer == {"user": "alice"}


def test_sec9_DOC_lambda_authorizer_without_permission_500(deployment: Deployment, fake: FakeLambda) -> None:
    response, x = send(deployment, fake, "GET", "/dev/unpermitted", [("x-pass", "yes")])
    assert (response.status, response.body) == (500, b'{"message":"Internal Server Error"}')
    assert fake.events == []   # neither the authorizer nor the integration is invoked
    assert x.error is not None and "/authorizers/" in x.error.hint


def test_sec9_DOC_lambda_authorizer_invalid_answer_500(deployment: Deployment, fake: FakeLambda) -> None:
    fake.behaviour["AuthorizerFunction"] = lambda _e: Answered(b"not json", "r")
    response, x = send(deployment, fake, "GET", "/dev/lambda", [("x-pass", "yes")])
    assert response.status == 500 and x.error is not None
    assert x.error.authorizer_error == ("The response from the Lambda Authorizer function doesn't match the format "
                                        "that API Gateway expects. Invalid json in authorizer response")


# ---- §7 access log, §11 metrics ---------------------------------------------------------------------------------
def test_sec7_REC_access_log_line_with_integration_error(deployment: Deployment, fake: FakeLambda) -> None:
    fake.behaviour["SecuredFunction"] = lambda _e: FunctionFailed(b'{"errorMessage":"boom"}', "r")
    _response, x = send(deployment, fake, "GET", "/dev/open")
    line = access_log_line(x, deployment.account_id)
    assert line is not None
    assert line.startswith('127.0.0.1 - - [')
    assert line.endswith(f'] "GET GET /open HTTP/1.1" 500 35 {x.ids.request_id} The Lambda function returned the '
                         'following error: boom. Check your Lambda function code and try again.')


def test_sec7_DOC_no_stage_no_access_log_line(deployment: Deployment, fake: FakeLambda) -> None:
    named_stages_only = dataclasses.replace(deployment, http_apis=tuple(
        api for api in deployment.http_apis if all(stage.name != "$default" for stage in api.stages)))
    _response, x = send(named_stages_only, fake, "GET", "/nothing")
    assert x.api_stage is None
    assert access_log_line(x, deployment.account_id, LAMBDAGATE_FORMAT) is None and metric_sample(x) is None


def test_sec2_4_INFERRED_no_route_on_a_stage_logs_route_key_dash(deployment: Deployment, fake: FakeLambda) -> None:
    response, x = send(deployment, fake, "GET", "/nothing")
    line = access_log_line(x, deployment.account_id, LAMBDAGATE_FORMAT)
    assert line is not None and line.endswith(f'"GET - HTTP/1.1" 404 23 {x.ids.request_id} -')
    sample = metric_sample(x)
    assert sample is not None and dict(sample.values)["4xx"] == 1.0 and response.status == 404


def test_sec11_DOC_metric_sample(deployment: Deployment, fake: FakeLambda) -> None:
    response, x = send(deployment, fake, "POST", "/respond", body=b'{"statusCode": 404, "body": "nope"}')
    sample = metric_sample(x)
    assert sample is not None and response.status == 404
    values = dict(sample.values)
    assert (values["Count"], values["4xx"], values["5xx"]) == (1.0, 1.0, 0.0)
    assert values["DataProcessed"] == len(b'{"statusCode": 404, "body": "nope"}') + len(b"nope")
    assert "IntegrationLatency" in values
    api_id = x.match.api.id if x.match else ""
    assert sample.dimensions == ((("ApiId", api_id),), (("ApiId", api_id), ("Stage", "$default")))


def test_sec7_lambdagate_line_for_a_stage_without_access_log_settings(deployment: Deployment, fake: FakeLambda) -> None:
    _response, x = send(deployment, fake, "GET", "/echo/x")
    assert access_log_line(x, deployment.account_id) is None
    line = access_log_line(x, deployment.account_id, LAMBDAGATE_FORMAT)
    assert line is not None and line.endswith(f'"GET GET /echo/{{name}} HTTP/1.1" 200 {len(_response.body)} '
                                              f"{x.ids.request_id} -")
