"""The Lambda Runtime API over HTTP: awslambdaric's own native client drives the same functions, with the same
outcomes as the default socket channel."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import aiohttp
import pytest

from conftest import APPS
from harness import RunningGateway
from lambdagate.runtime.channels import RuntimeApiChannel


@pytest.fixture(scope="module")
def http_gateway() -> Iterator[RunningGateway]:
    running = RunningGateway(APPS / "gateway" / "template.yaml", watch=False, python_channel="runtime-api")
    yield running
    running.close()


CASES = [
    ("/hardcoded", 200, None),
    ("/raise", 502, "customer function error: the handler failed on purpose. Lambda request id: "),
    ("/missing-handler", 502, "customer function error: Handler 'handle' missing on module 'echo'. "),
    ("/needs-yaml", 502, "customer function error: Unable to import module 'needs_yaml': No module named 'yaml'."),
    ("/init-fails", 502, "customer function error: configuration missing at import time."),
    ("/exit?how=sys", 502, "Error: Runtime exited with error: exit status 3."),
    ("/exit?how=kill", 502, "Error: Runtime exited with error: signal: killed."),
    ("/layer", 200, None),
]


@pytest.mark.parametrize(("target", "status", "log"), CASES)
def test_same_outcome_on_both_channels(gateway: RunningGateway, http_gateway: RunningGateway, target: str,
                                       status: int, log: str | None) -> None:
    for running in (gateway, http_gateway):
        reply = running.request("GET", target)
        assert reply.status == status, (running.runner.lambdas, reply.body)
        if log is not None:
            assert log in running.console
    # the environment that failed was replaced: the next call to the same function works the same way
    assert http_gateway.request("GET", target).status == status


def test_runtime_api_protocol() -> None:
    """/next holds until there is work and carries Lambda's headers; a response for an unknown id is refused."""

    async def scenario() -> None:
        channel = RuntimeApiChannel()
        address = await channel.start()
        base = f"http://{address}/2018-06-01/runtime"
        async with aiohttp.ClientSession() as http:
            next_call = asyncio.ensure_future(http.get(f"{base}/invocation/next"))
            assert await channel.receive() == (b"Y", b"")
            channel.send({"id": "abc", "arn": "arn:aws:lambda:us-east-1:123456789012:function:f", "deadline": 42,
                          "trace": "Root=1-2-3"}, b'{"k": 1}')
            reply = await next_call
            assert reply.status == 200
            assert reply.headers["Content-Type"] == "application/json"
            assert reply.headers["Lambda-Runtime-Aws-Request-Id"] == "abc"
            assert reply.headers["Lambda-Runtime-Deadline-Ms"] == "42"
            assert reply.headers["Lambda-Runtime-Invoked-Function-Arn"].endswith(":function:f")
            assert reply.headers["Lambda-Runtime-Trace-Id"] == "Root=1-2-3"
            assert await reply.read() == b'{"k": 1}'
            wrong = await http.post(f"{base}/invocation/other/response", data=b"{}")
            assert wrong.status == 400
            assert (await wrong.json())["errorType"] == "InvalidRequestID"
            ok = await http.post(f"{base}/invocation/abc/error", data=b"not json",
                                 headers={"Lambda-Runtime-Function-Error-Type": "Runtime.Custom"})
            assert ok.status == 202
            kind, data = await channel.receive() or (b"", b"")
            assert kind == b"E"
            assert json.loads(data) == {"errorMessage": "not json", "errorType": "Runtime.Custom"}
        await channel.close()

    asyncio.run(scenario())
