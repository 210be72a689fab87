"""Who may call, end to end over real HTTP (tests/apps/auth, one server for the module): a Node.js and a Python
Lambda authorizer on the real `node` and `python` (TOKEN and REQUEST; allow, deny, 401 without invoking, 500), the
authorizer cache (hit, TTL expiry, key by identity source), a token minted with `lambdagate tokens`, a request signed
by botocore, an API key's throttle and quota, a validator's 400s and the order of the checks (aws-auth.md)."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import copy_app
from harness import Reply, RunningGateway
from lambdagate.runner import describe_routes

KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
POOL = "us-east-1_LocalPool"
THROTTLE_KEY, QUOTA_KEY = "throttle-key-0123456789abcdef", "quota-key-0123456789abcdefgh"
OPEN_KEY = "open-key-0123456789abcdefgh"   # in a plan without throttle or quota
UNAUTHORIZED = b'{"message":"Unauthorized"}'
EXPLICIT_DENY = b'{"Message":"User is not authorized to access this resource with an explicit deny"}'
IMPLICIT_DENY = b'{"Message":"User is not authorized to access this resource"}'
AUTHORIZER_FAILED = b'{"message":null}'


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_app(tmp_path_factory, "auth")


@pytest.fixture(scope="module")
def served(app: Path) -> Iterator[RunningGateway]:
    running = RunningGateway(app / "template.yaml", dashboard=True, watch=False,
                             iam_credentials=(f"{KEY}:{SECRET}",))
    yield running
    running.close()


def echoed(reply: Reply) -> dict[str, Any]:
    assert reply.status == 200, (reply.status, reply.body)
    return dict(json.loads(reply.body))


def starts(served: RunningGateway, function: str) -> int:
    """How many invocations of `function` the terminal has shown (its START lines)."""
    return served.console.count(f"[{function}] START RequestId:")


def lines_of(served: RunningGateway, reply: Reply) -> list[str]:
    """The request's execution log as the recorder keeps it (all of it, with data tracing)."""
    request_id = reply.header("x-amzn-RequestId")
    record = served.runner.recorder.recent[str(request_id)]
    return served.runner.recorder.execution_log(record.exchange)


# -- Lambda authorizers ----------------------------------------------------------------------------------------
NODE = {
    # token: (status, body, x-amzn-ErrorType) of the Node.js TOKEN authorizer's answers (aws-auth.md §1.10)
    "sec1.10-REC-LOIGE-explicit-deny": ("deny", 403, EXPLICIT_DENY, "AccessDeniedException"),
    "sec1.10-REC-CHALICE-implicit-deny": ("elsewhere", 403, IMPLICIT_DENY, "AccessDeniedException"),
    "sec1.10-DOC-throw-Unauthorized": ("unauthorized", 401, UNAUTHORIZED, "UnauthorizedException"),
    "sec1.10-REC-LOG-2023-throw-other": ("boom", 500, AUTHORIZER_FAILED, "AuthorizerConfigurationException"),
    "sec1.10-REC-EXPANSE-null": ("null", 500, AUTHORIZER_FAILED, "AuthorizerConfigurationException"),
    "sec1.6-DOC-context-object": ("object", 500, AUTHORIZER_FAILED, "AuthorizerConfigurationException"),
}


@pytest.mark.parametrize("case", NODE)
def test_node_token_authorizer_refusals(served: RunningGateway, case: str) -> None:
    token, status, body, error_type = NODE[case]
    reply = served.request("GET", f"/node/{case}", {"Authorization": token})
    assert (reply.status, reply.body, reply.header("x-amzn-ErrorType")) == (status, body, error_type)
    assert reply.header("Content-Type") == "application/json"


