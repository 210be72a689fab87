"""What AWS would have logged and measured: execution logs (§4.1), Lambda logs (§5.3), access logs, metrics (§7),
the local log store and `lambdagate logs` / `metrics` / `test-invoke` (§4.2)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import copy_app
from harness import RunningGateway
from lambdagate import Gateway
from lambdagate.observe.execution_log import TRUNCATE_AT, at_level, java_map, truncate
from lambdagate.observe.log_store import LogStore

STAMP = r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = copy_app(tmp_path_factory, "observe")
    return target


@pytest.fixture(scope="module")
def served(app: Path) -> Iterator[RunningGateway]:
    running = RunningGateway(app / "template.yaml", watch=False)
    for target in ("/ok", "/ok", "/boom", "/malformed", "/nowhere", "/plain"):
        running.request("GET", target)
    running.run(_flush(running))
    yield running
    running.close()


async def _flush(running: RunningGateway) -> None:
    running.runner.recorder.close()


def events(app: Path, group: str) -> list[str]:
    store = LogStore(app / ".lambdagate" / "logs")
    return [e.message for e in store.search(group, 0, None)]


def test_success_execution_log_has_aws_sequence(served: RunningGateway, app: Path) -> None:
    api = next(a for a in served.deployment.apis if a.logical_id == "ObservedApi")
    lines = events(app, f"API-Gateway-Execution-Logs_{api.id}/dev")
    first = re.match(r"\(([0-9a-f-]{36})\) ", lines[0])
    assert first
    request_lines = [line.split(") ", 1)[1] for line in lines if line.startswith(f"({first.group(1)}) ")]
    expected = ["Extended Request Id: ", "Verifying Usage Plan for request: ", "API Key  authorized because method "
                "'GET /ok' does not require API Key.", "Usage Plan check succeeded for API Key  and API Stage ",
                "Starting execution for request: ", "HTTP Method: GET, Resource Path: /ok", "Method request path: {}",
                "Method request query string: {}", "Method request headers: {", "Method request body before "
                "transformations: ", "Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/"
                "functions/arn:aws:lambda:us-east-1:123456789012:function:OkFunction/invocations",
                "Endpoint request headers: {x-amzn-lambda-integration-tag=", "Endpoint request body after "
                "transformations: {\"resource\":\"/ok\"", "Sending request to https://lambda.", "Received response. "
                "Status: 200, Integration latency: ", "Endpoint response headers: {Date=", "Endpoint response body "
                "before transformations: {\"statusCode\": 200", "Method response body after transformations: "
                "{\"ok\": true}", "Method response headers: {X-Amzn-Trace-Id=Root=1-", "Successfully completed "
                "execution", "Method completed with status: 200", "AWS Integration Endpoint RequestId : ",
                "X-ray Tracing ID : 1-"]
    assert len(request_lines) == len(expected)
    for line, start in zip(request_lines, expected, strict=True):
        assert line.startswith(start), (line, start)


@pytest.mark.parametrize(("path", "tail"), [
    ("/boom", ["Lambda execution failed with status 200 due to customer function error: observed failure. "
               "Lambda request id: ", "Method completed with status: 502"]),
    ("/malformed", ["Execution failed due to configuration error: Malformed Lambda proxy response",
                    "Method completed with status: 502"]),
])
def test_failure_tails(served: RunningGateway, app: Path, path: str, tail: list[str]) -> None:
    api = next(a for a in served.deployment.apis if a.logical_id == "ObservedApi")
    lines = events(app, f"API-Gateway-Execution-Logs_{api.id}/dev")
    ids = {line[1:37] for line in lines if f"Resource Path: {path}" in line}
    (request_id,) = ids
    mine = [line.split(") ", 1)[1] for line in lines if line.startswith(f"({request_id}) ")]
    completed = mine.index("Method completed with status: 502")
    assert mine[completed - len(tail) + 1: completed + 1][0].startswith(tail[0])
    assert mine[completed] == tail[-1]
    assert mine[completed - 2].startswith("Endpoint response body before transformations: ")


def test_no_route_writes_no_execution_log(served: RunningGateway, app: Path) -> None:
    for api in served.deployment.apis:
        assert not any("/nowhere" in line for line in
                       events(app, f"API-Gateway-Execution-Logs_{api.id}/{api.stage.name}"))


def test_lambda_logs_start_output_end_report(served: RunningGateway, app: Path) -> None:
    lines = events(app, "/aws/lambda/OkFunction")
    assert re.fullmatch(r"START RequestId: [0-9a-f-]{36} Version: \$LATEST", lines[0])
    assert lines[1] == "handling /ok"
    assert re.fullmatch(r"END RequestId: [0-9a-f-]{36}", lines[2])
    assert re.fullmatch(r"REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
                        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t", lines[3])
    assert "Init Duration" not in lines[7]  # warm the second time
    store = LogStore(app / ".lambdagate" / "logs")
    streams = {e.stream for e in store.search("/aws/lambda/OkFunction", 0, None)}
    assert all(re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", s) for s in streams)


def test_access_log_custom_format_and_clf(served: RunningGateway, app: Path) -> None:
    custom = [json.loads(line) for line in events(app, "my-access-logs")]
    by_resource = {row["resource"]: row for row in custom}
    assert by_resource["/ok"]["status"] == "200" and by_resource["/ok"]["error"] == "-"
    assert by_resource["/boom"] | {"requestId": "", "latency": 0} == {
        "requestId": "", "status": "502", "resource": "/boom", "error": "Internal server error",
        "responseType": "INTEGRATION_FAILURE", "latency": 0,
        "integrationError": "Lambda Customer Function Error:observed failure"}
    implicit = next(a for a in served.deployment.apis if a.logical_id == "ServerlessRestApi")
    # (a request that matched no resource is logged on the first API, here the implicit one)
    (clf,) = [line for line in events(app, f"API-Gateway-Access-Logs_{implicit.id}/Prod") if "/plain" in line]
    assert re.fullmatch(r'127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\]"GET /plain HTTP/1\.1" '
                        r'200 12 [0-9a-f-]{36} [A-Za-z0-9_-]{15}=', clf)


def test_metrics_per_minute_and_prometheus(served: RunningGateway, app: Path) -> None:
    rows = [json.loads(line) for line in (app / ".lambdagate" / "metrics.jsonl").read_text().splitlines()]
    ok = [r for r in rows if r["Resource"] == "/ok"]
    assert sum(r["Count"] for r in ok) == 2
    assert ok[0]["ApiName"] == "observed-api" and ok[0]["Stage"] == "dev" and ok[0]["Method"] == "GET"
    assert ok[0]["Latency"]["SampleCount"] == 2 and ok[0]["IntegrationLatency"]["Average"] >= 0
    assert sum(r["5XXError"] for r in rows) == 2
    assert sum(r["4XXError"] for r in rows) == 1   # the request that matched no resource
    prometheus = served.runner.recorder.metrics.prometheus()
    assert ('apigateway_requests_total{api_name="observed-api",stage="dev",method="GET",resource="/ok"} 2'
            in prometheus)
    assert "# TYPE apigateway_latency_milliseconds summary" in prometheus


def test_cli_logs_and_metrics_read_the_store(served: RunningGateway, app: Path) -> None:
    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "lambdagate", *args, "--template", str(app / "template.yaml")],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    out = cli("logs", "/aws/lambda/BoomFunction", "--filter", "observed failure", "--since", "1h")
    assert "[ERROR] RuntimeError: observed failure" in out
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 \d{4}/\d\d/\d\d/\[\$LATEST\]", line)
               for line in out.splitlines())
    assert "/aws/lambda/OkFunction" in cli("logs", "--list")
    rows = json.loads(cli("metrics", "--json"))
    assert {r["Resource"] for r in rows} >= {"/ok", "/boom", "/malformed", "/plain"}


def test_log_store_is_bounded_and_survives_a_restart(tmp_path: Path) -> None:
    store = LogStore(tmp_path, max_bytes=2000)
    for i in range(200):
        store.put("g", "s", f"line {i:03d} " + "x" * 50, 1000 + i)
        store.flush()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["g.jsonl", "g.jsonl.1"]
    assert sum(p.stat().st_size for p in tmp_path.iterdir()) < 3 * 2000 + 200
    again = LogStore(tmp_path)
    messages = [e.message for e in again.search("g", 0, None)]
    assert messages[-1].startswith("line 199") and len(messages) < 200


def test_execution_log_rules() -> None:
    assert java_map({"a": "1", "b": "2"}) == "{a=1, b=2}" and java_map(None) == "{}"
    assert java_map([("x", "1"), ("x", "2")]) == "{x=1,2}"
    long = "y" * (TRUNCATE_AT + 10)
    assert truncate(long) == "y" * TRUNCATE_AT + " [TRUNCATED]"
    lines = ["Starting execution for request: x", "Method request headers: {}", "Execution failed due to "
             "configuration error: Malformed Lambda proxy response", "Method completed with status: 502"]
    assert at_level(lines, "info", True) == [lines[0], lines[2], lines[3]]
    assert at_level(lines, "error", True) == lines[2:]
    assert at_level(lines, "error", False) == [] and at_level(lines, "off", True) == []


def test_test_invoke_python_api(app: Path) -> None:
    with Gateway.from_template(app / "template.yaml", watch=False) as gw:
        result = gw.request("GET", "/ok", query={"a": "1"})
        assert result.status == 200 and json.loads(result.body) == {"ok": True}
        assert result.headers["Content-Type"] == "application/json"
        assert result.multi_value_headers["Content-Type"] == ["application/json"]
        assert re.fullmatch(rf"Execution log for request {result.request_id}\n({STAMP} : .*\n)+", result.log)
        log_lines = result.log.splitlines()
        assert log_lines[1].endswith(f"Starting execution for request: {result.request_id}")
        assert log_lines[-1].endswith("Method completed with status: 200")
        event_line = next(line for line in log_lines if "Endpoint request body after transformations" in line)
        assert '"headers":null' in event_line and '"stage":"test-invoke-stage"' in event_line
        assert '"domainPrefix":"testPrefix"' in event_line
        assert isinstance(result.latency, int)
        failed = gw.request("GET", "/boom")
        assert failed.status == 502 and failed.body == '{"message": "Internal server error"}'
        assert "Lambda execution failed with status 200 due to customer function error: observed failure." \
            in failed.log


def test_test_invoke_cli_json(app: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "lambdagate", "test-invoke", "GET", "/ok", "--template",
                           str(app / "template.yaml"), "-H", "Accept: application/json", "--json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == {"status", "body", "headers", "multiValueHeaders", "log", "latency"}
    assert answer["status"] == 200
    assert "Method request headers: {Accept=application/json}" in answer["log"]


METHOD_SETTINGS = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.11, CodeUri: src/}
Resources:
  LeveledApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      MethodSettings:
        - {ResourcePath: "/*", HttpMethod: "*", LoggingLevel: INFO, DataTraceEnabled: true}
        - {ResourcePath: /~1quiet, HttpMethod: "*", LoggingLevel: ERROR}
        - {ResourcePath: /terse, HttpMethod: GET, DataTraceEnabled: false}
  Ok:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.ok
      Events:
        Quiet: {Type: Api, Properties: {Path: /quiet, Method: get, RestApiId: !Ref LeveledApi}}
        Terse: {Type: Api, Properties: {Path: /terse, Method: get, RestApiId: !Ref LeveledApi}}
        Full: {Type: Api, Properties: {Path: /full, Method: get, RestApiId: !Ref LeveledApi}}
  Boom:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.boom
      Events: {Quiet: {Type: Api, Properties: {Path: /quiet, Method: post, RestApiId: !Ref LeveledApi}}}
"""


