"""The seam between an HTTP API and Lambda: the same `runtime.Invoker` as the REST pipeline's, with its closed
results and its integration timeout (`runtime.call_integration`), and the SourceArn API Gateway presents."""

from __future__ import annotations

from .. import arns
from ..definition.model.function import Function
from ..definition.model.httpapi import DEFAULT_ROUTE
from ..runtime import Answered, FunctionFailed, Invoked, Invoker, Throttled, TimedOut, Unavailable, call_integration

__all__ = ["Answered", "FunctionFailed", "Invoked", "Invoker", "Throttled", "TimedOut", "Unavailable", "call",
           "source_arns"]


async def call(invoker: Invoker, function: Function, event: bytes, timeout_ms: int,
               trace_id: str | None = None) -> Invoked | TimedOut:
    """Invoke and wait at most the integration timeout (§10.1); waiting for a free environment counts too."""
    return await call_integration(invoker, function, event, trace_id, timeout_ms / 1000)


def source_arns(region: str, account: str, api_id: str, stage: str, route_key: str, method: str) -> tuple[str, ...]:
    """The SourceArn(s) of the call, `arn:aws:execute-api:<region>:<acct>:<api-id>/<stage>/<METHOD>/<route path>`
    (§1.7 [DOC]); the `$default` route presents `<api-id>/<stage>/$default` ([DOC] AGDG http-api-troubleshooting-
    lambda's permission example). The route's *path template* is presented, not the request's path: CDK's
    HttpLambdaIntegration grants `<api-id>/*/*/notes/{id}` with the braces literal and works on AWS ([IMPL] CDK
    lambda.ts, AWS's own code). For an `ANY` route whether the verb is `ANY` or the request's is [UNCERTAIN]: both
    forms are tried, as for REST (permission.py)."""
    if route_key == DEFAULT_ROUTE:
        return (f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{DEFAULT_ROUTE}",)
    verb, path = route_key.split(" ", 1)
    real = arns.execute_api_arn(region, account, api_id, stage, method, path)
    configured = arns.execute_api_arn(region, account, api_id, stage, verb, path)
    return (real, configured) if configured != real else (real,)
