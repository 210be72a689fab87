"""What lambdagate writes about HTTP API requests (docs/aws-http-api.md §7, §11): the terminal's line and error tail,
access logs in the stage's format or lambdagate's (kept as compact records, rendered when read), the Lambda logs, no
execution log, metrics with ApiId and DataProcessed (also in Prometheus' text), the dashboard's request list, and
`lambdagate logs` / `metrics` showing them. The app is a copy of tests/apps/httpapi, served by `serve`'s server."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_app
from harness import RunningGateway
from lambdagate import cli
from lambdagate.definition.model.httpapi import HttpApi
from lambdagate.explain import explain_text
from lambdagate.observe.log_store import LogStore

FUNCTION_ERROR = ("The Lambda function returned the following error: node says no. Check your Lambda function code "
                  "and try again.")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_app(tmp_path_factory, "httpapi")


@pytest.fixture(scope="module")
def served(app: Path) -> Iterator[tuple[RunningGateway, dict[str, str]]]:
    running = RunningGateway(app / "template.yaml", dashboard=True, watch=False)
    ids = {}
    for name, target in (("ok", "/debug"), ("throws", "/node-throws"), ("secured", "/dev/open"),
                         ("locked", "/locked/locked"), ("nothing", "/nothing"), ("slow", "/slow")):
        reply = running.request("GET", target)
        ids[name] = reply.header("apigw-requestid") or ""
        ids[f"{name}-length"] = str(len(reply.body))
    running.run(_flush(running))
    yield running, ids
    running.close()


async def _flush(running: RunningGateway) -> None:
    running.runner.recorder.close()


def api(running: RunningGateway, logical_id: str) -> HttpApi:
    return next(a for a in running.deployment.http_apis if a.logical_id == logical_id)


def events(app: Path, group: str) -> list[str]:
    return [e.message for e in LogStore(app / ".lambdagate" / "logs").search(group, 0, None)]


def dashboard(running: RunningGateway, path: str) -> Any:
    assert running.runner.dashboard is not None
    with urllib.request.urlopen(f"http://127.0.0.1:{running.runner.dashboard.port}{path}", timeout=10) as response:
        return json.loads(response.read())


def test_terminal_line_and_the_access_log_tail_of_a_failure(served: tuple[RunningGateway, dict[str, str]]) -> None:
    running, ids = served
    lines = running.console.splitlines()
    at = next(i for i, line in enumerate(lines) if re.match(r"^\d\d:\d\d:\d\d GET /node-throws 500 [\d.]+ ms$", line))
    assert re.match(rf'^  127\.0\.0\.1 - - \[[^]]+\] "GET GET /node-throws HTTP/1\.1" 500 35 '
                    rf"{re.escape(ids['throws'])} {re.escape(FUNCTION_ERROR)}$", lines[at + 1])
    locked = next(i for i, line in enumerate(lines) if " GET /locked/locked 500 " in line)
    assert lines[locked + 1].endswith("The IAM role configured on the integration or API Gateway doesn't have "
                                      "permissions to call the integration. Check the permissions and try again.")
    assert lines[locked + 2].startswith("  lambdagate: ")
    assert any(re.match(r"^\d\d:\d\d:\d\d GET /debug 200 ", line) for line in lines)


def test_sec7_1_DOC_no_execution_log_but_access_logs(served: tuple[RunningGateway, dict[str, str]], app: Path) -> None:
    running, ids = served
    groups = LogStore(app / ".lambdagate" / "logs").groups()
    assert not [g for g in groups if g.startswith("API-Gateway-Execution-Logs_")]
    implicit = api(running, "ServerlessHttpApi")
    lines = events(app, f"API-Gateway-Access-Logs_{implicit.id}/$default")
    assert any(line.endswith(f'"GET GET /debug HTTP/1.1" 200 {ids["ok-length"]} {ids["ok"]} -') for line in lines)
    assert any(f"500 35 {ids['throws']} {FUNCTION_ERROR}" in line for line in lines)
    assert any(f'"GET - HTTP/1.1" 404 23 {ids["nothing"]} -' in line for line in lines)   # a stage, no route
    assert any(f'"GET GET /slow HTTP/1.1" 503 33 {ids["slow"]}' in line for line in lines)


def test_sec7_2_the_stages_own_format_and_destination(served: tuple[RunningGateway, dict[str, str]],
                                                      app: Path) -> None:
    _running, ids = served
    lines = events(app, "secured-access")   # the log group of AccessLogSettings.DestinationArn
    assert len(lines) == 1 and '"GET GET /open HTTP/1.1" 200' in lines[0] and ids["secured"] in lines[0]
    assert lines[0].endswith(" -")          # its Format's $context.integrationErrorMessage, empty


def test_the_lambda_logs_as_for_rest(served: tuple[RunningGateway, dict[str, str]], app: Path) -> None:
    running, _ids = served
    node = next(f for f in running.deployment.functions.values() if f.logical_id == "NodeFunction")
    lines = events(app, f"/aws/lambda/{node.name}")
    assert any(line.startswith("START RequestId: ") for line in lines)
    assert any("node says no" in line for line in lines)
    assert any(line.startswith("REPORT RequestId: ") for line in lines)


def test_sec11_DOC_metrics_by_api_id_with_data_processed(served: tuple[RunningGateway, dict[str, str]]) -> None:
    running, _ids = served
    implicit = api(running, "ServerlessHttpApi")
    rows = [r for r in running.runner.recorder.metrics.rows() if r.get("ApiId") == implicit.id]
    assert rows
    by_route: dict[object, dict[str, Any]] = {}
    for row in rows:
        total = by_route.setdefault(row["Route"], {"Count": 0, "4xx": 0, "5xx": 0, "DataProcessed": 0})
        for name in total:
            total[name] += row[name]
    assert by_route["GET /node-throws"]["5xx"] >= 1 and by_route["GET /node-throws"]["DataProcessed"] >= 35
    assert by_route[""]["4xx"] >= 1                               # the 404 counts on the stage
    assert "4XXError" not in rows[0] and "ApiName" not in rows[0]
    prometheus = running.runner.recorder.metrics.prometheus()
    assert re.search(rf'apigateway_http_5xx_errors_total\{{api_id="{implicit.id}",stage="\$default",'
                     r'route="GET /node-throws"\} [1-9]', prometheus)
    assert "apigateway_http_data_processed_bytes_total{" in prometheus


def test_metrics_and_logs_commands_show_http_apis(served: tuple[RunningGateway, dict[str, str]], app: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    running, _ids = served
    implicit = api(running, "ServerlessHttpApi")
    assert cli.main(["logs", "-t", str(app / "template.yaml"), "--list"]) == 0
    assert f"API-Gateway-Access-Logs_{implicit.id}/$default" in capsys.readouterr().out.splitlines()
    assert cli.main(["logs", f"API-Gateway-Access-Logs_{implicit.id}", "-t", str(app / "template.yaml")]) == 0
    assert "GET GET /debug HTTP/1.1" in capsys.readouterr().out
    assert cli.main(["metrics", "-t", str(app / "template.yaml")]) == 0
    assert re.search(rf"{implicit.id} \(HTTP\)\s+\$default\s+GET /node-throws\s+\d+\s+0\s+[1-9]",
                     capsys.readouterr().out)


def test_the_dashboard_lists_http_api_requests(served: tuple[RunningGateway, dict[str, str]]) -> None:
    running, ids = served
    listed = {r["requestId"]: r for r in dashboard(running, "/api/requests")["requests"]}
    throws = listed[ids["throws"]]
    assert (throws["kind"], throws["resource"], throws["status"], throws["error"]) == (
        "HTTP", "GET /node-throws", 500, "Internal Server Error")
    detail = dashboard(running, f"/api/requests/{ids['throws']}")
    assert detail["executionLog"] == [] and FUNCTION_ERROR in detail["accessLog"][0]
    assert any(line.startswith("START RequestId: ") for line in detail["functionLog"])
    overview = dashboard(running, "/api/overview")
    listed_apis = {a["id"]: a for a in overview["apis"] if a["kind"] == "HTTP"}
    assert api(running, "SecuredApi").id in listed_apis
    assert listed_apis[api(running, "ServerlessHttpApi").id]["stage"] == "$default"


def test_explain_reads_what_serve_wrote_of_http_api_requests(served: tuple[RunningGateway, dict[str, str]],
                                                            app: Path, capsys: pytest.CaptureFixture[str]) -> None:
    running, ids = served
    causes = {v.story.key: v.findings[0].cause.id for v in explain_text(running.console).failed}
    assert causes[ids["throws"]] == "http-function-error"
    assert causes[ids["locked"]] == "http-no-permission"
    assert causes[ids["nothing"]] == "http-not-found"
    assert causes[ids["slow"]] == "http-integration-timeout"
    assert ids["ok"] not in causes
    implicit = api(running, "ServerlessHttpApi")
    assert cli.main(["logs", f"API-Gateway-Access-Logs_{implicit.id}", "-t", str(app / "template.yaml")]) == 0
    stored = explain_text(capsys.readouterr().out)
    from_store = {v.story.key: v.findings[0] for v in stored.failed}
    assert from_store[ids["throws"]].cause.id == "http-function-error"
    assert "node says no" in from_store[ids["throws"]].summary