@pytest.mark.parametrize("flag", [None, "full"], ids=["as-the-stage-says", "the-flag-overrides"])
def test_method_settings_choose_each_methods_execution_log_level(tmp_path: Path, flag: str | None) -> None:
    """CloudFormation AWS::ApiGateway::Stage MethodSetting: LoggingLevel and DataTraceEnabled per method, the most
    specific setting first; `--execution-log` sets one level for every method."""
    app = copy_app_to(tmp_path)
    (app / "template.yaml").write_text(METHOD_SETTINGS)
    with Gateway.from_template(app / "template.yaml", watch=False, execution_log=flag) as gateway:
        for method, path in (("GET", "/quiet"), ("POST", "/quiet"), ("GET", "/terse"), ("GET", "/full")):
            gateway.request(method, path, test_invoke=False)
    api_id = gateway.deployment.apis[0].id
    lines = events(app, f"API-Gateway-Execution-Logs_{api_id}/dev")

    def of(verb: str, path: str) -> list[str]:
        [rid] = {line[1:37] for line in lines if f"HTTP Method: {verb}, Resource Path: {path}" in line} or \
            {line[1:37] for line in lines if path in line and verb in line} or {"none"}
        return [line.split(") ", 1)[1] for line in lines if line.startswith(f"({rid}) ")]

    if flag is None:
        assert not any("/quiet" in line and "GET" in line for line in lines)       # ERROR: a success writes nothing
        failed = [line for line in lines if "Lambda execution failed" in line]
        assert len(failed) == 1 and not any("Method request headers" in line for line in lines
                                           if line[1:37] == failed[0][1:37])
        terse = of("GET", "/terse")
        assert "Successfully completed execution" in terse and not any(
            line.startswith("Method request headers") for line in terse)
    else:
        assert any(line.startswith("Method request headers") for line in of("GET", "/quiet"))
    assert any(line.startswith("Method request headers") for line in of("GET", "/full"))