def test_node_token_authorizer_allows_and_the_integration_sees_its_context(served: RunningGateway) -> None:
    """sec1.9-REC-DT: the context stringified (`null` kept), principalId, integrationLatency a number; the Node.js
    function saw the real methodArn (verb, path after the stage)."""
    reply = served.request("GET", "/prod/node/abc", {"Authorization": "allow"})
    authorizer = echoed(reply)["authorizer"]
    assert authorizer["token"] == "allow" and authorizer["flag"] == "true" and authorizer["none"] is None
    assert authorizer["principalId"] == "node-user-123456" and isinstance(authorizer["integrationLatency"], int)
    assert re.fullmatch(r"\d+", authorizer["invocation"]) and authorizer["apiId"] == served.deployment.apis[0].id
    log = lines_of(served, reply)
    assert log[1].startswith("Starting authorizer: ") and log[2] == "Incoming identity: *****"   # short: hidden whole
    body_line = next(line for line in log if line.startswith("Endpoint request body after transformations: {\"type\""))
    assert body_line.endswith('/prod/GET/node/abc","authorizationToken":"allow"}')


def test_no_token_is_401_without_invoking_the_authorizer(served: RunningGateway) -> None:
    """sec1.2-DOC-KC-401, REC-LOG-2026."""
    before = starts(served, "NodeAuthorizer")
    reply = served.request("GET", "/node/1")
    assert (reply.status, reply.body) == (401, UNAUTHORIZED)
    assert starts(served, "NodeAuthorizer") == before
    request_id = reply.header("x-amzn-RequestId")
    assert lines_of(served, reply)[1:] == [f"Starting authorizer: {_authorizer_id(served, 'NodeToken')} for "
                                           f"request: {request_id}", f"Unauthorized request: {request_id}",
                                           "Gateway response type: UNAUTHORIZED with status code: 401"]


def test_the_cache_hits_expires_and_keeps_a_narrow_policy(served: RunningGateway) -> None:
    """sec1.8-DOC: 300 s by default; a hit does not invoke and re-evaluates the policy, so a policy naming only the
    first methodArn denies the same token elsewhere until the TTL ends (KC-cache)."""
    clock = Clock()
    served.runner.gateway.clock = clock
    try:
        first = echoed(served.request("GET", "/node/1", {"Authorization": "allow"}))["authorizer"]["invocation"]
        before = starts(served, "NodeAuthorizer")
        again = echoed(served.request("GET", "/node-other", {"Authorization": "allow"}))["authorizer"]
        assert (again["invocation"], again["integrationLatency"], starts(served, "NodeAuthorizer")) == (
            first, 0, before)
        echoed(served.request("GET", "/node/1", {"Authorization": "allow-own"}))
        narrow = served.request("GET", "/node-other", {"Authorization": "allow-own"})
        assert (narrow.status, narrow.body) == (403, IMPLICIT_DENY)
        clock.now += 301
        after = echoed(served.request("GET", "/node/1", {"Authorization": "allow"}))["authorizer"]["invocation"]
        assert int(after) > int(first) and starts(served, "NodeAuthorizer") == before + 2
        assert echoed(served.request("GET", "/node-other", {"Authorization": "allow-own"}))
    finally:
        served.runner.gateway.clock = time.time


PYTHON = {
    "allow": (200, None), "deny": (403, EXPLICIT_DENY), "Unauthorized": (401, UNAUTHORIZED),
    "error": (500, AUTHORIZER_FAILED),
}


def test_python_token_authorizer_without_cache(served: RunningGateway) -> None:
    """ReauthorizeEvery: 0: invoked on every request; Python's `raise Exception('Unauthorized')` is 401, any other
    error 500 (sec1.10)."""
    for token, (status, body) in PYTHON.items():
        reply = served.request("GET", "/python", {"X-Token": token})
        assert reply.status == status and (body is None or reply.body == body), token
    counts = [echoed(served.request("GET", "/python", {"X-Token": "allow"}))["authorizer"]["invocation"]
              for _ in range(2)]
    assert int(counts[1]) == int(counts[0]) + 1


