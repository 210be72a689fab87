"""The bundled examples answer as the README and the article say."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness import RunningGateway

EXAMPLES = Path(__file__).parent.parent / "examples"
MALFORMED = "Execution failed due to configuration error: Malformed Lambda proxy response"


def test_hello_example() -> None:
    running = RunningGateway(EXAMPLES / "hello" / "template.yaml", watch=False)
    try:
        hello = running.request("GET", "/hello?name=ada")
        assert (hello.status, hello.json()) == (200, {"message": "hello ada"})
        assert hello.header("my_header") == "my_value"
        dict_body = running.request("GET", "/dict-body")
        assert (dict_body.status, dict_body.body) == (502, b'{"message": "Internal server error"}')
        assert f"({dict_body.header('x-amzn-RequestId')}) {MALFORMED}" in running.console
        boom = running.request("POST", "/boom")
        assert boom.status == 502
        assert "due to customer function error: something went wrong in the handler. Lambda request id: " \
            in running.console
    finally:
        running.close()


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_articles_node_handler() -> None:
    running = RunningGateway(EXAMPLES / "node" / "template.yaml", watch=False)
    try:
        right = running.request("GET", "/article")
        assert right.status == 200
        assert right.header("my_header") == "my_value"
        assert right.json() == {"key3": "value3", "key2": "value2", "key1": "value1"}
        wrong = running.request("GET", "/unstringified")
        assert (wrong.status, wrong.body) == (502, b'{"message": "Internal server error"}')
        assert wrong.header("x-amzn-ErrorType") == "InternalServerErrorException"
        assert f"({wrong.header('x-amzn-RequestId')}) {MALFORMED}" in running.console
    finally:
        running.close()
