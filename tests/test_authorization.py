"""Who may call, in the REST pipeline (`ApiGateway.handle` on a fake Lambda): each answer of the authorizer, the
usage plan and the validator, their order, what the integration's event gains, the typed outcome on the Exchange
and the execution-log lines of each step, in milliseconds (aws-auth.md §0-§5). The same behaviour through real
execution environments (node, python) and real HTTP is pinned by test_auth_live.py."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from fakes import FakeInvoker, FunctionError
from lambdagate.auth import tokens
from lambdagate.auth.sigv4 import IamCredentials
from lambdagate.auth.user_pool_keys import UserPoolKeys
from lambdagate.context_variables import request_context
from lambdagate.definition.model.auth import (
    ApiKey,
    Authorizer,
    MethodAuth,
    MethodRequest,
    Model,
    Quota,
    RequestValidator,
    Throttle,
    UsagePlan,
    UsagePlanStage,
)
from lambdagate.definition.model.deployment import Deployment
from lambdagate.definition.model.function import Function, Permission
from lambdagate.definition.model.restapi import Api, GatewayResponse, Integration, Method, Resource, Stage
from lambdagate.exchange import Decision, Exchange, HttpRequest, Mode, Reached
from lambdagate.gateway import ApiGateway
from lambdagate.observe.execution_log import record, render, render_record
from lambdagate.observe.metrics import Metrics

REGION, ACCOUNT, API_ID = "us-east-1", "123456789012", "abcde12345"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:items"
AUTH_FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:auth"
POOL = "us-east-1_Fast1"
KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ARN_PREFIX = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}"
TOKEN = Authorizer("tok123", "TokenAuth", "TOKEN", AUTH_FN, identity_source=("method.request.header.Authorization",))
REQUEST = Authorizer("req123", "RequestAuth", "REQUEST", AUTH_FN,
                     identity_source=("method.request.header.X-User", "method.request.querystring.tenant"))
COGNITO = Authorizer("cog123", "PoolAuth", "COGNITO_USER_POOLS", identity_source=(
    "method.request.header.Authorization",), provider_arns=(f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{POOL}",))
VALIDATOR = RequestValidator("val123", "body-and-params", True, True)
USER = Model("User", {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}})
GOOD_KEY, QUOTA_KEY = "good-key-0123456789abcdef", "quota-key-0123456789abcdef"


NO_AUTH, NO_VALIDATION = MethodAuth(), MethodRequest()


def method(verb: str, auth: MethodAuth = NO_AUTH, request_: MethodRequest = NO_VALIDATION) -> Method:
    return Method(verb, Integration("aws_proxy", "uri", function_arn=FN), auth=auth, request=request_)


def deployment(authorizer_permission: bool = True, gateway_responses: tuple[GatewayResponse, ...] = (),
               key_source: str = "HEADER") -> Deployment:
    validated = MethodRequest("val123", (("method.request.querystring.team", True),), (("application/json", "User"),))
    resources = (
        Resource("root00", "/"),
        Resource("open00", "/open", {"GET": method("GET")}),
        Resource("token0", "/token/{id}", {"GET": method("GET", MethodAuth("CUSTOM", "tok123"))}),
        Resource("reqst0", "/request", {"GET": method("GET", MethodAuth("CUSTOM", "req123"))}),
        Resource("cogn00", "/me", {"GET": method("GET", MethodAuth("COGNITO_USER_POOLS", "cog123"))}),
        Resource("scope0", "/orders", {"GET": method("GET", MethodAuth("COGNITO_USER_POOLS", "cog123",
                                                                       ("orders/read",)))}),
        Resource("iam000", "/iam", {"POST": method("POST", MethodAuth("AWS_IAM"))}),
        Resource("keyed0", "/keyed", {"GET": method("GET", MethodAuth(api_key_required=True))}),
        Resource("quota0", "/quota", {"GET": method("GET", MethodAuth(api_key_required=True))}),
        Resource("users0", "/users", {"POST": method("POST", MethodAuth(api_key_required=True), validated)}),
        Resource("both00", "/both", {"POST": method("POST", MethodAuth("CUSTOM", "tok123", api_key_required=True),
                                                    validated)}),
    )
    api = Api("Api", "items", API_ID, Stage("prod", "dep001"), resources, authorizers=(TOKEN, REQUEST, COGNITO),
              request_validators=(VALIDATOR,), models=(USER,), gateway_responses=gateway_responses,
              api_key_source=key_source)  # type: ignore[arg-type]
    functions = {FN: Function("Items", "items", FN, "python3.12", "app.handler", "/tmp"),
                 AUTH_FN: Function("Auth", "auth", AUTH_FN, "python3.12", "app.handler", "/tmp")}
    permissions = [Permission.allow(FN, "lambda:InvokeFunction", "apigateway.amazonaws.com", f"{ARN_PREFIX}/*")]
    if authorizer_permission:
        permissions.append(Permission.allow(AUTH_FN, "lambda:InvokeFunction", "apigateway.amazonaws.com",
                                            f"{ARN_PREFIX}/authorizers/*"))
    keys = (ApiKey("key001", "GoodKey", GOOD_KEY), ApiKey("key002", "QuotaKey", QUOTA_KEY),
            ApiKey("key003", "OffKey", "off-key-0123456789abcdef", enabled=False))
    plans = (UsagePlan("plan01", "Gold", (UsagePlanStage(API_ID, "prod"),), Throttle(1.0, 2), None,
                       ("key001", "key003")),
             UsagePlan("plan02", "Metered", (UsagePlanStage(API_ID, "prod"),), None, Quota(2, "DAY"), ("key002",)))
    return Deployment((api,), functions, tuple(permissions), REGION, ACCOUNT, api_keys=keys, usage_plans=plans)


def allow_all(effect: str = "Allow", resource: str = f"{ARN_PREFIX}/prod/*", **extra: Any) -> dict[str, Any]:
    return {"principalId": "user-0123456789", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}, **extra}


class Lambda:
    """The fake Lambda behind both the authorizer and the integration: `authorize(event)` answers authorizer events;
    the integration echoes what it was sent."""

    def __init__(self, authorize: Any = None) -> None:
        self.authorize = authorize if authorize is not None else (lambda event: allow_all(context={"n": 1}))
        self.invoker = FakeInvoker(self.answer)

    def answer(self, event: dict[str, Any]) -> Any:
        if event.get("type") in ("TOKEN", "REQUEST"):
            return self.authorize(event)
        return {"statusCode": 200, "body": json.dumps(event["requestContext"])}

    @property
    def authorizer_events(self) -> list[dict[str, Any]]:
        return [e for e in self.invoker.events if e.get("type") in ("TOKEN", "REQUEST")]


def gateway(fake: Lambda, tmp_path: Path | None = None, **kwargs: Any) -> ApiGateway:
    keys = UserPoolKeys(state_dir=tmp_path, fetch=False)
    return ApiGateway(deployment(**kwargs), fake.invoker, None, keys, IamCredentials([f"{KEY}:{SECRET}"], chain=False))


def send(gw: ApiGateway, verb: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"",
         mode: Mode = Mode.CLIENT) -> Exchange:
    path, _, query = target.partition("?")
    given = tuple((headers or {}).items())
    return asyncio.run(gw.handle(HttpRequest(verb, path, query or None, given, body, "127.0.0.1", 3000, time.time()),
                                 mode))


def seen(x: Exchange) -> dict[str, Any]:
    """The requestContext the integration got."""
    assert x.response.status == 200, x.response.body
    return dict(json.loads(x.response.body))


# -- Lambda authorizers ----------------------------------------------------------------------------------------
def test_an_allowed_caller_reaches_the_integration_with_the_authorizer_context() -> None:
    fake = Lambda(lambda event: allow_all(context={"str": "a", "num": 1, "flag": True, "none": None}))
    x = send(gateway(fake), "GET", "/token/7", {"Authorization": "Bearer secret-token-123456"})
    context = seen(x)
    latency = context["authorizer"].pop("integrationLatency")
    assert context["authorizer"] == {"str": "a", "num": "1", "flag": "true", "none": None,   # sec1.9-REC-DT
                                     "principalId": "user-0123456789"} and isinstance(latency, int)
    assert list(context)[:3] == ["resourceId", "authorizer", "resourcePath"]
    [event] = fake.authorizer_events
    assert event == {"type": "TOKEN", "methodArn": f"{ARN_PREFIX}/prod/GET/token/7",   # sec1.3-REC-LOG-2023
                     "authorizationToken": "Bearer secret-token-123456"}
    assert x.authorization is not None and (x.authorization.type, x.authorization.decision, x.authorization.principal,
                                            x.authorization.authorizer, x.authorization.cached) == (
        "CUSTOM", Decision.ALLOWED, "user-0123456789", "TokenAuth", False)
    lines = render(x)
    starting = lines.index("Starting authorizer: tok123 for request: " + x.ids.request_id)
    assert lines[starting + 1] == "Incoming identity: " + "*" * 20 + "123456"
    assert lines[starting + 2].startswith("Endpoint request URI: https://lambda.us-east-1.amazonaws.com/"
                                          f"2015-03-31/functions/{AUTH_FN}/invocations")
    assert lines[starting + 6].startswith("Authorizer result body before parsing: {")
    assert lines[starting + 7:starting + 10] == [
        "Using valid authorizer policy for principal: " + "*" * 9 + "456789",
        "Successfully completed authorizer execution",
        f"Verifying Usage Plan for request: {x.ids.request_id}. API Key:  API Stage: {API_ID}/prod"]
    assert starting == 1 and lines[starting + 12] == "Starting execution for request: " + x.ids.request_id


AUTHORIZER_ANSWERS = {
    # case: (the authorizer's answer, status, body, x-amzn-ErrorType, decision, the step's last log lines)
    "sec1.10-REC-explicit-deny": (allow_all("Deny", f"{ARN_PREFIX}/prod/GET/token/7"), 403,
                                  b'{"Message":"User is not authorized to access this resource with an explicit '
                                  b'deny"}', "AccessDeniedException", Decision.DENIED,
                                  ["Successfully completed authorizer execution"]),
    "sec1.10-REC-CHALICE-implicit-deny": (allow_all(resource=f"{ARN_PREFIX}/prod/POST/elsewhere"), 403,
                                          b'{"Message":"User is not authorized to access this resource"}',
                                          "AccessDeniedException", Decision.DENIED,
                                          ["Successfully completed authorizer execution",
                                           "The client is not authorized to perform this operation."]),
    "sec1.10-DOC-Unauthorized-error": (FunctionError("Unauthorized"), 401, b'{"message":"Unauthorized"}',
                                       "UnauthorizedException", Decision.UNAUTHORIZED, []),
    "sec1.10-REC-LOG-2023-other-error": (FunctionError("token expired"), 500, b'{"message":null}',
                                         "AuthorizerConfigurationException", Decision.FAILED,
                                         ['Execution failed due to configuration error: Invalid JSON in response: '
                                          'Unrecognized field "errorMessage" , not marked as ignorable',
                                          "AuthorizerConfigurationException"]),
    "sec1.10-REC-EXPANSE-null": (None, 500, b'{"message":null}', "AuthorizerConfigurationException",
                                 Decision.FAILED, ["Authorizer result body before parsing: null",
                                                   "Execution failed due to configuration error: Could not parse "
                                                   "policy", "AuthorizerConfigurationException"]),
    "sec1.6-DOC-context-object": (allow_all(context={"a": {"b": 1}}), 500, b'{"message":null}',
                                  "AuthorizerConfigurationException", Decision.FAILED,
                                  ["AuthorizerConfigurationException"]),
}


@pytest.mark.parametrize("case", AUTHORIZER_ANSWERS)
def test_authorizer_answers(case: str) -> None:
    answer, status, body, error_type, decision, last_lines = AUTHORIZER_ANSWERS[case]

    def authorize(event: dict[str, Any]) -> Any:
        if isinstance(answer, FunctionError):
            raise answer
        return answer

    fake = Lambda(authorize)
    x = send(gateway(fake), "GET", "/token/7", {"Authorization": "tok-abcdefgh"})
    assert (x.response.status, x.response.body, dict(x.response.headers)["x-amzn-ErrorType"]) == (
        status, body, error_type)
    assert x.authorization is not None and x.authorization.decision is decision
    assert x.reached is Reached.ROUTED and x.call is None and len(fake.invoker.events) == 1   # no integration call
    lines = render(x)
    assert lines[-1] == f"Gateway response type: {x.error.response_type if x.error else ''} with status code: " \
                        f"{status}"                                                              # sec1.11-REC-MIDDY
    assert lines[-1 - len(last_lines):-1] == last_lines
    assert not any(line.startswith(("Verifying Usage Plan", "Starting execution")) for line in lines)


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}], ids=["absent", "empty"])
def test_no_identity_is_401_without_invoking(headers: dict[str, str]) -> None:
    """sec1.2-DOC-KC-401, sec1.10-REC-LOG-2026: `Starting authorizer`, `Unauthorized request`, no Lambda lines."""
    fake = Lambda()
    x = send(gateway(fake), "GET", "/token/7", headers)
    assert (x.response.status, x.response.body, fake.invoker.events) == (401, b'{"message":"Unauthorized"}', [])
    assert render(x)[1:] == [f"Starting authorizer: tok123 for request: {x.ids.request_id}",
                             f"Unauthorized request: {x.ids.request_id}",
                             "Gateway response type: UNAUTHORIZED with status code: 401"]


def test_an_authorizer_without_permission_is_a_500_before_any_call() -> None:
    """sec1.1-DOC: without authorizerCredentials the function's resource policy must allow
    `<apiId>/authorizers/<authorizerId>`; else `Invalid permissions on Lambda function` and `Authorizer error`."""
    fake = Lambda()
    x = send(gateway(fake, authorizer_permission=False), "GET", "/token/7", {"Authorization": "t"})
    assert (x.response.status, x.response.body, fake.invoker.events) == (500, b'{"message":null}', [])
    assert render(x)[-4:-1] == ["Execution failed due to configuration error: Invalid permissions on Lambda function",
                                "Execution failed due to configuration error: Authorizer error",
                                "AuthorizerConfigurationException"]
    assert x.authorization is not None and "/authorizers/" in x.authorization.hint


def test_the_cache_hits_by_token_and_expires_with_the_ttl() -> None:
    """sec1.8-DOC: a hit does not invoke and re-evaluates the cached policy against the new methodArn; the TTL (300 s
    by default) ends it; the key is the token."""
    calls: list[str] = []

    def authorize(event: dict[str, Any]) -> dict[str, Any]:
        calls.append(event["methodArn"])
        return allow_all(resource=event["methodArn"], context={"n": len(calls)})

    fake = Lambda(authorize)
    gw = gateway(fake)
    now = [1000.0]
    gw.clock = lambda: now[0]
    first = send(gw, "GET", "/token/1", {"Authorization": "alice-token"})
    again = send(gw, "GET", "/token/1", {"Authorization": "alice-token"})
    assert seen(first)["authorizer"]["n"] == seen(again)["authorizer"]["n"] == "1" and len(fake.authorizer_events) == 1
    assert again.authorization is not None and again.authorization.cached and \
        seen(again)["authorizer"]["integrationLatency"] == 0
    assert [line.split(":")[0] for line in render(again)[1:5]] == [
        "Starting authorizer", "Incoming identity", "Using valid authorizer policy for principal",
        "Successfully completed authorizer execution"]
    other_route = send(gw, "GET", "/token/2", {"Authorization": "alice-token"})      # KC-cache pitfall
    assert other_route.response.status == 403 and len(fake.authorizer_events) == 1
    assert other_route.authorization is not None and "cached policy" in other_route.authorization.hint
    assert send(gw, "GET", "/token/2", {"Authorization": "bob-token"}).response.status == 200   # another key
    now[0] += 301
    assert send(gw, "GET", "/token/2", {"Authorization": "alice-token"}).response.status == 200
    assert len(fake.authorizer_events) == 3


def test_a_request_authorizer_gets_the_proxy_event_without_body_and_caches_by_every_source() -> None:
    """sec1.4-DOC: the proxy event's fields minus body/isBase64Encoded, `type` and `methodArn` first, no
    requestContext.authorizer; sec1.8: changing any identity source misses the cache."""
    fake = Lambda(lambda event: allow_all(principalId=event["headers"]["X-User"]))
    gw = gateway(fake)
    x = send(gw, "GET", "/request?tenant=t1", {"X-User": "alice"})
    assert seen(x)["authorizer"]["principalId"] == "alice"
    [event] = fake.authorizer_events
    assert list(event)[:3] == ["type", "methodArn", "resource"] and "body" not in event
    assert event["queryStringParameters"] == {"tenant": "t1"} and "authorizer" not in event["requestContext"]
    send(gw, "GET", "/request?tenant=t1", {"X-User": "alice"})
    send(gw, "GET", "/request?tenant=t2", {"X-User": "alice"})
    assert len(fake.authorizer_events) == 2
    missing = send(gw, "GET", "/request", {"X-User": "alice"})
    assert missing.response.status == 401 and len(fake.authorizer_events) == 2


# -- Cognito and AWS_IAM ---------------------------------------------------------------------------------------
def mint(tmp_path: Path, scopes: tuple[str, ...] = (), lifetime: int = 3600, **claims: Any) -> str:
    pool, _ = tokens.local_pool(tmp_path, POOL)
    values = tokens.claims_for(pool, "ana", tokens.default_client_id(POOL), scopes, claims, time.time(), lifetime)
    return tokens.mint(pool, values)


def test_cognito_tokens_of_a_local_pool(tmp_path: Path) -> None:
    """sec2-DOC/REC: an ID token for a method without scopes, an access token with one of its scopes; the claims
    as strings; an expired, tampered or wrong-kind token is 401."""
    gw = gateway(Lambda(), tmp_path)
    token = mint(tmp_path, email_verified=True)
    x = send(gw, "GET", "/me", {"Authorization": token})
    claims = seen(x)["authorizer"]["claims"]
    assert claims["email_verified"] == "true" and claims["token_use"] == "id" and claims["exp"].endswith(
        time.strftime(" %Y", time.gmtime()))
    assert x.authorization is not None and x.authorization.principal == claims["sub"]
    assert send(gw, "GET", "/orders", {"Authorization": mint(tmp_path, ("orders/read",))}).response.status == 200
    refused = {
        "expired": (mint(tmp_path, lifetime=-10), b'{"message":"The incoming token has expired"}'),
        "tampered": (token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"), b'{"message":"Unauthorized"}'),
        "bearer": ("Bearer " + token, b'{"message":"Unauthorized"}'),
    }
    for name, (value, body) in refused.items():
        answer = send(gw, "GET", "/me", {"Authorization": value})
        assert (answer.response.status, answer.response.body) == (401, body), name
    assert send(gw, "GET", "/orders", {"Authorization": token}).response.status == 401   # an ID token, scopes wanted
    assert send(gw, "GET", "/me", {}).response.status == 401


def signed(verb: str, target: str, body: bytes, secret: str = SECRET) -> dict[str, str]:
    aws = AWSRequest(method=verb, url=f"http://127.0.0.1:3000{target}", data=body)
    SigV4Auth(Credentials(KEY, secret), "execute-api", REGION).add_auth(aws)
    return {"Host": "127.0.0.1:3000", **dict(aws.headers.items())}


def test_aws_iam_checks_the_signature_and_fills_the_identity() -> None:
    """sec3-REC: a botocore signature passes and the caller fills requestContext.identity; unsigned: Missing
    Authentication Token; another secret: the signature mismatch with AWS's canonical request."""
    fake = Lambda()
    gw = gateway(fake)
    x = send(gw, "POST", "/iam", signed("POST", "/iam", b"{}"), b"{}")
    identity = seen(x)["identity"]
    assert "Authorization" not in fake.invoker.events[-1]["headers"]   # sec10.4a-DOC: dropped for AWS_IAM
    assert "X-Amz-Date" in fake.invoker.events[-1]["headers"]
    assert (identity["accessKey"], identity["accountId"], identity["userArn"]) == (
        KEY, ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root")
    unsigned = send(gw, "POST", "/iam", {}, b"{}")
    assert (unsigned.response.status, unsigned.response.body) == (403, b'{"message":"Missing Authentication Token"}')
    wrong = send(gw, "POST", "/iam", signed("POST", "/iam", b"{}", "not-the-secret"), b"{}")
    message = json.loads(wrong.response.body)["message"]
    assert wrong.response.status == 403 and message.startswith("The request signature we calculated does not match")
    assert "\n\nThe Canonical String for this request should have been\n'POST\n/iam\n" in message
    assert dict(wrong.response.headers)["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert wrong.authorization is not None and wrong.authorization.decision is Decision.DENIED


def test_an_unknown_route_with_a_bearer_token_answers_the_sigv4_parse_error() -> None:
    """sec3-REC-ERRMAP: an Authorization header that is not SigV4 on an unknown route."""
    x = send(gateway(Lambda()), "GET", "/nowhere", {"Authorization": "Bearer abc"})
    assert (x.response.status, json.loads(x.response.body)) == (403, {
        "message": "abc not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'"})
    assert render(x) == []


# -- API keys, usage plans, validators, order ------------------------------------------------------------------
def test_api_keys_throttle_and_quota() -> None:
    """sec4-REC: no key, an unknown or a disabled key: 403 Forbidden; the plan's throttle: 429 Too Many Requests;
    its quota: 429 Limit Exceeded; an accepted key fills identity.apiKey/apiKeyId."""
    gw = gateway(Lambda())
    now = [5000.0]
    gw.clock = lambda: now[0]
    for headers in ({}, {"x-api-key": "nope"}, {"x-api-key": "off-key-0123456789abcdef"}):
        x = send(gw, "GET", "/keyed", headers)
        assert (x.response.status, x.response.body, dict(x.response.headers)["x-amzn-ErrorType"]) == (
            403, b'{"message":"Forbidden"}', "ForbiddenException")
        assert x.usage_plan is not None and x.usage_plan.refused and x.reached is Reached.ROUTED
        assert render(x)[-2].endswith("No Usage Plan found for key and API Stage")
    ok = send(gw, "GET", "/keyed", {"X-API-Key": GOOD_KEY})
    identity = seen(ok)["identity"]
    assert (identity["apiKey"], identity["apiKeyId"]) == (GOOD_KEY, "key001")
    assert list(identity)[:3] == ["cognitoIdentityPoolId", "cognitoIdentityId", "apiKey"]
    assert ok.usage_plan is not None and (ok.usage_plan.key_name, ok.usage_plan.plan_name) == ("GoodKey", "Gold")
    assert send(gw, "GET", "/keyed", {"X-API-Key": GOOD_KEY}).response.status == 200    # burst 2
    throttled = send(gw, "GET", "/keyed", {"X-API-Key": GOOD_KEY})
    assert (throttled.response.status, throttled.response.body) == (429, b'{"message":"Too Many Requests"}')
    assert render(throttled)[-2] == (f"Key throttle limit exceeded for RestApi {API_ID}, Stage prod, Resource keyed0, "
                                     "HttpMethod GET. Limit: 1.00 Burst: 2")
    now[0] += 1
    assert send(gw, "GET", "/keyed", {"X-API-Key": GOOD_KEY}).response.status == 200    # 1 token a second
    quota = [send(gw, "GET", "/quota", {"X-API-Key": QUOTA_KEY}).response for _ in range(3)]
    assert [r.status for r in quota] == [200, 200, 429] and quota[2].body == b'{"message":"Limit Exceeded"}'
    assert dict(quota[2].headers)["x-amzn-ErrorType"] == "LimitExceededException"


VALIDATION = {
    # case: (target, body, status, body answered, the log line before "Method completed")
    "sec5-REC-params-first": ("/users", b"{}", 400, b'{"message":"Missing required request parameters: [team]"}',
                              None),
    "sec5-REC-body": ("/users?team=a", b'{"name": 1}', 400, b'{"message":"Invalid request body"}',
                      "Request body does not match model schema for content type application/json: [object has "
                      'missing required properties (["email"])]'),
    "sec5-REC-empty-body": ("/users?team=a", b"", 400, b'{"message":"Invalid request body"}',
                            "Request body does not match model schema for content type application/json: [Unknown "
                            "error parsing request body]"),
    "sec5-valid": ("/users?team=a", b'{"email": "a@b.c"}', 200, None, None),
}


@pytest.mark.parametrize("case", VALIDATION)
def test_request_validator(case: str) -> None:
    target, body, status, answered, line = VALIDATION[case]
    x = send(gateway(Lambda()), "POST", target, {"x-api-key": GOOD_KEY, "Content-Type": "application/json"}, body)
    assert x.response.status == status
    if answered is not None:
        assert x.response.body == answered and x.reached is Reached.METHOD
        lines = render(x)
        assert lines[-1] == "Method completed with status: 400"
        assert lines[-2].startswith("Method request body before transformations") if line is None else \
            lines[-2] == line
        assert request_context(x, ACCOUNT)["error.validationErrorString"]


ORDER = {
    # case: (headers, body, status, authorizer invoked) — routing, authorizer, usage plan, validator (sec0.1)
    "sec0.1-REC-SAM-INT-no-token-no-key-is-401": ({}, b"{}", 401, False),
    "no-key-bad-body-is-the-key-answer": ({"Authorization": "t"}, b"not json", 403, True),
    "key-and-bad-body-is-the-validator-answer": ({"Authorization": "t", "x-api-key": GOOD_KEY}, b"{}", 400, True),
    "all-good": ({"Authorization": "t", "x-api-key": GOOD_KEY}, b'{"email": "x"}', 200, True),
}


@pytest.mark.parametrize("case", ORDER)
def test_the_order_of_the_checks(case: str) -> None:
    headers, body, status, invoked = ORDER[case]
    fake = Lambda()
    x = send(gateway(fake), "POST", "/both?team=a", {"Content-Type": "application/json", **headers}, body)
    assert (x.response.status, bool(fake.authorizer_events)) == (status, invoked)


def test_an_authorizer_source_takes_the_key_from_the_authorizer() -> None:
    """sec4.1-DOC, REC-SAM-INT: with ApiKeySourceType AUTHORIZER the key is the authorizer's usageIdentifierKey and a
    client's x-api-key is ignored."""
    fake = Lambda(lambda event: allow_all(usageIdentifierKey=GOOD_KEY if event["authorizationToken"] == "k" else None))
    gw = gateway(fake, key_source="AUTHORIZER")
    body = b'{"email": "x"}'
    headers = {"Content-Type": "application/json"}
    ok = send(gw, "POST", "/both?team=a", {**headers, "Authorization": "k"}, body)
    assert seen(ok)["identity"]["apiKey"] == GOOD_KEY
    header_only = send(gw, "POST", "/both?team=a", {**headers, "Authorization": "n", "x-api-key": GOOD_KEY}, body)
    assert (header_only.response.status, header_only.response.body) == (403, b'{"message":"Forbidden"}')


def test_the_console_test_skips_authorizer_and_api_key_but_not_the_validator() -> None:
    """aws-auth.md §9: TestInvokeMethod calls the method without its authorizer and presents `test-invoke-api-key`;
    the 2021 console capture shows the validator's 400 in a console test (§5 [REC])."""
    fake = Lambda()
    gw = gateway(fake)
    x = send(gw, "POST", "/both?team=a", {"Content-Type": "application/json"}, b'{"email": "x"}', Mode.TEST_INVOKE)
    assert x.response.status == 200 and fake.authorizer_events == [] and x.authorization is None
    assert seen(x)["identity"]["apiKey"] == "test-invoke-api-key"
    bad = send(gw, "POST", "/both?team=a", {"Content-Type": "application/json"}, b"{}", Mode.TEST_INVOKE)
    assert bad.response.status == 400


# -- what the observers get ------------------------------------------------------------------------------------
def test_gateway_responses_customise_the_refusals() -> None:
    """Each refusal has its gateway response type (sec0.2): UNAUTHORIZED customised, DEFAULT_4XX for the others."""
    responses = (GatewayResponse("UNAUTHORIZED", 401, (("gatewayresponse.header.WWW-Authenticate", "'Bearer'"),),
                                 (("application/json", '{"error":"$context.error.responseType"}'),)),
                 GatewayResponse("DEFAULT_4XX", None, (("gatewayresponse.header.Access-Control-Allow-Origin",
                                                        "'*'"),)))
    gw = gateway(Lambda(), gateway_responses=responses)
    x = send(gw, "GET", "/token/1", {})
    assert (x.response.status, x.response.body, dict(x.response.headers)["WWW-Authenticate"]) == (
        401, b'{"error":"UNAUTHORIZED"}', "Bearer")
    for target in ("/keyed",):
        assert dict(send(gw, "GET", target, {}).response.headers)["Access-Control-Allow-Origin"] == "*"


def test_the_stored_record_renders_the_same_lines_and_old_records_still_render() -> None:
    gw = gateway(Lambda())
    for x in (send(gw, "GET", "/token/1", {"Authorization": "tok"}), send(gw, "GET", "/token/1", {}),
              send(gw, "GET", "/keyed", {}), send(gw, "POST", "/users", {"x-api-key": GOOD_KEY})):
        stored = orjson.loads(orjson.dumps(record(x)))
        assert render_record(stored) == render(x)
    old = record(send(gw, "GET", "/open"))
    old.pop("v")
    old["reached"] -= 1   # version 1 counted METHOD as 1
    assert render_record(old)[4].startswith("Starting execution for request: ")


def test_refusals_count_as_4xx_and_5xx_without_integration_latency() -> None:
    metrics = Metrics(None)
    gw = gateway(Lambda(lambda event: None))
    for x in (send(gw, "GET", "/token/1", {}), send(gw, "GET", "/token/1", {"Authorization": "t"})):
        metrics.record(x, None)
    [total] = metrics.totals.values()
    assert (total.count, total.errors_4xx, total.errors_5xx, total.integration_count) == (2, 1, 1, 0)


def test_context_variables_of_an_authorized_call() -> None:
    """`$context.authorizer.principalId`, `.<key>`, `.integrationLatency` and `$context.identity.apiKey` (AGDG)."""
    fake = Lambda(lambda event: allow_all(context={"role": "admin"}))
    x = send(gateway(fake), "POST", "/both?team=a", {"Authorization": "t", "x-api-key": GOOD_KEY,
                                                      "Content-Type": "application/json"}, b'{"email": "x"}')
    context = request_context(x, ACCOUNT)
    assert (context["authorizer.principalId"], context["authorizer.role"], context["identity.apiKey"],
            context["identity.apiKeyId"]) == ("user-0123456789", "admin", GOOD_KEY, "key001")


EXPLAINED = {
    # case: (authorizer answer, verb, target, headers, body, the cause `explain` finds in the rendered log)
    "authorizer-null": (None, "GET", "/token/1", {"Authorization": "t"}, b"", "authorizer-failed"),
    "no-token": (None, "GET", "/token/1", {}, b"", "authorizer-refused"),
    "deny": (allow_all("Deny"), "GET", "/token/1", {"Authorization": "t"}, b"", "authorizer-refused"),
    "no-key": (None, "GET", "/keyed", {}, b"", "api-key-refused"),
    "unsigned": (None, "POST", "/iam", {}, b"{}", "signature-refused"),
    "bad-body": (None, "POST", "/users?team=a", {"x-api-key": GOOD_KEY}, b"{}", "request-invalid"),
}


@pytest.mark.parametrize("case", EXPLAINED)
def test_explain_reads_each_refusal(case: str) -> None:
    """The catalogue (causes.py) that `explain` and `doctor` share knows the refusals' lines."""
    from lambdagate.explain import explain_text
    from lambdagate.observe.execution_log import prefixed

    answer, verb, target, headers, body, cause = EXPLAINED[case]
    x = send(gateway(Lambda(lambda event: answer)), verb, target, headers, body)
    [verdict] = explain_text("\n".join(prefixed(x.ids.request_id, render(x)))).verdicts
    assert [f.cause.id for f in verdict.findings] == [cause]