def test_python_request_authorizer_caches_by_every_identity_source(served: RunningGateway) -> None:
    """sec1.4, sec1.8: the REQUEST event (no body), the cache key is the values of X-User and tenant."""
    first = echoed(served.request("GET", "/request?tenant=t1", {"X-User": "alice"}))["authorizer"]
    assert (first["principalId"], first["tenant"], first["hasBody"], first["type"]) == ("alice", "t1", "false",
                                                                                         "REQUEST")
    hit = echoed(served.request("GET", "/request?tenant=t1", {"x-user": "alice"}))["authorizer"]
    other = echoed(served.request("GET", "/request?tenant=t2", {"X-User": "alice"}))["authorizer"]
    assert hit["invocation"] == first["invocation"] != other["invocation"]
    assert served.request("GET", "/request", {"X-User": "alice"}).body == UNAUTHORIZED
    assert served.request("GET", "/request?tenant=t1", {"X-User": "mallory"}).body == EXPLICIT_DENY


# -- Cognito, AWS_IAM ------------------------------------------------------------------------------------------
def mint(app: Path, *flags: str) -> str:
    """`lambdagate tokens`, the real command."""
    done = subprocess.run([sys.executable, "-m", "lambdagate", "tokens", POOL, "--template",
                           str(app / "template.yaml"), *flags], capture_output=True, text=True, timeout=60,
                          check=True)
    return done.stdout.strip()


def test_a_token_minted_with_lambdagate_tokens(served: RunningGateway, app: Path) -> None:
    """sec2: an ID token for /me, an access token with the scope for /orders; claims as strings; a tampered or
    expired token is 401."""
    token = mint(app, "--claim", "email=ana@example.com", "--group", "admin", "--group", "dev")
    claims = echoed(served.request("GET", "/me", {"Authorization": token}))["authorizer"]["claims"]
    assert (claims["email"], claims["cognito:groups"], claims["token_use"]) == ("ana@example.com", "admin,dev", "id")
    assert re.fullmatch(r"\w{3} \w{3} \d\d \d\d:\d\d:\d\d UTC \d{4}", claims["exp"])   # Java's Date.toString()
    scoped = echoed(served.request("GET", "/orders", {"Authorization": mint(app, "--scope", "orders/read")}))
    assert scoped["authorizer"]["claims"]["scope"] == "orders/read"
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[::-1]}"
    for value, body in ((tampered, UNAUTHORIZED), (mint(app, "--expires-in", "-60"),
                                                   b'{"message":"The incoming token has expired"}'),
                        (token, UNAUTHORIZED)):
        target = "/orders" if value == token else "/me"   # an ID token where an access token is wanted
        reply = served.request("GET", target, {"Authorization": value})
        assert (reply.status, reply.body, reply.header("x-amzn-ErrorType")) == (401, body, "UnauthorizedException")


def signed_request(served: RunningGateway, target: str, body: bytes, secret: str = SECRET) -> Reply:
    url = f"http://127.0.0.1:{served.port}{target}"
    aws = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(KEY, secret), "execute-api", "us-east-1").add_auth(aws)
    return served.request("POST", target, list(aws.headers.items()), body)


