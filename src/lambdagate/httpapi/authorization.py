"""A route's authorization (docs/aws-http-api.md §9): what the integration learns of the caller, or the error that
answers instead. One call per request, after routing and throttling, before the integration:

| `AuthorizationType` | check | answers |
|---|---|---|
| `NONE` | nothing | |
| `JWT` | the identity source's token verified with the issuer's keys (jwt_authorizer) | 401, 403 (scopes) |
| `CUSTOM` | the Lambda authorizer (lambda_authorizer): identity sources present (else 401, not invoked), | 401, |
|          | its own resource policy, its answer (simple or IAM), cached by identity for the TTL          | 403, 500 |
| `AWS_IAM` | the SigV4 signature recomputed with botocore (auth/sigv4.py, as for REST) | 403 |

The Lambda authorizer's call presents the SourceArn `arn:aws:execute-api:<region>:<account>:<apiId>/authorizers/
<authorizerId>` ([DOC] AGDG http-api-lambda-authorizer: "...:api-id/authorizers/authorizer-id"); SAM grants
`<apiId>/authorizers/*`. Without such a permission (and no `AuthorizerCredentialsArn`) the authorizer cannot be
invoked: 500 ([DOC] "If API Gateway can't invoke your authorizer ... returns a 500").

`AWS_IAM`: an unsigned request is 403 with `$context.authorizer.error` "The request for the IAM Authorizer doesn't
match the format that API Gateway expects." ([REC-ish] §9); a bad signature is 403 too, its error text AWS's REST text
([UNCERTAIN] for HTTP APIs). lambdagate checks the signature, not the caller's IAM policies (as for REST, sigv4.py).
The caller reaches a 2.0 event as `requestContext.authorizer.iam` ([DOC] AGDG http-api-access-control-iam) and a 1.0
event as `requestContext.identity` (REST's place, [INFERRED]).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from .. import errors as rest_errors
from .. import permission
from ..auth import sigv4
from ..context_variables import error_message
from ..definition.model.deployment import Deployment
from ..definition.model.httpapi import HttpApi, JwtAuthorizer, LambdaAuthorizer
from ..definition.resource_ids import authorizer_id
from ..runtime import Answered, FunctionFailed, Invoked, Invoker, Throttled, TimedOut, Unavailable, json_object
from . import errors
from .errors import HttpApiError
from .event import build_event_v2
from .event_v1 import build_event_v1
from .identity import identity_values
from .invocation import call
from .jwt_authorizer import IssuerKeys, JwksKeys, authorize_jwt
from .lambda_authorizer import authorizer_event_v1, authorizer_event_v2, decide_lambda, route_arn
from .record import HttpApiExchange
from .routing import RouteMatch

AUTHORIZER_TIMEOUT_MS = 10000         # Lambda authorizer timeout (§9 [DOC] limits)
IAM_FORMAT_ERROR = "The request for the IAM Authorizer doesn't match the format that API Gateway expects."
# `$context.authorizer.error` when the authorizer function cannot be invoked or fails: AWS's text is not recorded
# ([UNCERTAIN]); lambdagate's own words, so that the access log and `explain` still tell the cause.
CANNOT_INVOKE = "The authorizer function could not be invoked"
FAILED = "The authorizer function failed"


@dataclass(frozen=True)
class Authorized:
    """What the integration learns of the caller."""

    context_v2: dict[str, Any] | None = None    # requestContext.authorizer of a 2.0 event
    context_v1: dict[str, Any] | None = None    # requestContext.authorizer of a 1.0 event
    identity_v1: dict[str, Any] = field(default_factory=dict)   # requestContext.identity fields of a 1.0 event
    variables: dict[str, Any] = field(default_factory=dict)     # $context.authorizer.*


NOBODY = Authorized()


def authorizer_source_arn(region: str, account: str, api: HttpApi, authorizer: LambdaAuthorizer) -> str:
    """`<apiId>/authorizers/<authorizerId>`; the id is the one `Ref` of an AWS::ApiGatewayV2::Authorizer gives."""
    return f"arn:aws:execute-api:{region}:{account}:{api.id}/authorizers/{authorizer_id(api.id, authorizer.name)}"


class Authorization:
    """The authorizers of a deployment's HTTP APIs, with the Lambda authorizers' result cache."""

    def __init__(self, deployment: Deployment, invoker: Invoker, keys: IssuerKeys | None = None,
                 iam: sigv4.IamCredentials | None = None, clock: Callable[[], float] = time.time) -> None:
        self.deployment = deployment
        self.invoker = invoker
        self.keys: IssuerKeys = keys if keys is not None else JwksKeys()
        self.iam = iam if iam is not None else sigv4.IamCredentials(chain=False)
        self.clock = clock
        self._cache: dict[tuple[str, tuple[str, ...]], tuple[float, Authorized | HttpApiError]] = {}

    async def authorize(self, x: HttpApiExchange, match: RouteMatch) -> Authorized:
        route, api = match.route, match.api
        if route.authorization_type == "NONE":
            return NOBODY
        if route.authorization_type == "AWS_IAM":
            return self._iam(x)
        authorizer = api.authorizer(route.authorizer)
        if authorizer is None:
            raise errors.internal_server_error(f"{route.route_key} names authorizer {route.authorizer!r}, which the "
                                               f"API {api.logical_id} does not define")
        context = {"requestId": x.ids.request_id, "routeKey": route.route_key, "stage": match.stage.name,
                   "httpMethod": x.request.method, "identity.sourceIp": x.request.source_ip, "apiId": api.id}
        identity = identity_values(authorizer.identity_source, x.request, context, match.stage.variables)
        if isinstance(authorizer, JwtAuthorizer):
            decided = await authorize_jwt(authorizer, identity, route.authorization_scopes, self.keys, self.clock())
            if isinstance(decided, HttpApiError):
                raise decided
            x.authorizer = {f"claims.{k}": v for k, v in decided.claims.items()}
            return Authorized(decided.context(), {"claims": decided.claims, "scopes": decided.scopes},
                              variables=x.authorizer)
        if identity is None and authorizer.identity_source:
            raise errors.unauthorized(f"the identity source {', '.join(authorizer.identity_source)} is missing: the "
                                      "authorizer is not invoked")
        return await self._lambda(x, match, authorizer, identity or [])

    def _iam(self, x: HttpApiExchange) -> Authorized:
        request = x.request
        try:
            caller = sigv4.verify(request, self.deployment.region, self.deployment.account_id, self.iam,
                                  self.clock())
        except rest_errors.GatewayError as e:
            if e.response_type == rest_errors.LIMITATION:
                raise errors.not_emulated(e.hint) from None
            unsigned = not request.header("Authorization")
            said = IAM_FORMAT_ERROR if unsigned else (error_message(e.body) or "")
            raise errors.forbidden(said, hint=e.hint or said) from None
        identity = caller.identity
        iam = {"accessKey": identity["accessKey"], "accountId": identity["accountId"], "callerId": identity["caller"],
               "cognitoIdentity": None, "principalOrgId": None, "userArn": identity["userArn"],
               "userId": identity["user"]}
        return Authorized({"iam": iam}, None, dict(identity), {})

    async def _lambda(self, x: HttpApiExchange, match: RouteMatch, authorizer: LambdaAuthorizer,
                      identity: list[str]) -> Authorized:
        key = (f"{match.api.id}/{authorizer.name}", tuple(identity))
        cached = self._cache.get(key)
        if authorizer.result_ttl_seconds > 0 and identity and cached is not None and cached[0] > self.clock():
            decided: Authorized | HttpApiError = cached[1]
        else:
            decided = await self._call(x, match, authorizer, identity)
            if authorizer.result_ttl_seconds > 0 and identity:
                if len(self._cache) > 4096:
                    self._cache.clear()
                self._cache[key] = (self.clock() + authorizer.result_ttl_seconds, decided)
        if isinstance(decided, HttpApiError):
            raise decided
        x.authorizer = decided.variables
        return decided

    async def _call(self, x: HttpApiExchange, match: RouteMatch, authorizer: LambdaAuthorizer,
                    identity: list[str]) -> Authorized | HttpApiError:
        region, account = self.deployment.region, self.deployment.account_id
        function = self.deployment.function_by_arn(authorizer.function_arn or "")
        if function is None:
            return errors.internal_server_error(f"the authorizer {authorizer.name} names {authorizer.function_arn}, "
                                                "which the definition does not define", authorizer_error=CANNOT_INVOKE)
        if authorizer.credentials is None:
            source = authorizer_source_arn(region, account, match.api, authorizer)
            decision = permission.decide(self.deployment, function, (source,))
            if not decision.allowed:
                return errors.internal_server_error(
                    f"the authorizer {authorizer.name} may not invoke {function.logical_id}: {decision.reason} (the "
                    f"SourceArn of an authorizer's call is {source})", authorizer_error=CANNOT_INVOKE)
        arn = route_arn(region, account, match.api.id, match.stage.name, x.request.method, match.path)
        if authorizer.payload_format_version == "2.0":
            event: dict[str, Any] = authorizer_event_v2(build_event_v2(x.request, match, x.ids, account), arn,
                                                        identity)
        else:
            event = authorizer_event_v1(build_event_v1(x.request, match, x.ids, account), arn, identity)
        invoked = await call(self.invoker, function, orjson.dumps(event), AUTHORIZER_TIMEOUT_MS, x.ids.trace_id)
        if not isinstance(invoked, Answered):
            return errors.internal_server_error(f"the authorizer {authorizer.name} failed: {_failure(invoked)}",
                                                authorizer_error=FAILED)
        decided = decide_lambda(authorizer, invoked.payload, arn)
        if isinstance(decided, HttpApiError):
            return decided
        variables = dict(decided.context)
        if decided.principal_id is not None:
            variables["principalId"] = decided.principal_id
        return Authorized(decided.context_v2(), decided.context_v1(), variables=variables)


def _failure(invoked: Invoked | TimedOut) -> str:
    if isinstance(invoked, FunctionFailed):
        error = json_object(invoked.payload)
        return f"{error.get('errorType', 'an error')}: {error.get('errorMessage', '')}".rstrip(": ")
    if isinstance(invoked, TimedOut):
        return f"no answer within {AUTHORIZER_TIMEOUT_MS} ms"
    if isinstance(invoked, Throttled):
        return "Lambda throttled it (ReservedConcurrentExecutions)"
    return invoked.reason if isinstance(invoked, Unavailable) else str(invoked)
