"""The local Lambda service: functions run in execution environments, one OS process per concurrent invocation.

    service       LambdaService: the functions of a deployment, each with its pool; the `Invoker` the gateway calls
    pool          FunctionPool: warm reuse, concurrency, throttling, recycling; START/END/REPORT
    environment   ExecutionEnvironment: one process, one invocation at a time; Lambda's outcomes
    channels      how the gateway talks to an environment: a socket pair, or the Lambda Runtime API over HTTP
    launchers     what each runtime's process gets: command, Lambda's environment variables, working directory
    python_worker awslambdaric's bootstrap inside a Python environment; node/bootstrap.mjs the Node.js one
    platform      /proc readings where the OS has them

The seam between API Gateway and Lambda is `Invoker.invoke` with a closed set of results, and the integration
timeout is applied in one place, `call_integration` (fact sheet §3, §10.8).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from ..definition.model.function import Function


@dataclass(frozen=True)
class Answered:
    """Lambda ran the function and it returned: the payload is its result (HTTP 200, no function error)."""

    payload: bytes
    lambda_request_id: str


@dataclass(frozen=True)
class FunctionFailed:
    """`X-Amz-Function-Error: Unhandled`: the function raised, timed out, exited, failed to start, or answered too much
    (fact sheet §5.1). `phase` says whether it got past its initialisation."""

    payload: bytes                     # the runtime's error JSON
    lambda_request_id: str
    error_type: str | None = None
    phase: Literal["init", "invoke"] = "invoke"
    environment_lost: bool = False     # the environment is gone (timeout, exit, init failure): the next is cold

    @property
    def error_message(self) -> str:
        return str(json_object(self.payload).get("errorMessage", ""))


@dataclass(frozen=True)
class Throttled:
    """Lambda answered 429: `ReservedConcurrentExecutions` is all in use."""

    lambda_request_id: str
    reserved_concurrency: int | None = None


@dataclass(frozen=True)
class Unavailable:
    """The function is in the definition but cannot run here (its runtime); `reason` says why. `not_emulated`: its
    language is one lambdagate does not run (an answer of lambdagate's own, 501)."""

    reason: str
    not_emulated: bool = False


@dataclass(frozen=True)
class TimedOut:
    """API Gateway stopped waiting at the integration timeout; the invocation runs on to Lambda's own timeout."""

    seconds: float


Invoked = Answered | FunctionFailed | Throttled | Unavailable


class Invoker(Protocol):
    async def invoke(self, function: Function, event: bytes, trace_id: str | None) -> Invoked: ...

    def ends_within(self, function: Function, seconds: float) -> bool:
        """Whether an invocation started now surely ends (answered, failed or killed) within `seconds`."""
        ...


async def call_integration(invoker: Invoker, function: Function, event: bytes, trace_id: str | None,
                           timeout_s: float) -> Invoked | TimedOut:
    """The integration's call: past `timeout_s` (waiting for a free environment and a cold start count too) the caller
    gets TimedOut, while the invocation goes on, as on AWS, and its outcome is still logged. When the invocation
    surely ends first (a warm environment is free and Lambda's own timeout is shorter), it is simply awaited."""
    if invoker.ends_within(function, timeout_s):
        return await invoker.invoke(function, event, trace_id)
    loop = asyncio.get_running_loop()
    task = loop.create_task(invoker.invoke(function, event, trace_id))
    waiter = loop.create_future()

    def wake(_: object) -> None:
        if not waiter.done():
            waiter.set_result(None)

    task.add_done_callback(wake)
    timer = loop.call_later(timeout_s, wake, None)
    try:
        await waiter
    finally:
        timer.cancel()
    if task.done():
        return task.result()
    task.add_done_callback(_retrieve)
    return TimedOut(timeout_s)


def _retrieve(task: asyncio.Future[Any]) -> None:
    """An invocation that outlived its request may still fail: its error is known, not "never retrieved"."""
    if not task.cancelled():
        task.exception()


def json_object(payload: bytes | str) -> dict[str, Any]:
    """A JSON object's fields, or {} when the payload is not one (error payloads, event files)."""
    try:
        data = json.loads(payload)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
