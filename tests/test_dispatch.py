"""REST and HTTP APIs on the one port (dispatch.py, docs/http-api-integration.md): which pipeline answers, the
start-up notices where both kinds would take a path, the route listing, and test-invoke of an HTTP API path. The
app is tests/apps/mixed, served by `serve`'s own server."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import APPS
from harness import RunningGateway
from lambdagate import Gateway, cli
from lambdagate.config import Source
from lambdagate.definition.loader import load
from lambdagate.definition.model.deployment import Deployment
from lambdagate.definition.model.httpapi import DEFAULT_ROUTE
from lambdagate.definition.model.location import Location
from lambdagate.dispatch import PortRouter
from lambdagate.exchange import HttpRequest
from lambdagate.runner import describe_routes, startup_notices
from lambdagate.sync import HTTP_API_LOG

TEMPLATE = APPS / "mixed" / "template.yaml"


@pytest.fixture(scope="module")
def served() -> Iterator[RunningGateway]:
    running = RunningGateway(TEMPLATE, watch=False)
    yield running
    running.close()


@pytest.fixture(scope="module")
def deployment() -> Deployment:
    return load(Source(template=TEMPLATE))


ROUTE_CASES = [
    pytest.param("GET", "/items/1", "rest", "GET /items/{id}", id="rule3-a-rest-method-beats-an-http-route"),
    pytest.param("GET", "/Prod/items/1", "rest", "GET /items/{id}", id="rule3-the-rest-stage-form"),
    pytest.param("GET", "/files/special", "http", "GET /files/special", id="rule4-an-http-route-beats-rest-greedy"),
    pytest.param("PUT", "/files/other", "rest", "PUT /files/{proxy+}", id="rule5-rest-greedy-beats-http-default"),
    pytest.param("GET", "/rest-only", "rest", "GET /rest-only", id="rule3-rest-only"),
    pytest.param("GET", "/anything/else", "http", "$default", id="rule5-http-default-route-takes-the-rest"),
    pytest.param("POST", "/v2/orders", "http", "POST /orders", id="rule4-a-named-stage-of-an-http-api"),
]


@pytest.mark.parametrize(("method", "target", "kind", "route"), ROUTE_CASES)
def test_which_pipeline_answers(served: RunningGateway, method: str, target: str, kind: str, route: str) -> None:
    reply = served.request(method, target, body=b"{}" if method in ("POST", "PUT") else None)
    assert reply.status == 200, reply.body
    assert reply.json() == {"kind": kind, "route": route}
    if kind == "http":
        assert reply.header("apigw-requestid") is not None and reply.header("x-amzn-RequestId") is None
    else:
        assert reply.header("x-amzn-RequestId") is not None and reply.header("apigw-requestid") is None


def test_rule1_an_undecodable_path_goes_to_the_http_api(served: RunningGateway) -> None:
    reply = served.request("GET", "/capture/%25done")
    assert (reply.status, reply.body) == (400, b'{"message":"Bad Request"}')


def test_rule2_preflights_go_where_the_actual_request_would(served: RunningGateway) -> None:
    http = served.request("OPTIONS", "/v2/orders", {"Origin": "https://app.example",
                                                    "Access-Control-Request-Method": "POST"})
    assert (http.status, http.header("access-control-allow-origin")) == (204, "https://app.example")
    assert http.header("apigw-requestid") is not None
    rest = served.request("OPTIONS", "/items/1", {"Origin": "https://rest.example",
                                                  "Access-Control-Request-Method": "GET"})
    assert (rest.status, rest.header("Access-Control-Allow-Origin")) == (200, "https://rest.example")   # SAM's MOCK


def _without_default_route(deployment: Deployment, http_first: bool) -> Deployment:
    apis = tuple(dataclasses.replace(api, routes=tuple(r for r in api.routes if r.route_key != DEFAULT_ROUTE))
                 for api in deployment.http_apis)
    if http_first:
        apis = tuple(dataclasses.replace(api, location=Location(api.location.file, 1)) for api in apis)
    return dataclasses.replace(deployment, http_apis=apis)


@pytest.mark.parametrize(("http_first", "kind"), [(False, "rest"), (True, "http")])
def test_rule6_no_route_gets_the_answer_of_the_first_api_in_the_template(deployment: Deployment, http_first: bool,
                                                                         kind: str) -> None:
    router = PortRouter(_without_default_route(deployment, http_first))
    request = HttpRequest("GET", "/nowhere", None, (), b"", "127.0.0.1", 3000, 0.0)
    assert router.kind(request) == kind


def test_rule6_rest_first_answers_missing_authentication_token(deployment: Deployment) -> None:
    served_alone = _without_default_route(deployment, False)
    assert PortRouter(served_alone).unmatched == "rest"


def test_startup_names_every_path_both_kinds_take(deployment: Deployment) -> None:
    notices = startup_notices(deployment)
    items = [n for n in notices if "both take GET /items/{id}" in n]
    assert len(items) == 1 and "GET /items/{id} of REST API RestApi answers it" in items[0]
    assert f"{TEMPLATE}:" in items[0]                                   # file:line of both routes
    special = [n for n in notices if "both take GET /files/special" in n]
    assert len(special) == 1 and "GET /files/special of HTTP API ServerlessHttpApi (stage $default) answers it" in \
        special[0]
    assert any("the $default route of HTTP API ServerlessHttpApi answers only what no REST method" in n
               for n in notices)


def test_route_listing_gives_both_kinds_with_their_urls(deployment: Deployment) -> None:
    lines = describe_routes(deployment)
    assert "GET     /Prod/items/{id} or /items/{id}  ->  RestFunction   (RestApi)" in lines
    assert "GET     /files/special  ->  HttpFunction   (ServerlessHttpApi, HTTP API, payload 2.0)" in lines
    assert "POST    /v2/orders  ->  OrdersFunction   (OrdersApi, HTTP API, payload 2.0)" in lines
    assert "$default /*  ->  HttpFunction   (ServerlessHttpApi, HTTP API, payload 2.0)" in lines
    assert ("GET     /items/{id} (not reachable here: see above)  ->  HttpFunction   (ServerlessHttpApi, HTTP API, "
            "payload 2.0)") in lines


def test_test_invoke_of_an_http_api_path_is_a_client_request(served: RunningGateway) -> None:
    gateway: Gateway = served.gateway
    result = gateway.request("GET", "/files/special")
    assert (result.status, json.loads(result.body)) == (200, {"kind": "http", "route": "GET /files/special"})
    assert result.log.startswith(HTTP_API_LOG) and '"GET GET /files/special HTTP/1.1" 200' in result.log
    assert result.execution_log == [] and "apigw-requestid" in result.headers
    rest = gateway.request("GET", "/items/1")
    assert rest.status == 200 and rest.execution_log and json.loads(rest.body)["kind"] == "rest"


def test_the_test_invoke_command_on_an_http_api_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["test-invoke", "POST", "/v2/orders", "-t", str(TEMPLATE), "--body", "{}", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (answer["status"], json.loads(answer["body"])) == (200, {"kind": "http", "route": "POST /orders"})
    assert answer["log"].startswith(HTTP_API_LOG) and "apigw-requestid" in answer["headers"]


def test_a_template_of_http_apis_only_sends_everything_to_them(tmp_path: Path) -> None:
    only = load(Source(template=APPS / "httpapi" / "template.yaml"))
    request = HttpRequest("GET", "/anything", None, (), b"", "127.0.0.1", 3000, 0.0)
    assert PortRouter(only).kind(request) == "http"
