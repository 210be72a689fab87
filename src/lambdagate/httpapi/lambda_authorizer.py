"""Lambda authorizers of HTTP APIs (docs/aws-http-api.md §9; AGDG http-api-lambda-authorizer.md): the event sent
to the authorizer function and the decision taken from its answer, as pure functions.

- Payload 2.0 event: `version`, `type: "REQUEST"`, `routeArn`, `identitySource` (a list of the values), `routeKey`,
  `rawPath`, `rawQueryString`, `cookies`, `headers`, `queryStringParameters`, `requestContext`, `pathParameters`,
  `stageVariables` ([DOC]); payload 1.0: REST's request-authorizer shape with `methodArn`, `identitySource` as a
  comma-separated string and `authorizationToken` ([DOC]).
- With `EnableSimpleResponses` (2.0 only) the answer is `{"isAuthorized": true|false, "context": {...}}`; otherwise
  an IAM policy (`principalId`, `policyDocument`, `context`): allowed when an `Allow` statement for
  `execute-api:Invoke` covers the route ARN and no `Deny` does, evaluated as for REST (auth/authorizer_policy.py: IAM's
  wildcards, NotAction/NotResource).
- Denied: 403 (body [UNCERTAIN]); the authorizer fails or answers something else: 500, with
  `$context.authorizer.error` ([DOC]). The context reaches the integration as `requestContext.authorizer.lambda`
  (2.0) or `requestContext.authorizer` (1.0, with `principalId` [INFERRED from REST]).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from .. import arns
from ..auth.authorizer_policy import PolicyError, evaluate, policy_statements
from ..definition.model.httpapi import DEFAULT_STAGE, LambdaAuthorizer
from . import errors
from .errors import HttpApiError
from .event import EventV2

# `$context.authorizer.error` for an answer API Gateway cannot use ([REC] mantil-io/mantil#52, an HTTP API access-log
# line: status 500, responseLength 35, "... expects. Invalid json in authorizer response"); other reasons' texts are
# lambdagate's ([UNCERTAIN]).
INVALID_RESPONSE = "The response from the Lambda Authorizer function doesn't match the format that API Gateway expects."
INVALID_JSON = "Invalid json in authorizer response"


@dataclass(frozen=True)
class LambdaAllowed:
    context: dict[str, Any]
    principal_id: str | None = None

    def context_v2(self) -> dict[str, Any]:
        return {"lambda": self.context}

    def context_v1(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.context)
        if self.principal_id is not None:
            out["principalId"] = self.principal_id
        return out


def route_arn(region: str, account: str, api_id: str, stage: str, method: str, path: str) -> str:
    """`arn:aws:execute-api:<region>:<acct>:<api-id>/<stage>/<METHOD>/<path>` ([DOC] example
    `arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request`): the path after the stage's segment,
    which `rawPath` keeps for a named stage (§2.1), as REST's methodArn holds the path after the stage."""
    if stage != DEFAULT_STAGE and (path == f"/{stage}" or path.startswith(f"/{stage}/")):
        path = path[len(stage) + 1:] or "/"
    return arns.execute_api_arn(region, account, api_id, stage, method, path)


def authorizer_event_v2(event: EventV2, arn: str, identity: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"version": "2.0", "type": "REQUEST", "routeArn": arn, "identitySource": identity}
    for key in ("routeKey", "rawPath", "rawQueryString", "cookies", "headers", "queryStringParameters",
                "requestContext", "pathParameters", "stageVariables"):
        if key in event:
            out[key] = event[key]
    return out


def authorizer_event_v1(event: dict[str, Any], arn: str, identity: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"version": "1.0", "type": "REQUEST", "methodArn": arn, "identitySource": ",".join(identity),
                           "authorizationToken": identity[0] if identity else None}
    out.update({k: v for k, v in event.items() if k not in ("version", "body", "isBase64Encoded")})
    return out


def decide_lambda(authorizer: LambdaAuthorizer, payload: bytes, arn: str) -> LambdaAllowed | HttpApiError:
    """The authorizer function's answer -> allowed (with its context), 403 or 500."""
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return _invalid(INVALID_JSON)
    if not isinstance(data, dict):
        return _invalid("the authorizer's answer is not a JSON object")
    context = data.get("context") or {}
    if not isinstance(context, dict):
        return _invalid("context must be an object")
    if authorizer.enable_simple_responses and authorizer.payload_format_version == "2.0":
        allowed = data.get("isAuthorized")
        if not isinstance(allowed, bool):
            return _invalid(f"isAuthorized must be true or false, got {orjson.dumps(allowed).decode()}")
        return LambdaAllowed(context) if allowed else errors.forbidden("the authorizer answered isAuthorized: false")
    try:
        statements = policy_statements(data.get("policyDocument"))
    except PolicyError as e:
        return _invalid(e.hint)
    verdict, _statement = evaluate(statements, arn)
    principal = data.get("principalId")
    if verdict != "allow":
        return errors.forbidden(f"the authorizer's policy does not allow execute-api:Invoke on {arn}")
    return LambdaAllowed(context, None if principal is None else str(principal))


def _invalid(reason: str) -> HttpApiError:
    return errors.internal_server_error(reason, authorizer_error=f"{INVALID_RESPONSE} {reason}")
