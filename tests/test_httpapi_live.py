"""End to end without the REST pipeline: tests/apps/httpapi served by HttpApiGateway behind lambdagate's HTTP
server, with real Python workers and real HTTP on a loopback port (tests/httpapi_harness.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from conftest import APPS
from httpapi_harness import LiveHttpApi
from lambdagate.httpapi.access_log import access_log_line


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
