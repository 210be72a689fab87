"""examples/http answers as its handlers' docstrings and the README section say (real workers, real HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from httpapi_harness import LiveHttpApi

EXAMPLE = Path(__file__).parent.parent / "examples" / "http" / "template.yaml"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHttpApi]:
    running = LiveHttpApi(EXAMPLE, tmp_path_factory.mktemp("state"))
    yield running
    running.close()


def test_the_http_example(example: LiveHttpApi) -> None:
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
