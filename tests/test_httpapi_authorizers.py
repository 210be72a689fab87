"""Authorizer decisions of HTTP APIs as pure functions (docs/aws-http-api.md §9), and route throttling (§10.3)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from lambdagate.definition.model.httpapi import HttpStage, JwtAuthorizer, LambdaAuthorizer, RouteSettings
from lambdagate.httpapi.errors import HttpApiError
from lambdagate.httpapi.jwt_authorizer import JwksKeys, JwtAllowed, authorize_jwt
from lambdagate.httpapi.lambda_authorizer import LambdaAllowed, decide_lambda
from lambdagate.httpapi.throttling import Throttle

NOW = 1_700_000_000
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWKS = {"keys": [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key())), "kid": "k1"}]}
AUTHORIZER = JwtAuthorizer("Jwt", ISSUER, ("client-a", "client-b"))
KEYS = JwksKeys({ISSUER: JWKS})


def decide_jwt(identity: list[str] | None, scopes: tuple[str, ...]) -> JwtAllowed | HttpApiError:
    return asyncio.run(authorize_jwt(AUTHORIZER, identity, scopes, KEYS, NOW))


def mint(claims: dict[str, Any] | None = None, drop: tuple[str, ...] = (), kid: str = "k1", key: Any = KEY,
         algorithm: str = "RS256") -> str:
    body = {"iss": ISSUER, "aud": "client-a", "sub": "u1", "exp": NOW + 60, "iat": NOW - 60, **(claims or {})}
    return jwt.encode({k: v for k, v in body.items() if k not in drop}, key, algorithm=algorithm,
                      headers={"kid": kid})


BAD_AUDIENCE = 'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"'

JWT_CASES = [
    pytest.param([f"Bearer {mint()}"], (), 200, None, id="sec9-DOC-valid-bearer"),
    pytest.param([mint()], (), 200, None, id="sec9-DOC-bearer-prefix-optional"),
    pytest.param(None, (), 401, "Bearer", id="sec9-REC-no-token"),
    pytest.param([mint({"aud": "someone-else"})], (), 401, BAD_AUDIENCE, id="sec9-DOC-bad-audience"),
    pytest.param([mint({"client_id": "client-b"}, drop=("aud",))], (), 200, None, id="sec9-DOC-client-id-without-aud"),
    pytest.param([mint({"aud": "x", "client_id": "client-a"})], (), 401, BAD_AUDIENCE,
                 id="sec9-DOC-aud-evaluated-when-both"),
    pytest.param([mint({"aud": ["x", "client-b"]})], (), 200, None, id="sec9-DOC-aud-list"),
    pytest.param([mint({"iss": "https://elsewhere"})], (), 401, "invalid_token", id="sec9-DOC-bad-issuer"),
    pytest.param([mint({"exp": NOW - 1})], (), 401, "invalid_token", id="sec9-DOC-expired"),
    pytest.param([mint({"nbf": NOW + 60})], (), 401, "invalid_token", id="sec9-DOC-not-yet-valid"),
    pytest.param([mint({"iat": NOW + 60})], (), 401, "invalid_token", id="sec9-DOC-issued-in-the-future"),
    pytest.param([mint(kid="k2")], (), 401, "invalid_token", id="sec9-DOC-kid-not-in-jwks"),
    pytest.param([mint(key=OTHER)], (), 401, "invalid_token", id="sec9-DOC-bad-signature"),
    pytest.param([mint(key=ec.generate_private_key(ec.SECP256R1()), algorithm="ES256")], (), 401, "invalid_token",
                 id="sec9-DOC-rsa-only"),
    pytest.param(["not-a-jwt"], (), 401, "invalid_token", id="sec9-DOC-garbage"),
    pytest.param([mint({"scope": "a b"})], ("b",), 200, None, id="sec9-DOC-one-scope-enough"),
    pytest.param([mint({"scp": ["c"]})], ("c",), 200, None, id="sec9-DOC-scp-list"),
    pytest.param([mint({"scope": "a"})], ("b",), 403, "insufficient_scope", id="sec9-UNCERTAIN-missing-scope"),
]


@pytest.mark.parametrize(("identity", "scopes", "status", "www_authenticate"), JWT_CASES)
def test_jwt_decision(identity: list[str] | None, scopes: tuple[str, ...], status: int,
                      www_authenticate: str | None) -> None:
    decided = decide_jwt(identity, scopes)
    if status == 200:
        assert isinstance(decided, JwtAllowed)
        return
    assert isinstance(decided, HttpApiError) and decided.status == status
    assert www_authenticate is not None and decided.www_authenticate is not None
    assert www_authenticate in decided.www_authenticate


def test_sec9_REC_ish_claims_reach_the_integration_as_strings() -> None:
    decided = decide_jwt([mint({"cognito:groups": ["admin", "users"], "scope": "a b"})], ())
    assert isinstance(decided, JwtAllowed)
    claims = decided.context()["jwt"]["claims"]
    assert (claims["cognito:groups"], claims["exp"], claims["sub"]) == ("[admin users]", str(NOW + 60), "u1")
    assert decided.context()["jwt"]["scopes"] == ["a", "b"]


SIMPLE = LambdaAuthorizer("Simple", "arn:aws:lambda:us-east-1:123456789012:function:Auth", "2.0", True,
                          ("$request.header.x-pass",))
IAM = LambdaAuthorizer("Iam", "arn:aws:lambda:us-east-1:123456789012:function:Auth", "2.0", False,
                       ("$request.header.x-pass",))
ARN = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/dev/GET/items/1"


def policy(effect: str, resource: str, context: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"principalId": "alice", "context": context or {},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}}


LAMBDA_CASES = [
    pytest.param(SIMPLE, {"isAuthorized": True, "context": {"k": "v"}}, 200, id="sec9-DOC-simple-allowed"),
    pytest.param(SIMPLE, {"isAuthorized": False}, 403, id="sec9-DOC-simple-denied"),
    pytest.param(SIMPLE, {"isAuthorized": "yes"}, 500, id="sec9-DOC-simple-not-boolean"),
    pytest.param(SIMPLE, ["not", "an", "object"], 500, id="sec9-DOC-simple-not-object"),
    pytest.param(IAM, policy("Allow", ARN), 200, id="sec9-DOC-iam-allow"),
    pytest.param(IAM, policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:abcdef123/*/*"), 200,
                 id="sec9-DOC-iam-wildcard"),
    pytest.param(IAM, policy("Deny", ARN), 403, id="sec9-DOC-iam-deny"),
    pytest.param(IAM, policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:abcdef123/dev/POST/*"), 403,
                 id="sec9-DOC-iam-other-route"),
    pytest.param(IAM, {"isAuthorized": True}, 500, id="sec9-DOC-iam-expected-not-simple"),
]


@pytest.mark.parametrize(("authorizer", "answer", "status"), LAMBDA_CASES)
def test_lambda_authorizer_decision(authorizer: LambdaAuthorizer, answer: Any, status: int) -> None:
    decided = decide_lambda(authorizer, json.dumps(answer).encode(), ARN)
    if status == 200:
        assert isinstance(decided, LambdaAllowed)
    else:
        assert isinstance(decided, HttpApiError) and decided.status == status


def test_sec9_DOC_iam_answer_context_and_principal() -> None:
    decided = decide_lambda(IAM, json.dumps(policy("Allow", ARN, {"tier": "gold"})).encode(), ARN)
    assert isinstance(decided, LambdaAllowed)
    assert decided.context_v2() == {"lambda": {"tier": "gold"}}
    assert decided.context_v1() == {"tier": "gold", "principalId": "alice"}


def test_sec10_3_DOC_token_bucket_per_route() -> None:
    now = [0.0]
    throttle = Throttle(clock=lambda: now[0])
    stage = HttpStage("dev", default_route_settings=RouteSettings(2, 1.0),
                      route_settings=(("GET /zero", RouteSettings(0, 0.0)),))
    assert [throttle.admit("api", stage, "GET /x") for _ in range(3)] == [True, True, False]
    now[0] = 1.0
    assert throttle.admit("api", stage, "GET /x") and not throttle.admit("api", stage, "GET /x")
    assert throttle.admit("api", stage, "GET /y")                  # each route has its own bucket
    assert not throttle.admit("api", stage, "GET /zero")           # limits of 0: every request 429
    assert throttle.admit("api", HttpStage("open"), "GET /x")      # no settings: not throttled
