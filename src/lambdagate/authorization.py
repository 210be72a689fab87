"""The method's authorization, the step API Gateway takes between routing and the usage plan (aws-auth.md §0.1):
an `AWS_IAM` signature (sigv4.py), a Cognito user pool's token (cognito.py) or a Lambda authorizer (TOKEN or
REQUEST, lambda_authorizer.py) invoked through the gateway's own `runtime.Invoker`, so that it runs in warm execution
environments like any function and its resource policy is checked for `<apiId>/authorizers/<authorizerId>`.

Each outcome becomes the Exchange's `authorization` (exchange.Authorization), a refusal included, and what the
integration sees is written into its event: `requestContext.authorizer` (a Lambda authorizer's context stringified
with `principalId` and `integrationLatency`, or Cognito's `claims`; §1.9, §2) and `requestContext.identity` (the
signed caller; §3). The caches and keys live as long as the running deployment: a reload makes new ones, as a
redeployment flushes AWS's authorizer cache [UNCERTAIN].
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from . import errors
from .auth import cognito, identity_sources, sigv4
from .auth.authorizer_cache import AuthorizerCache
from .auth.lambda_authorizer import AuthorizerCall, FailedInvocation, LambdaAuthorizers
from .auth.sigv4 import IamCredentials
from .auth.user_pool_keys import UserPoolKeys
from .context_variables import request_context
from .definition.model.auth import Authorizer
from .definition.model.deployment import Deployment
from .definition.model.function import Function
from .errors import LAMBDA_THROTTLED_LINE, GatewayError
from .exchange import Authorization, Decision, Exchange
from .routing import Match
from .runtime import Answered, FunctionFailed, Invoker, Throttled, Unavailable, call_integration

# How long API Gateway waits for an authorizer function is not documented [UNCERTAIN] (aws-auth.md §1.10); the
# integration's default limit is used, and a function that does not answer in time is a failed authorizer (500).
AUTHORIZER_TIMEOUT_S = 29.0
Clock = Callable[[], float]


class MethodAuthorization:
    """The authorizers of one running deployment: the Lambda authorizers' result cache, the user pools' keys and the
    secrets SigV4 signatures are checked with."""

    def __init__(self, deployment: Deployment, invoker: Invoker, pool_keys: UserPoolKeys | None = None,
                 iam: IamCredentials | None = None, clock: Clock = time.time) -> None:
        self.deployment = deployment
        self.invoker = invoker
        self.pool_keys = pool_keys if pool_keys is not None else UserPoolKeys(fetch=False)
        self.iam = iam if iam is not None else IamCredentials(chain=False)
        self.lambdas = LambdaAuthorizers(deployment, self._invoke, AuthorizerCache(clock))

    async def authorize(self, x: Exchange, match: Match, event: dict[str, Any]) -> None:
        """Sets `x.authorization` and fills the event; raises API Gateway's answer when the caller may not call."""
        kind = match.method.auth.authorization_type
        if kind == "NONE":
            return
        authorizer = match.api.authorizer(match.method.auth.authorizer_id) if kind != "AWS_IAM" else None
        if kind != "AWS_IAM" and authorizer is None:  # the loader refuses this; said rather than let through
            raise errors.limitation(f"{match.method.http_method} {match.resource.path}: {kind} authorization "
                                    f"names authorizer {match.method.auth.authorizer_id!r}, which the API lacks")
        try:
            if kind == "AWS_IAM":
                x.authorization = self._iam(x, event)
            elif kind == "COGNITO_USER_POOLS":
                assert authorizer is not None
                x.authorization = await self._cognito(x, match, authorizer, event)
            else:
                assert authorizer is not None
                x.authorization = await self._lambda(x, match, authorizer, event)
        except GatewayError as e:
            x.authorization = refusal(kind, authorizer, e)
            raise

    def _iam(self, x: Exchange, event: dict[str, Any]) -> Authorization:
        caller = sigv4.verify(x.request, self.deployment.region, self.deployment.account_id, self.iam)
        event["requestContext"]["identity"].update(caller.identity)
        return Authorization("AWS_IAM", Decision.ALLOWED, principal=caller.identity["userArn"],
                             identity=dict(caller.identity))

    async def _cognito(self, x: Exchange, match: Match, authorizer: Authorizer,
                       event: dict[str, Any]) -> Authorization:
        identity = identity_sources.identity(authorizer.identity_source, x.request, match.api.stage.variables, {})
        if identity is None:
            raise errors.unauthorized(hint=f"Cognito authorizer {authorizer.name}: the request lacks the "
                                           f"{_sources(authorizer)} header or it is empty")
        grant = await cognito.verify(authorizer, identity[0], match.method.auth.scopes, self.pool_keys)
        context = grant.request_context()
        _set_authorizer(event, context)
        return Authorization("COGNITO_USER_POOLS", Decision.ALLOWED, authorizer.name, authorizer.id,
                             principal=grant.claims.get("sub"), context=context)

    async def _lambda(self, x: Exchange, match: Match, authorizer: Authorizer,
                      event: dict[str, Any]) -> Authorization:
        path = x.request.raw_path if match.path is None else match.path   # the methodArn's path is after the stage
        call = AuthorizerCall(x.request, match.api, match.api.stage.name, x.ids.request_id, event,
                              request_context(x, self.deployment.account_id), path)
        granted = await self.lambdas.authorize(authorizer, call)
        context = granted.request_context()
        _set_authorizer(event, context)
        return Authorization("CUSTOM", Decision.ALLOWED, authorizer.name, authorizer.id, granted.principal_id,
                             granted.cached, granted.latency_ms, context, log_lines=granted.log_lines,
                             usage_identifier_key=granted.usage_identifier_key)

    async def _invoke(self, function: Function, payload: bytes) -> bytes | FailedInvocation:
        """The authorizer function's invocation on the gateway's invoker, its closed outcomes as the authorizer step
        reads them (lambda_authorizer.FailedInvocation)."""
        outcome = await call_integration(self.invoker, function, payload, None, AUTHORIZER_TIMEOUT_S)
        if isinstance(outcome, Answered):
            return outcome.payload
        if isinstance(outcome, FunctionFailed):
            return FailedInvocation(outcome.payload)
        if isinstance(outcome, Throttled):
            return FailedInvocation(None, (LAMBDA_THROTTLED_LINE.format(lambda_request_id=outcome.lambda_request_id),),
                                    f"{function.logical_id} has ReservedConcurrentExecutions: "
                                    f"{outcome.reserved_concurrency} and all of it is in use")
        if isinstance(outcome, Unavailable):
            return FailedInvocation(None, (), outcome.reason)
        return FailedInvocation(None, (), f"{function.logical_id} did not answer within {outcome.seconds:g} s")


def refusal(kind: str, authorizer: Authorizer | None, error: GatewayError) -> Authorization:
    """A refusal as the Exchange keeps it: the decision the answer's status means (aws-auth.md §0.2)."""
    decision = {401: Decision.UNAUTHORIZED, 403: Decision.DENIED}.get(error.status, Decision.FAILED)
    return Authorization(kind, decision, authorizer.name if authorizer else None,
                         authorizer.id if authorizer else None, log_lines=tuple(error.log_lines), hint=error.hint)


def _set_authorizer(event: dict[str, Any], context: dict[str, Any]) -> None:
    """`requestContext.authorizer`, placed after `resourceId` (aws-auth.md §9 [UNCERTAIN]: the key order)."""
    request = event["requestContext"]
    items = list(request.items())
    request.clear()
    for key, value in items:
        request[key] = value
        if key == "resourceId":
            request["authorizer"] = context
    request.setdefault("authorizer", context)


def _sources(authorizer: Authorizer) -> str:
    return ", ".join(s.removeprefix("method.request.header.") for s in authorizer.identity_source) or "identity"