def test_a_request_signed_by_botocore(served: RunningGateway) -> None:
    """sec3-REC: a botocore signature (with the stage in the URL or not) passes and fills requestContext.identity;
    unsigned: 403 Missing Authentication Token; a wrong secret: 403 with AWS's canonical request."""
    for target in ("/iam", "/prod/iam?x=1"):
        identity = echoed(signed_request(served, target, b'{"n": 1}'))["identity"]
        assert (identity["accessKey"], identity["accountId"], identity["caller"]) == (KEY, "123456789012",
                                                                                      "123456789012")
    unsigned = served.request("POST", "/iam", {"Content-Type": "application/json"}, b"{}")
    assert (unsigned.status, unsigned.body, unsigned.header("x-amzn-ErrorType")) == (
        403, b'{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException")
    wrong = signed_request(served, "/iam", b"{}", secret="not-the-secret")
    message = json.loads(wrong.body)["message"]
    assert (wrong.status, wrong.header("x-amzn-ErrorType")) == (403, "InvalidSignatureException")
    assert message.startswith("The request signature we calculated does not match the signature you provided. "
                              "Check your AWS Secret Access Key and signing method. Consult the service "
                              "documentation for details.\n\nThe Canonical String for this request should have "
                              "been\n'POST\n/iam\n\ncontent-type:application/json\nhost:127.0.0.1:")
    assert "\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n" in message and message.endswith("'\n")
    tampered = served.request("POST", "/iam", [(k, v) for k, v in signed_request_headers(served)], b'{"n": 2}')
    assert tampered.status == 403 and b"does not match" in tampered.body


def signed_request_headers(served: RunningGateway) -> list[tuple[str, str]]:
    """The headers of a signature made for another body."""
    aws = AWSRequest(method="POST", url=f"http://127.0.0.1:{served.port}/iam", data=b'{"n": 1}')
    SigV4Auth(Credentials(KEY, SECRET), "execute-api", "us-east-1").add_auth(aws)
    return list(aws.headers.items())


# -- API keys, usage plans, validators, the order ----------------------------------------------------------------
def test_an_api_key_throttle_and_a_quota(served: RunningGateway) -> None:
    """sec4.2: the plan's token bucket (burst 2, 0.5/s): 429 Too Many Requests; its quota (2 a day): 429 Limit
    Exceeded; no key, a disabled key: 403 Forbidden."""
    clock = Clock()
    served.runner.gateway.clock = clock
    try:
        throttled = [served.request("GET", "/throttled", {"x-api-key": THROTTLE_KEY}) for _ in range(3)]
        assert [r.status for r in throttled] == [200, 200, 429]
        assert (throttled[2].body, throttled[2].header("x-amzn-ErrorType")) == (
            b'{"message":"Too Many Requests"}', "TooManyRequestsException")
        identity = echoed(throttled[0])["identity"]
        assert (identity["apiKey"], identity["apiKeyId"]) == (THROTTLE_KEY, _key_id(served, "ThrottleKey"))
        clock.now += 2
        assert served.request("GET", "/throttled", {"X-API-Key": THROTTLE_KEY}).status == 200
        quota = [served.request("GET", "/quota", {"x-api-key": QUOTA_KEY}) for _ in range(3)]
        assert [r.status for r in quota] == [200, 200, 429]
        assert (quota[2].body, quota[2].header("x-amzn-ErrorType")) == (b'{"message":"Limit Exceeded"}',
                                                                        "LimitExceededException")
        for headers in ({}, {"x-api-key": "disabled-key-0123456789abcdef"}, {"x-api-key": QUOTA_KEY + "x"}):
            reply = served.request("GET", "/throttled", headers)
            assert (reply.status, reply.body, reply.header("x-amzn-ErrorType")) == (
                403, b'{"message":"Forbidden"}', "ForbiddenException")
    finally:
        served.runner.gateway.clock = time.time


VALIDATOR = {
    "sec5-REC-missing-parameter": ("/users", b'{"email": "a@b.c"}', 400,
                                   b'{"message":"Missing required request parameters: [team]"}'),
    "sec5-REC-bad-body": ("/users?team=x", b'{"name": "a"}', 400, b'{"message":"Invalid request body"}'),
    "sec5-REC-no-body": ("/users?team=x", None, 400, b'{"message":"Invalid request body"}'),
    "sec5-valid": ("/users?team=x", b'{"email": "a@b.c"}', 200, None),
}


@pytest.mark.parametrize("case", VALIDATOR)
def test_request_validator(served: RunningGateway, case: str) -> None:
    target, body, status, answer = VALIDATOR[case]
    reply = served.request("POST", target, {"x-api-key": OPEN_KEY, "Content-Type": "application/json"}, body)
    assert reply.status == status and (answer is None or reply.body == answer)
    if answer is not None:
        assert reply.header("x-amzn-ErrorType") == "BadRequestException"


def test_the_order_of_the_checks(served: RunningGateway) -> None:
    """sec0.1: without an API key and with a bad body, the API key's answer; routing first, whatever the rest."""
    reply = served.request("POST", "/users", {"Content-Type": "application/json"}, b"not json")
    assert (reply.status, reply.body) == (403, b'{"message":"Forbidden"}')
    nowhere = served.request("GET", "/nowhere", {"Authorization": "Bearer abc"})
    assert (nowhere.status, nowhere.header("x-amzn-ErrorType")) == (403, "IncompleteSignatureException")


# -- what the developer sees -------------------------------------------------------------------------------------
def test_console_test_invoke_skips_the_authorizer(served: RunningGateway) -> None:
    """aws-auth.md §9: the console's Test button calls the method without its authorizer or API key."""
    before = starts(served, "NodeAuthorizer")
    result = served.gateway.request("GET", "/node/1")
    assert result.status == 200 and starts(served, "NodeAuthorizer") == before
    assert json.loads(result.body)["identity"]["apiKey"] == "test-invoke-api-key"
    assert served.gateway.request("GET", "/throttled").status == 200


def test_start_up_names_the_keys_and_the_pool(served: RunningGateway) -> None:
    assert f"lambdagate: API key ThrottleKey: {THROTTLE_KEY} -> usage plan ThrottlePlan (" in served.console
    assert "lambdagate: API key DisabledKey (disabled): " in served.console
    assert f"lambdagate: Cognito authorizer Pool: user pool {POOL} (" in served.console
    assert "not emulated" not in served.console
    routes = describe_routes(served.deployment)
    assert "POST    /prod/users or /users  ->  Echo   (Api) [API key, validated]" in routes
    assert "GET     /prod/me or /me  ->  Echo   (Api) [authorizer Pool]" in routes
    assert "POST    /prod/iam or /iam  ->  Echo   (Api) [AWS_IAM]" in routes


def test_the_dashboard_shows_the_authorizer_decision(served: RunningGateway) -> None:
    denied = served.request("GET", "/python", {"X-Token": "deny"})
    detail = dashboard_get(served, f"/api/requests/{denied.header('x-amzn-RequestId')}")
    assert (detail["authorization"]["decision"], detail["authorization"]["authorizer"]) == ("denied", "PythonToken")
    assert detail["authorization"]["hint"].startswith("a Deny statement of PythonToken's policy (Resource arn:")
    allowed = served.request("GET", "/python", {"X-Token": "allow"})
    detail = dashboard_get(served, f"/api/requests/{allowed.header('x-amzn-RequestId')}")
    assert (detail["authorization"]["decision"], detail["authorization"]["principal"]) == ("allowed", "py-user")
    keyed = served.request("GET", "/quota", {"x-api-key": "nope"})
    detail = dashboard_get(served, f"/api/requests/{keyed.header('x-amzn-RequestId')}")
    assert detail["usagePlan"]["refused"] is True and detail["authorization"] is None


def test_the_execution_logs_are_kept(served: RunningGateway, app: Path) -> None:
    """`lambdagate logs`: the authorizer's lines in the API's execution-log group."""
    reply = served.request("GET", "/node/logs", {"Authorization": "allow"})
    served.flush()
    done = subprocess.run([sys.executable, "-m", "lambdagate", "logs", "API-Gateway-Execution-Logs", "--template",
                           str(app / "template.yaml"), "--filter", str(reply.header("x-amzn-RequestId"))],
                          capture_output=True, text=True, timeout=60, check=True)
    assert "Starting authorizer: " in done.stdout and "Successfully completed authorizer execution" in done.stdout


class Clock:
    """A clock the test moves (the gateway's `clock`: authorizer cache and usage plans)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _authorizer_id(served: RunningGateway, name: str) -> str:
    return next(a.id for a in served.deployment.apis[0].authorizers if a.name == name)


def _key_id(served: RunningGateway, name: str) -> str:
    return next(k.id for k in served.deployment.api_keys if k.name == name)


def dashboard_get(served: RunningGateway, path: str) -> dict[str, Any]:
    assert served.runner.dashboard is not None
    conn = http.client.HTTPConnection("127.0.0.1", served.runner.dashboard.port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        assert response.status == 200
        return dict(json.loads(response.read()))
    finally:
        conn.close()
