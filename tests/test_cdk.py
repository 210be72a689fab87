"""A CDK app's `cdk synth` output served as is: tests/apps/cdk/cdk.out holds what aws-cdk-lib 2.276 synthesised
from tests/apps/cdk/app.js (hashed logical ids, `Fn::Join` URIs, asset folders, a permission pair per method for
the stage and for test-invoke-stage, CORS preflights as MOCK methods, a customised gateway response)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from conftest import APPS
from harness import RunningGateway

TEMPLATE = APPS / "cdk" / "cdk.out" / "BooksStack.template.json"


@pytest.fixture(scope="module")
def books() -> Iterator[RunningGateway]:
    running = RunningGateway(TEMPLATE, watch=False)
    yield running
    running.close()


def test_functions_run_from_their_asset_folders(books: RunningGateway) -> None:
    listed = books.request("GET", "/books")
    assert (listed.status, listed.json()) == (200, [{"id": "1", "title": "Dune"}, {"id": "2", "title": "Emma"}])
    created = books.request("POST", "/books", body='{"title": "Ulysses"}')
    assert (created.status, created.json()) == (201, {"created": {"title": "Ulysses"}, "table": "books"})
    assert books.request("GET", "/books/2").json() == {"id": "2", "title": "Emma"}
    assert books.request("GET", "/books/9").status == 404
    (fn,) = [f for f in books.deployment.functions.values() if f.logical_id == "BooksFunction9A569DFC"]
    assert fn.code_dir.endswith("asset.1356db07c92d25ed9e2967aa057eb21d02b31e9b44fa65da9d83f7c3dfd3ba97")
    assert (fn.timeout, fn.memory_size, fn.runtime) == (10.0, 256, "python3.12")


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_inline_node_code_runs_as_index_js(books: RunningGateway) -> None:
    reply = books.request("GET", "/health")
    assert (reply.status, reply.json()) == (200, {"ok": True, "stage": "prod"})


def test_cors_preflight_mock_methods_answer(books: RunningGateway) -> None:
    reply = books.request("OPTIONS", "/books", headers={"Origin": "https://app.example"})
    assert reply.status == 204
    assert reply.header("Access-Control-Allow-Origin") == "*"
    assert reply.header("Access-Control-Allow-Methods") == "OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD"


def test_the_custom_missing_token_response_and_the_unserved_http_proxy(books: RunningGateway) -> None:
    missing = books.request("GET", "/authors")
    assert (missing.status, missing.body) == (404, b'{"message": "no such route"}')
    assert missing.header("Access-Control-Allow-Origin") == "*"
    assert books.request("GET", "/legacy").status == 501
    assert f"{TEMPLATE.resolve()}:1071: GET /legacy (BooksApi60AC975F): HTTP_PROXY integration is not emulated" \
        in books.console


def test_the_stage_and_the_permission_pairs(books: RunningGateway) -> None:
    (api,) = books.deployment.apis
    assert (api.name, api.stage.name, api.stage.variables) == ("books-api", "prod", {"env": "production"})
    assert api.binary_media_types == ("image/png",)
    assert api.stage.access_log_destination is not None
    assert api.stage.access_log_destination.endswith(":log-group:AccessLogs8B620ECA:*")
    assert api.stage.method_settings[0].throttling_rate_limit == 100.0
    sources = sorted(str(p.source_arn).split(f":{api.id}/", 1)[1] for p in books.deployment.permissions)
    assert sources == ["prod/GET/books", "prod/GET/books/*", "prod/GET/health", "prod/POST/books",
                       "test-invoke-stage/GET/books", "test-invoke-stage/GET/books/*", "test-invoke-stage/GET/health",
                       "test-invoke-stage/POST/books"]
    # the console's Test button is allowed by the test-invoke-stage statement CDK adds
    tested = books.gateway.request("GET", "/books/1")
    assert (tested.status, tested.body) == (200, '{"id": "1", "title": "Dune"}')
