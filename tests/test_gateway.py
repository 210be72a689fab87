"""The REST pipeline (`ApiGateway.handle`) on a fake Lambda: every step's answer, how far the request got, and its
execution log, in milliseconds. The same behaviour through real execution environments and real HTTP is pinned by
test_errors.py, test_event.py and test_proxy_result.py."""

from __future__ import annotations

import asyncio
import gzip
from typing import Any

import orjson
import pytest

from fakes import LAMBDA_REQUEST_ID, FakeInvoker, FunctionError, request
from lambdagate.definition.model.deployment import Deployment
from lambdagate.definition.model.function import Function, Permission
from lambdagate.definition.model.restapi import Api, Integration, Method, Resource, Stage
from lambdagate.exchange import Exchange, Mode, Reached
from lambdagate.gateway import ApiGateway
from lambdagate.observe import execution_log
from lambdagate.observe.execution_log import record, render, render_record
from lambdagate.runtime import Invoked, Throttled, Unavailable

REGION, ACCOUNT = "us-east-1", "123456789012"
ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:items"
URI = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{ARN}/invocations"


def deployment(timeout_ms: int = 29000, allowed: bool = True, uri: str = URI) -> Deployment:
    integration = Integration("aws_proxy", uri, "POST", timeout_ms, function_arn=ARN if uri == URI else None)
    resources = (Resource("root00", "/"), Resource("items0", "/items"),
                 Resource("item00", "/items/{id}", {"GET": Method("GET", integration)}))
    api = Api("Api", "items", "abcde12345", Stage("prod", "dep001"), resources)
    function = Function("Items", "items", ARN, "python3.12", "app.handler", "/tmp")
    permissions = (Permission.allow(ARN, "lambda:InvokeFunction", "apigateway.amazonaws.com",
                                    f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abcde12345/*/GET/items/*"),)
    return Deployment((api,), {ARN: function}, permissions if allowed else (), REGION, ACCOUNT)


def handle(answer: Any, mode: Mode = Mode.CLIENT, target: str = "/items/7", **kwargs: Any) -> Exchange:
    gateway = ApiGateway(deployment(**kwargs), FakeInvoker(answer))
    path, _, query = target.partition("?")
    return asyncio.run(gateway.handle(request("GET", path, query or None, (("Accept", "application/json"),)), mode))


def ok(event: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 201, "headers": {"X-Id": event["pathParameters"]["id"]}, "body": "made"}


def test_a_good_answer_goes_all_the_way() -> None:
    x = handle(ok)
    assert (x.response.status, x.response.body, x.reached) == (201, b"made", Reached.RESPONDED)
    headers = dict(x.response.headers)
    assert headers["X-Id"] == "7" and headers["Content-Type"] == "application/json"
    assert headers["x-amzn-RequestId"] == x.ids.request_id
    lines = render(x)
    assert lines[-4:-2] == ["Successfully completed execution", "Method completed with status: 201"]
    assert lines[-2] == f"AWS Integration Endpoint RequestId : {LAMBDA_REQUEST_ID}"
    assert x.integration_latency_ms is not None


FAILURES = {
    # case: (answer, expected status, how far it got, the error lines of the execution log)
    "sec2-malformed": ({"body": {"not": "a string"}}, 502, Reached.ANSWERED,
                       ["Execution failed due to configuration error: Malformed Lambda proxy response"]),
    "sec3-function-error": (FunctionError("boom"), 502, Reached.ANSWERED,
                            ["Lambda execution failed with status 200 due to customer function error: boom. "
                             f"Lambda request id: {LAMBDA_REQUEST_ID}"]),
    "sec3-throttled": (Throttled("t-1", 0), 500, Reached.SENT,
                       ["Lambda invocation failed with status: 429. Lambda request id: t-1",
                        "Execution failed due to configuration error: Rate Exceeded."]),
    "unavailable-runtime": (Unavailable("java21 is not run by lambdagate"), 502, Reached.SENT, []),
}


@pytest.mark.parametrize("case", FAILURES)
def test_failures(case: str) -> None:
    answer, status, reached, error_lines = FAILURES[case]
    if isinstance(answer, FunctionError):
        error, answer = answer, None

        def answer(event: dict[str, Any]) -> Any:  # noqa: F811
            raise error
    x = handle(answer)
    assert (x.response.status, x.reached) == (status, reached)
    lines = render(x)
    completed = lines.index(f"Method completed with status: {status}")
    assert lines[completed - len(error_lines):completed] == error_lines
    assert ("Sending request to" in "\n".join(lines)) is (reached >= Reached.SENT)


def test_no_route_writes_no_execution_log() -> None:
    x = handle(ok, target="/nowhere")
    assert (x.response.status, x.reached, render(x)) == (403, Reached.RECEIVED, [])


def test_no_permission_is_a_500_after_the_call() -> None:
    x = handle(ok, allowed=False)
    assert (x.response.status, x.reached) == (500, Reached.SENT)
    assert "Execution failed due to configuration error: Invalid permissions on Lambda function" in render(x)


def test_an_integration_uri_without_a_function() -> None:
    x = handle(ok, uri="arn:aws:apigateway:us-east-1:lambda:path/nothing")
    assert (x.response.status, x.reached) == (502, Reached.METHOD)
    assert not any(line.startswith("Endpoint request URI") for line in render(x))


def test_integration_timeout_is_504_and_the_invocation_goes_on() -> None:
    async def slow(event: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(0.2)
        return {"statusCode": 200}

    x = handle(slow, timeout_ms=20)
    assert (x.response.status, x.response.body) == (504, b'{"message": "Endpoint request timed out"}')
    assert "Execution failed due to a timeout error" in render(x)


def test_console_test_mode() -> None:
    seen: list[dict[str, Any]] = []

    def echo(event: dict[str, Any]) -> dict[str, Any]:
        seen.append(event)
        return {"statusCode": 200, "body": "x"}

    x = handle(echo, Mode.TEST_INVOKE)
    assert seen[0]["requestContext"]["stage"] == "test-invoke-stage"
    assert x.call is not None and x.call.source_arn.endswith("/test-invoke-stage/GET/items/{id}")
    log = execution_log.test_invoke_log(x)
    assert log.startswith(f"Execution log for request {x.ids.request_id}\n")
    assert " : Starting execution for request: " in log and log.endswith("Method completed with status: 200\n")


@pytest.mark.parametrize("answer", [ok, {"body": {}}, None], ids=["success", "malformed", "no-function-answer"])
def test_the_stored_record_renders_the_same_lines(answer: Invoked | Any) -> None:
    """What the log store keeps (JSON) renders byte for byte what the live record renders."""
    x = handle(answer if answer is not None else Unavailable("x"))
    stored = orjson.loads(orjson.dumps(record(x)))
    assert render_record(stored) == render(x)


def test_long_values_are_cut_as_the_log_cuts_them() -> None:
    body = "é" * 3000
    x = handle(lambda event: {"statusCode": 200, "body": body})
    stored = record(x)
    assert len(stored["responseBody"]) == 1025 and len(orjson.dumps(stored)) < 8000
    [line] = [line for line in render(x) if line.startswith("Method response body after transformations: ")]
    assert line.endswith(" [TRUNCATED]") and len(line) == 1024 + len(" [TRUNCATED]")


def send(request_body: bytes, headers: tuple[tuple[str, str], ...] = ()) -> tuple[Exchange, FakeInvoker]:
    invoker = FakeInvoker(lambda event: {"statusCode": 200, "body": event["body"] or ""})
    gateway = ApiGateway(deployment(), invoker)
    return asyncio.run(gateway.handle(request("GET", "/items/7", None, headers, request_body))), invoker


@pytest.mark.faults
def test_lambdas_6_mb_event_limit_to_the_byte() -> None:
    """Fact sheet §10.10d: an event of 6,291,456 bytes is invoked, one byte more is refused as Lambda refuses it."""
    probe, _ = send(b"x" * 1000)
    assert probe.call is not None
    overhead = len(probe.call.event) - 1000   # the event is the body plus what API Gateway adds around it
    at_limit, invoker = send(b"x" * (6291456 - overhead))
    assert at_limit.call is not None and len(at_limit.call.event) == 6291456
    assert at_limit.response.status == 200 and len(invoker.events) == 1
    over, invoker = send(b"x" * (6291456 - overhead + 1))
    assert (over.response.status, over.response.body) == (413, b'{"message": "Request Too Long"}')
    assert invoker.events == [] and over.reached is Reached.SENT  # the function never ran
    assert dict(over.response.headers)["x-amzn-ErrorType"] == "BadRequestException"
    lines = render(over)
    assert lines[-2].startswith("Lambda invocation failed with status: 413. Lambda request id: ")
    assert lines[-1] == "Method completed with status: 413"


@pytest.mark.parametrize(("coding", "body", "status"), [
    ("gzip", gzip.compress(b"abc"), 200),
    ("GZIP", gzip.compress(b"abc"), 200),
    ("identity", b"abc", 200),
    ("compress", b"abc", 415),
    ("gzip", b"abc", 415),
], ids=["sec10.2e-DOC-gzip", "sec10.2e-DOC-case", "sec10.2e-DOC-identity", "sec10.2e-DOC-unsupported",
        "sec10.2e-DOC-not-gzip"])
@pytest.mark.faults
def test_content_coding_is_decoded_before_routing(coding: str, body: bytes, status: int) -> None:
    x, invoker = send(body, (("Content-Encoding", coding),))
    assert x.response.status == status
    if status == 200:
        assert x.response.body == b"abc" and invoker.events[0]["headers"]["Content-Encoding"] == coding
    else:
        assert x.reached is Reached.RECEIVED and render(x) == [] and invoker.events == []