def copy_app_to(tmp_path: Path) -> Path:
    import shutil

    from conftest import APPS

    shutil.copytree(APPS / "observe", tmp_path / "app", ignore=shutil.ignore_patterns(".lambdagate"))
    return tmp_path / "app"


@pytest.mark.faults
def test_a_failed_write_keeps_the_records_for_the_next_flush(tmp_path: Path) -> None:
    blocked = tmp_path / "logs"
    blocked.write_text("a file where the folder should be")
    store = LogStore(blocked, max_buffered=3000)
    for i in range(10):
        store.put("g", "s", f"line {i} " + "x" * 100, 1000 + i)
    with pytest.raises(OSError):
        store.flush()
    assert store.pending == 10 and store.dropped == 0
    for i in range(10, 40):
        store.put("g", "s", f"line {i} " + "x" * 100, 1000 + i)
        with pytest.raises(OSError):
            store.flush()
    assert store.dropped > 0 and store._buffered <= 3000  # bounded: the oldest went
    blocked.unlink()
    store.flush()
    messages = [e.message for e in LogStore(blocked).search("g", 0, None)]
    assert messages[-1].startswith("line 39 ") and len(messages) == 40 - store.dropped


@pytest.mark.faults
def test_a_record_cut_short_by_a_failed_write_costs_only_itself(tmp_path: Path) -> None:
    store = LogStore(tmp_path)
    store.put("g", "s", "before", 1000)
    store.flush()
    with (tmp_path / "g.jsonl").open("ab") as f:
        f.write(b'{"timestamp": 1001, "stream": "s", "messa')  # as a disk that filled up mid-record leaves it
    store._cut.add("g")
    store.put("g", "s", "after", 1002)
    store.flush()
    assert [e.message for e in LogStore(tmp_path).search("g", 0, None)] == ["before", "after"]


