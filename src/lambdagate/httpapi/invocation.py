"""The seam between an HTTP API and Lambda: an injected invoker with closed results, the call with the integration
timeout, and the SourceArn API Gateway presents to the function's resource policy.

The invoker is `async (function, event bytes) -> Invoked` so that a unit test passes a fake and the server passes
the Lambda service (the REST pipeline's `Invoker` seam, once it lands, can be wrapped in a few lines).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from .. import arns
from ..definition.model import DEFAULT_ROUTE, Function


@dataclass(frozen=True)
class Answered:
    """Invoke returned 200 without `X-Amz-Function-Error`: `payload` is the function's result."""

    payload: bytes
    lambda_request_id: str


@dataclass(frozen=True)
class FunctionFailed:
    """`X-Amz-Function-Error: Unhandled`: an exception, a Lambda-side timeout, an init error, an exit."""

    payload: bytes               # Lambda's error JSON: {"errorMessage", "errorType", ...}
    lambda_request_id: str

    @property
    def error_message(self) -> str:
        try:
            data = orjson.loads(self.payload)
        except orjson.JSONDecodeError:
            return self.payload.decode("utf-8", "replace")
        return str(data.get("errorMessage", "")) if isinstance(data, dict) else str(data)


@dataclass(frozen=True)
class Throttled:
    """Invoke answered 429 (reserved concurrency in use)."""

    lambda_request_id: str


@dataclass(frozen=True)
class Unavailable:
    """lambdagate cannot run the function here (its runtime); `reason` says why."""

    reason: str


@dataclass(frozen=True)
class TimedOut:
    """API Gateway stopped waiting at the integration timeout; the invocation runs on to Lambda's own timeout."""


Invoked = Answered | FunctionFailed | Throttled | Unavailable
Invoker = Callable[[Function, bytes], Awaitable[Invoked]]


async def call(invoker: Invoker, function: Function, event: bytes, timeout_ms: int) -> Invoked | TimedOut:
    """Invoke and wait at most the integration timeout (§10.1); waiting for a free environment counts too."""
    task = asyncio.ensure_future(invoker(function, event))
    task.add_done_callback(_retrieve)
    try:
        return await asyncio.wait_for(asyncio.shield(task), timeout=timeout_ms / 1000)
    except asyncio.TimeoutError:
        return TimedOut()


def _retrieve(task: asyncio.Future[Any]) -> None:
    """An invocation that outlived its request may still fail: its error is known, not "never retrieved"."""
    if not task.cancelled():
        task.exception()


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
