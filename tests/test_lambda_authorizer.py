"""auth/lambda_authorizer.py with a scripted invoker (the pipeline passes its real one, docs/auth-integration.md):
identity checks, the TOKEN and REQUEST events, the cache, the answers and the execution-log lines (aws-auth.md §1)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from lambdagate import errors
from lambdagate.auth.authorizer_cache import AuthorizerCache
from lambdagate.auth.lambda_authorizer import Authorized, AuthorizerCall, FailedInvocation, LambdaAuthorizers
from lambdagate.definition.model.auth import Authorizer
from lambdagate.definition.model.deployment import Deployment
from lambdagate.definition.model.function import Function, Permission
from lambdagate.definition.model.restapi import Api, Integration, Method, Resource, Stage
from lambdagate.exchange import HttpRequest

REGION, ACCOUNT, API = "us-east-1", "123456789012", "abcdef1234"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:auth"
TOKEN = Authorizer("q8togz", "TokenAuth", "TOKEN", FN, f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/"
                   f"functions/{FN}/invocations", None, ("method.request.header.Authorization",))
REQUEST = replace(TOKEN, id="r3qst1", name="RequestAuth", type="REQUEST",
                  identity_source=("method.request.header.X-User", "method.request.querystring.tenant"))
ITEM = Resource("res123", "/items/{id}", {"ANY": Method("ANY", Integration("aws_proxy", "", function_arn=FN))})
API_ = Api("Api", "api", API, Stage("prod", "dep123", {"v": "1"}), (ITEM,), authorizers=(TOKEN, REQUEST))
ALLOWED = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API}/authorizers/*"


def deployment(permissions: tuple[Permission, ...] | None = None) -> Deployment:
    if permissions is None:
        permissions = (Permission.allow(FN, "lambda:InvokeFunction", "apigateway.amazonaws.com", ALLOWED),)
    return Deployment((API_,), {FN: Function("Auth", "auth", FN, "python3.12", "app.handler", "/tmp")}, permissions,
                      REGION, ACCOUNT)


def policy(resource: str = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API}/prod/*", effect: str = "Allow",
           **extra: Any) -> bytes:
    return json.dumps({"principalId": "user-0123456789", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}, **extra}).encode()


class Invoker:
    def __init__(self, *answers: bytes | FailedInvocation) -> None:
        self.answers = list(answers)
        self.payloads: list[bytes] = []

    async def __call__(self, function: Function, payload: bytes) -> bytes | FailedInvocation:
        assert function.arn == FN
        self.payloads.append(payload)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def request(method: str = "GET", path: str = "/items/42", query: str | None = None,
            headers: tuple[tuple[str, str], ...] = (("Authorization", "Bearer secret-token"),)) -> AuthorizerCall:
    r = HttpRequest(method, path, query, headers, b'{"x":1}', "127.0.0.1", 3000, 1700000000.0)
    proxy = {"resource": "/items/{id}", "path": path, "httpMethod": method, "headers": dict(headers) or None,
             "multiValueHeaders": None, "queryStringParameters": None, "multiValueQueryStringParameters": None,
             "pathParameters": {"id": "42"}, "stageVariables": {"v": "1"},
             "requestContext": {"resourceId": "res123", "stage": "prod", "authorizer": {"x": "y"}},
             "body": '{"x":1}', "isBase64Encoded": False}
    return AuthorizerCall(r, API_, "prod", "rid-1", proxy, {})


def run(authorizers: LambdaAuthorizers, authorizer: Authorizer, call: AuthorizerCall) -> Authorized:
    return asyncio.run(authorizers.authorize(authorizer, call))


def refused(authorizers: LambdaAuthorizers, authorizer: Authorizer, call: AuthorizerCall) -> errors.GatewayError:
    with pytest.raises(errors.GatewayError) as info:
        run(authorizers, authorizer, call)
    return info.value


@pytest.mark.parametrize("headers", [(), (("Authorization", ""),), (("X-Other", "x"),)],
                         ids=["sec1.2-DOC-missing", "sec1.2-DOC-empty-is-missing", "sec1.2-DOC-other-header"])
def test_no_identity_answers_401_without_invoking(headers: tuple[tuple[str, str], ...]) -> None:
    invoker = Invoker(policy())
    error = refused(LambdaAuthorizers(deployment(), invoker), TOKEN, request(headers=headers))
    assert (error.status, error.body, error.error_type, error.response_type) == (
        401, b'{"message":"Unauthorized"}', "UnauthorizedException", "UNAUTHORIZED")
    assert error.log_lines == ["Starting authorizer: q8togz for request: rid-1", "Unauthorized request: rid-1"]
    assert invoker.payloads == []


@pytest.mark.parametrize(("expression", "token", "invoked"), [
    ("^Bearer [-0-9a-zA-Z._]*$", "Bearer secret-token", True),
    ("^Bearer [-0-9a-zA-Z._]*$", "Basic abc", False),
    ("allow", "allow", True),
    ("allow", "allowed", False),
], ids=["sec1.2-DOC-matches", "sec1.2-DOC-no-match", "sec1.2-REC-SAM-INT-literal", "sec1.2-UNCERTAIN-whole-match"])
def test_validation_expression_is_checked_before_invoking(expression: str, token: str, invoked: bool) -> None:
    invoker = Invoker(policy())
    authorizers = LambdaAuthorizers(deployment(), invoker)
    call = request(headers=(("authorization", token),))   # header names match case-insensitively
    if invoked:
        run(authorizers, replace(TOKEN, validation_expression=expression), call)
    else:
        assert refused(authorizers, replace(TOKEN, validation_expression=expression), call).status == 401
    assert bool(invoker.payloads) is invoked


def test_token_event_and_log_lines_of_an_allowed_call() -> None:
    """sec1.3-DOC/REC-LOG-2023: three keys, the raw header value, the real verb and path in the methodArn; the
    log lines of LOG-2017 in order; sec1.9-REC-DT: what the integration sees."""
    invoker = Invoker(policy(context={"str": "hello", "bool": True, "null": None, "num": 123}))
    granted = run(LambdaAuthorizers(deployment(), invoker, clock=iter([10.0, 10.25]).__next__), TOKEN,
                  request(method="DELETE"))
    assert invoker.payloads == [b'{"type":"TOKEN","methodArn":"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/'
                                b'prod/DELETE/items/42","authorizationToken":"Bearer secret-token"}']
    assert granted.request_context() == {"str": "hello", "bool": "true", "null": None, "num": "123",
                                         "principalId": "user-0123456789", "integrationLatency": 250}
    heads = [line.split(":")[0] for line in granted.log_lines]
    assert heads == ["Starting authorizer", "Incoming identity", "Endpoint request URI", "Endpoint request headers",
                     "Endpoint request body after transformations", "Sending request to https",
                     "Authorizer result body before parsing", "Using valid authorizer policy for principal",
                     "Successfully completed authorizer execution"]
    assert granted.log_lines[1] == "Incoming identity: *************-token"
    assert granted.log_lines[7] == "Using valid authorizer policy for principal: *********456789"
    assert f"X-Amz-Source-Arn=arn:aws:execute-api:{REGION}:{ACCOUNT}:{API}/authorizers/q8togz" in granted.log_lines[3]


def test_request_event_is_the_proxy_event_without_body() -> None:
    """sec1.4-DOC: type and methodArn first, no body or isBase64Encoded, requestContext without authorizer."""
    invoker = Invoker(policy())
    call = request(query="tenant=t1", headers=(("X-User", "ann"),))
    run(LambdaAuthorizers(deployment(), invoker), REQUEST, call)
    event = json.loads(invoker.payloads[0])
    assert list(event)[:3] == ["type", "methodArn", "resource"]
    assert "body" not in event and "isBase64Encoded" not in event and "authorizationToken" not in event
    assert event["requestContext"] == {"resourceId": "res123", "stage": "prod"}
    assert event["methodArn"].endswith("/prod/GET/items/42")


@pytest.mark.parametrize(("query", "headers"), [("tenant=t1", ()), (None, (("X-User", "ann"),)),
                                                ("tenant=", (("X-User", "ann"),))],
                         ids=["sec1.2-DOC-header-missing", "sec1.2-DOC-query-missing", "sec1.2-DOC-query-empty"])
def test_request_authorizer_needs_every_identity_source(query: str | None,
                                                        headers: tuple[tuple[str, str], ...]) -> None:
    invoker = Invoker(policy())
    call = request(query=query, headers=headers)
    assert refused(LambdaAuthorizers(deployment(), invoker), REQUEST, call).status == 401
    assert invoker.payloads == []


def test_request_authorizer_without_sources_and_caching_is_invoked_every_time() -> None:
    invoker = Invoker(policy())
    authorizers = LambdaAuthorizers(deployment(), invoker)
    open_ = replace(REQUEST, identity_source=(), ttl_seconds=0)
    run(authorizers, open_, request(headers=()))
    run(authorizers, open_, request(headers=()))
    assert len(invoker.payloads) == 2


def test_cache_by_token_for_the_ttl() -> None:
    """sec1.8-DOC: a hit skips the Lambda (latency 0), another token misses, the TTL ends the entry."""
    now = [0.0]
    invoker = Invoker(policy())
    authorizers = LambdaAuthorizers(deployment(), invoker, AuthorizerCache(clock=lambda: now[0]))
    first = run(authorizers, TOKEN, request())
    hit = run(authorizers, TOKEN, request())
    assert (first.cached, hit.cached, hit.latency_ms, len(invoker.payloads)) == (False, True, 0, 1)
    assert not any(line.startswith("Endpoint request") for line in hit.log_lines)
    run(authorizers, TOKEN, request(headers=(("Authorization", "other"),)))
    assert len(invoker.payloads) == 2
    now[0] = 299.0
    run(authorizers, TOKEN, request())
    assert len(invoker.payloads) == 2
    now[0] = 300.0
    run(authorizers, TOKEN, request())
    assert len(invoker.payloads) == 3


def test_ttl_zero_turns_the_cache_off() -> None:
    invoker = Invoker(policy())
    authorizers = LambdaAuthorizers(deployment(), invoker)
    for _ in range(3):
        run(authorizers, replace(TOKEN, ttl_seconds=0), request())
    assert len(invoker.payloads) == 3


def test_request_cache_key_is_every_identity_value() -> None:
    invoker = Invoker(policy())
    authorizers = LambdaAuthorizers(deployment(), invoker)
    run(authorizers, REQUEST, request(query="tenant=t1", headers=(("X-User", "ann"),)))
    run(authorizers, REQUEST, request(query="tenant=t1", headers=(("X-User", "ann"),)))
    run(authorizers, REQUEST, request(query="tenant=t2", headers=(("X-User", "ann"),)))
    assert len(invoker.payloads) == 2


def test_cached_policy_for_one_route_denies_another() -> None:
    """sec1.8-DOC-KC-cache: the classic pitfall; the cached policy is evaluated against the new methodArn."""
    own = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API}/prod/GET/items/42"
    invoker = Invoker(policy(own))
    authorizers = LambdaAuthorizers(deployment(), invoker)
    run(authorizers, TOKEN, request())
    error = refused(authorizers, TOKEN, request(path="/items/7"))
    assert (error.status, error.body) == (403, b'{"Message":"User is not authorized to access this resource"}')
    assert "cached policy" in error.hint and len(invoker.payloads) == 1


@pytest.mark.parametrize(("answer", "status", "body", "lines"), [
    (policy(effect="Deny"), 403, b'{"Message":"User is not authorized to access this resource with an explicit deny"}',
     ["Successfully completed authorizer execution"]),
    (policy(f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API}/prod/POST/*"), 403,
     b'{"Message":"User is not authorized to access this resource"}',
     ["Successfully completed authorizer execution", "The client is not authorized to perform this operation."]),
    (FailedInvocation(b'{"errorType":"Error","errorMessage":"Unauthorized","trace":[]}'), 401,
     b'{"message":"Unauthorized"}', ['Authorizer result body before parsing: {"errorType":"Error","errorMessage":'
                                     '"Unauthorized","trace":[]}']),
    (FailedInvocation(b'{"errorMessage": "Unauthorized: expired", "errorType": "Exception"}'), 500,
     b'{"message":null}', ["Execution failed due to configuration error: Invalid JSON in response: Unrecognized "
                           'field "errorMessage" , not marked as ignorable', "AuthorizerConfigurationException"]),
    (b"null", 500, b'{"message":null}', ["Authorizer result body before parsing: null", "Execution failed due to "
                                         "configuration error: Could not parse policy",
                                         "AuthorizerConfigurationException"]),
    (policy(context={"user": {"id": 1}}), 500, b'{"message":null}', ["AuthorizerConfigurationException"]),
    (FailedInvocation(None, ("Lambda invocation failed with status: 429",), "throttled"), 500, b'{"message":null}',
     ["Lambda invocation failed with status: 429", "Execution failed due to configuration error: Authorizer error",
      "AuthorizerConfigurationException"]),
    (json.dumps({"policyDocument": json.loads(policy())["policyDocument"]}).encode(), 500, b'{"message":null}',
     ["AuthorizerConfigurationException"]),
], ids=["sec1.10-REC-explicit-deny", "sec1.10-REC-CHALICE-implicit-deny", "sec1.10-REC-MIDDY-unauthorized",
        "sec1.10-REC-LOG-2023-other-error", "sec1.10-REC-EXPANSE-null", "sec1.6-DOC-context-object",
        "sec1.10-UNCERTAIN-lambda-refused", "sec1.6-UNCERTAIN-allow-without-principal"])
def test_answers(answer: bytes | FailedInvocation, status: int, body: bytes, lines: list[str]) -> None:
    error = refused(LambdaAuthorizers(deployment(), Invoker(answer)), TOKEN, request())
    assert (error.status, error.body) == (status, body)
    assert error.log_lines[-len(lines):] == lines
    expected_type = {401: "UnauthorizedException", 403: "AccessDeniedException",
                     500: "AuthorizerConfigurationException"}[status]
    assert error.error_type == expected_type and error.hint


def test_the_authorizer_function_needs_a_permission_for_its_source_arn() -> None:
    """sec1.1-DOC: without authorizerCredentials, the function's resource policy must allow
    <apiId>/authorizers/<authorizerId>; a permission for the integration's SourceArn does not."""
    other = Permission.allow(FN, "lambda:InvokeFunction", "apigateway.amazonaws.com",
                             f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API}/*/GET/items/*")
    invoker = Invoker(policy())
    error = refused(LambdaAuthorizers(deployment((other,)), invoker), TOKEN, request())
    assert error.status == 500 and error.log_lines[-3:] == [
        "Execution failed due to configuration error: Invalid permissions on Lambda function",
        "Execution failed due to configuration error: Authorizer error", "AuthorizerConfigurationException"]
    assert invoker.payloads == [] and "/authorizers/" in error.hint
    run(LambdaAuthorizers(deployment((other,)), invoker), replace(TOKEN, credentials="arn:aws:iam::1:role/r"),
        request())
    assert len(invoker.payloads) == 1


def test_an_authorizer_naming_no_function_of_the_template_answers_500() -> None:
    gone: Callable[..., Any] = Invoker(policy())
    error = refused(LambdaAuthorizers(deployment(), gone), replace(TOKEN, function_arn=FN + "-gone"), request())
    assert error.status == 500 and "no function" in error.hint
