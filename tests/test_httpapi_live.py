"""End to end without the REST pipeline: HttpApiGateway behind lambdagate's HTTP server, the real Lambda service
running tests/apps/httpapi's handlers in real Python workers, real HTTP on a loopback port. The adapter from the
Lambda service to the HTTP API invoker is the few lines phase 2 puts in the runner (docs/http-api-integration.md)."""

from __future__ import annotations

import asyncio
import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import APPS
from harness import Reply
from lambdagate.config import Source
from lambdagate.definition.loader import load
from lambdagate.definition.model import Deployment, Function
from lambdagate.exchange import HttpRequest, HttpResponse
from lambdagate.httpapi import (
    Answered,
    FunctionFailed,
    HttpApiExchange,
    HttpApiGateway,
    Invoked,
    Throttled,
    Unavailable,
)
from lambdagate.httpapi.access_log import access_log_line
from lambdagate.runtime.environment import Outcome
from lambdagate.runtime.pool import Throttled as PoolThrottled
from lambdagate.runtime.service import FunctionUnavailable, LambdaService
from lambdagate.server import HttpServer


@dataclass
class _Answer:
    response: HttpResponse     # what HttpServer reads from its handler's result


class LiveHttpApi:
    def __init__(self, template: Path, state_dir: Path) -> None:
        self.deployment: Deployment = load(Source(template=template))
        self.records: list[HttpApiExchange] = []
        self.output = io.StringIO()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.service = LambdaService(self.deployment, state_dir, lambda fn, line: self.output.write(line),
                                     self.output.write, max_environments=2, watch=False)
        self.gateway = HttpApiGateway(self.deployment, self.invoke)
        self.server = HttpServer(self.handle, "127.0.0.1", 0)
        self._run(self.service.start())
        self._run(self.server.start())

    async def invoke(self, function: Function, event: bytes) -> Invoked:
        try:
            result = await self.service.invoke(function, event, None)
        except FunctionUnavailable as e:
            return Unavailable(str(e))
        if isinstance(result, PoolThrottled):
            return Throttled(result.request_id)
        if result.outcome is Outcome.FUNCTION_ERROR:
            return FunctionFailed(result.payload, result.request_id)
        return Answered(result.payload, result.request_id)

    async def handle(self, request: HttpRequest) -> Any:
        response, record = await self.gateway.handle(request)
        self.records.append(record)
        return _Answer(response)

    async def _settle(self) -> None:
        """Invocations that outlived their request (the 503) end with the service; wait for them."""
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        await asyncio.wait_for(asyncio.gather(*others, return_exceptions=True), 30)

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    def request(self, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"") -> Reply:
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        try:
            conn.request(method, target, body=body or None, headers=headers or {})
            response = conn.getresponse()
            return Reply(response.status, list(response.getheaders()), response.read())
        finally:
            conn.close()

    def close(self) -> None:
        self._run(self.server.close())
        self._run(self.service.close())
        self._run(self._settle())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHttpApi]:
    running = LiveHttpApi(APPS / "httpapi" / "template.yaml", tmp_path_factory.mktemp("state"))
    yield running
    running.close()


def test_a_2_0_event_reaches_a_real_python_function_and_its_inferred_answer_comes_back(live: LiveHttpApi) -> None:
    reply = live.request("GET", "/echo/hello%20world?a=1&a=2", {"Cookie": "s=1; t=2", "X-Dup": "x"})
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json"
    event = reply.json()
    assert (event["rawPath"], event["pathParameters"], event["queryStringParameters"], event["cookies"]) == (
        "/echo/hello world", {"name": "hello world"}, {"a": "1,2"}, ["s=1", "t=2"])
    assert event["requestContext"]["requestId"] == reply.header("apigw-requestid")
    assert reply.header("x-amzn-RequestId") is None and reply.header("x-amz-apigw-id") is None


def test_a_structured_result_without_content_type_is_text_plain(live: LiveHttpApi) -> None:
    reply = live.request("POST", "/respond", {"Content-Type": "application/json"},
                         json.dumps({"statusCode": 201, "body": "made", "cookies": ["a=1", "b=2"]}).encode())
    assert (reply.status, reply.body, reply.header("Content-Type")) == (201, b"made", "text/plain; charset=utf-8")
    assert reply.all("Set-Cookie") == ["a=1", "b=2"]


def test_payload_1_0_route(live: LiveHttpApi) -> None:
    reply = live.request("GET", "/v1/echo/x")
    assert reply.status == 200 and reply.json()["version"] == "1.0"


def test_a_malformed_result_is_500_with_AWS_bytes(live: LiveHttpApi) -> None:
    reply = live.request("POST", "/respond", {"Content-Type": "application/json"}, b'{"statusCode": 0}')
    assert (reply.status, reply.body) == (500, b'{"message":"Internal Server Error"}')
    assert reply.header("Content-Length") == "35"


def test_the_integration_timeout_is_503(live: LiveHttpApi) -> None:
    reply = live.request("GET", "/slow")
    assert (reply.status, reply.body) == (503, b'{"message":"Service Unavailable"}')


def test_the_secured_stage_writes_its_access_log_line(live: LiveHttpApi) -> None:
    reply = live.request("GET", "/dev/open", {"Origin": "https://app.example"})
    assert reply.status == 200 and reply.header("access-control-allow-origin") == "https://app.example"
    record = live.records[-1]
    line = access_log_line(record, live.deployment.account_id)
    assert line is not None and f'"GET GET /open HTTP/1.1" 200 {len(reply.body)} {record.ids.request_id} -' in line
