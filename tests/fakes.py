"""The fake Lambda for fast pipeline tests (httpx's MockTransport, for lambdagate): `FakeInvoker(answer)` calls
`answer(event)` in-process and returns its result as the function's payload, so that `ApiGateway.handle` runs in
microseconds with no execution environment. The process-backed suites remain the conformance layer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson

from lambdagate.definition.model.function import Function
from lambdagate.exchange import HttpRequest
from lambdagate.runtime import Answered, FunctionFailed, Invoked, Throttled, Unavailable

LAMBDA_REQUEST_ID = "00000000-0000-4000-8000-000000000000"


class FunctionError(Exception):
    """Raised by an `answer` to make the fake function fail (X-Amz-Function-Error: Unhandled)."""


class FakeInvoker:
    """`answer`: a function of the event (its return value is the function's result; FunctionError fails it), an
    Invoked outcome to give as it is (Throttled, Unavailable, ...), or the function's result itself."""

    def __init__(self, answer: Callable[[dict[str, Any]], Any] | Invoked | Any) -> None:
        self.answer = answer
        self.events: list[dict[str, Any]] = []

    def ends_within(self, function: Function, seconds: float) -> bool:
        return False   # always through the integration timeout's race, which the tests exercise

    async def invoke(self, function: Function, event: bytes, trace_id: str | None) -> Invoked:
        self.events.append(orjson.loads(event))
        if isinstance(self.answer, (Answered, FunctionFailed, Throttled, Unavailable)):
            return self.answer
        if not callable(self.answer):
            return Answered(orjson.dumps(self.answer), LAMBDA_REQUEST_ID)
        try:
            result = self.answer(self.events[-1])
        except FunctionError as e:
            payload = orjson.dumps({"errorMessage": str(e), "errorType": "Exception", "stackTrace": []})
            return FunctionFailed(payload, LAMBDA_REQUEST_ID, "Exception", "invoke")
        if isinstance(result, asyncio.Future) or asyncio.iscoroutine(result):
            result = await result
        return Answered(result if isinstance(result, bytes) else orjson.dumps(result), LAMBDA_REQUEST_ID)


def request(method: str = "GET", path: str = "/", query: str | None = None,
            headers: tuple[tuple[str, str], ...] = (), body: bytes = b"") -> HttpRequest:
    return HttpRequest(method, path, query, headers, body, "127.0.0.1", 3000, 1700000000.0)
