"""examples/http answers as its handlers' docstrings and the README section say (`serve`'s server, real workers,
real HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import RunningGateway
from lambdagate.explain import explain_text

EXAMPLE = Path(__file__).parent.parent / "examples" / "http" / "template.yaml"


@pytest.fixture(scope="module")
def example() -> Iterator[RunningGateway]:
    running = RunningGateway(EXAMPLE, watch=False)
    yield running
    running.close()


def test_the_http_example(example: RunningGateway) -> None:
    hello = example.request("GET", "/hello/ada%20lovelace")
    assert (hello.status, hello.json()) == (200, {"message": "hello ada lovelace"})
    assert hello.all("Set-Cookie") == ["last_name=ada lovelace; Path=/"]
    inferred = example.request("GET", "/inferred")
    assert (inferred.status, inferred.header("Content-Type")) == (200, "application/json")
    assert inferred.json() == {"message": "inferred", "headers": "this key is data here, not headers"}
    for path in ("/dict-body", "/boom"):
        failed = example.request("GET", path)
        assert (failed.status, failed.body) == (500, b'{"message":"Internal Server Error"}')
    legacy = example.request("GET", "/legacy")
    assert legacy.json() == {"version": "1.0", "path": "/legacy"}
    assert legacy.header("Content-Type") == "text/plain; charset=utf-8"
    missing = example.request("GET", "/nope")
    assert (missing.status, missing.body) == (404, b'{"message":"Not Found"}')


def test_the_readme_terminal_lines(example: RunningGateway) -> None:
    failed = example.request("GET", "/dict-body")
    rid = failed.header("apigw-requestid")
    assert f'"GET GET /dict-body HTTP/1.1" 500 35 {rid} Lambda body contains the wrong type for field "body"' \
        in example.console
    assert "  lambdagate: body: expected a string, got an object" in example.console
    verdicts = {v.story.key: v for v in explain_text(example.console).failed}
    assert verdicts[rid].findings[0].cause.id == "http-malformed-result"