@pytest.mark.faults
def test_the_recorder_says_a_failing_disk_once_and_never_raises(tmp_path: Path) -> None:
    from lambdagate.config import Source
    from lambdagate.definition.loader import load
    from lambdagate.observe.recorder import Recorder

    app = copy_app_to(tmp_path)
    notices: list[str] = []
    recorder = Recorder(load(Source(template=app / "template.yaml")), app / ".lambdagate", None, notices.append)
    assert recorder.store is not None
    (app / ".lambdagate" / "logs").write_text("not a folder")
    recorder.store.put("g", "s", "line", 1000)
    recorder.flush()
    recorder.store.put("g", "s", "line", 1001)
    recorder.flush()
    recorder.close()  # never raises
    assert sum("cannot write logs and metrics under" in n for n in notices) == 1
    assert re.fullmatch(r"2 log records could not be written \(\[Errno \d+\] [^)]+\)", notices[-1])


@pytest.mark.faults
def test_metrics_roll_over_and_damaged_rows_are_skipped(tmp_path: Path) -> None:
    from lambdagate.observe.metrics import HTTP, REST, Metrics, Row, read_rows

    path = tmp_path / "metrics.jsonl"
    metrics = Metrics(path, max_bytes=1000)
    for minute in range(40):
        metrics._rows[(minute * 60, REST, "a", "s", "GET", "/")] = Row(minute * 60, "a", "s", "GET", "/", count=1)
        metrics.flush(everything=True)
    metrics._rows[(39 * 60, HTTP, "id", "$default", "", "GET /")] = Row(39 * 60, "id", "$default", "", "GET /",
                                                                          HTTP, count=1)
    metrics.flush(everything=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.jsonl", "metrics.jsonl.1"]
    assert sum(p.stat().st_size for p in tmp_path.iterdir()) < 3 * 1000 + 500  # bounded: two files
    with path.open("ab") as f:
        f.write(b'\xff\xfe\n[1]\n{"minute": "soon"}\n{"minute": 60, "Count": true}\n{"cut')
    rows = read_rows(path)
    assert rows and rows[-1]["minute"] == 39 * 60
    assert [r["Route"] for r in rows if "ApiId" in r] == ["GET /"]   # an HTTP API's row is a row too
    assert [r["minute"] for r in rows] == sorted(r["minute"] for r in rows)


@pytest.mark.faults
def test_logs_print_control_characters_escaped(served: RunningGateway, app: Path) -> None:
    reply = served.request("GET", "/plain", body="\x1b]0;owned\x07\x1b[2J body")
    assert reply.status == 200
    served.run(_flush(served))
    done = subprocess.run([sys.executable, "-m", "lambdagate", "logs", "API-Gateway-Execution-Logs", "--since", "1h",
                           "--template", str(app / "template.yaml")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "\\x1b]0;owned\\x07\\x1b[2J body" in done.stdout
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
