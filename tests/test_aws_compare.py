"""`lambdagate compare --aws`: the same requests to "the deployed stage" and to lambdagate serving the project.

moto cannot invoke a stage URL, so the deployed stage is a stand-in HTTP server started here on loopback: it answers
as AWS answers these requests (fact sheet §3: the 502 body `{"message": "Internal server error"}` with
`x-amzn-ErrorType: InternalServerErrorException`, the 403 `{"message":"Missing Authentication Token"}` with
`MissingAuthenticationTokenException`; the common headers x-amzn-RequestId, x-amz-apigw-id, Date, Content-Length).
moto serves the API and its stage, which `--aws` reads.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from aws_emulator import aws_environment
from aws_shapes import REGION
from conftest import run_cli
from lambdagate import errors
from lambdagate.aws.compare import Answer, differences, mask

TEMPLATE = """Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.11, CodeUri: src}
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.hello
      Events: {Hello: {Type: Api, Properties: {Path: /hello, Method: get}}}
  BrokenFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.broken
      Events: {Broken: {Type: Api, Properties: {Path: /broken, Method: get}}}
"""
CODE = """import json


def hello(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"message": "hello"})}


def broken(event, context):
    return {"statusCode": 200, "body": {"message": "hello"}}
"""
Reply = tuple[int, list[tuple[str, str]], bytes]


def aws_answers() -> dict[str, Reply]:
    """What the deployed stage answers, path by path (the stage name first, as in the execute-api URL)."""
    return {
        "/prod/hello": (200, [("Content-Type", "application/json")], b'{"message": "hello"}'),
        "/prod/broken": (502, [("Content-Type", "application/json"), ("x-amzn-ErrorType",
                                                                      errors.INTERNAL_SERVER_ERROR_TYPE)],
                         errors.INTERNAL_SERVER_ERROR_BODY),
        "/prod/lambdagate-compare-no-such-resource": (403, [("Content-Type", "application/json"), (
            "x-amzn-ErrorType", "MissingAuthenticationTokenException")], errors.MISSING_TOKEN_BODY),
    }


class Stage:
    """The stand-in for the deployed stage: answers from a table the tests may change."""

    def __init__(self) -> None:
        self.answers = aws_answers()
        stage = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                status, headers, body = stage.answers.get(self.path, (404, [], b"{}"))
                self.send_response_only(status)   # no Server header: API Gateway sends none
                for name, value in [*headers, ("Content-Length", str(len(body))),
                                    ("Date", formatdate(usegmt=True)), ("x-amzn-RequestId", str(uuid.uuid4())),
                                    ("x-amz-apigw-id", "K2HSsHMcIAMEQzw=")]:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/prod"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("compare")
    (folder / "src").mkdir()
    (folder / "src" / "app.py").write_text(CODE)
    (folder / "template.yaml").write_text(TEMPLATE)
    return folder / "template.yaml"


@pytest.fixture(scope="module")
def aws() -> Iterator[tuple[str, Stage]]:
    stage = Stage()
    with aws_environment():
        client = boto3.Session(region_name=REGION).client("apigateway")
        api = client.create_rest_api(name="hello")["id"]
        root = client.get_resources(restApiId=api)["items"][0]["id"]
        client.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
        client.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
        client.create_deployment(restApiId=api, stageName="prod")
        try:
            yield api, stage
        finally:
            stage.close()


def compare(aws: tuple[str, Stage], project: Path, *extra: str) -> tuple[int, str]:
    api, stage = aws
    return run_cli("compare", "--aws", "--rest-api-id", api, "--stage", "prod", "--region", REGION, "--template",
                   str(project), "--url", stage.url, *extra)


def test_local_equals_the_deployed_stage(aws: tuple[str, Stage], project: Path) -> None:
    code, text = compare(aws, project, "--json")
    document = json.loads(text)
    assert [(r["method"], r["path"], r["same"]) for r in document["requests"]] == [
        ("GET", "/broken", True), ("GET", "/hello", True), ("GET", "/lambdagate-compare-no-such-resource", True)]
    assert code == 0
    assert "x-amzn-requestid" in document["ignored_headers"] and "date" in document["ignored_headers"]


def test_differences_side_by_side(aws: tuple[str, Stage], project: Path, tmp_path: Path) -> None:
    stage = aws[1]
    stage.answers["/prod/broken"] = (200, [("Content-Type", "application/json"), ("X-Version", "2")],
                                     b'{"message": "hello"}')
    try:
        sarif = tmp_path / "compare.sarif"
        code, text = compare(aws, project, "--sarif", str(sarif), "--annotations")
    finally:
        stage.answers = aws_answers()
    assert code == 1
    assert "GET /broken: 4 difference(s)" in text
    lines = text.splitlines()
    assert any(line.split() == ["status", "200", "502"] for line in lines)
    assert any(line.split()[:4] == ["header", "X-Version", "2", "(absent)"] for line in lines)
    assert any(line.split()[:4] == ["header", "x-amzn-ErrorType", "(absent)", "InternalServerErrorException"]
               for line in lines)
    assert "GET /hello: 200 on both, same headers and body" in text
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"compare.status", "compare.header", "compare.body"}
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("template.yaml") and location["region"]["startLine"]
    assert sum(line.startswith("::error file=") for line in lines) == 4


def test_given_requests_and_an_unreachable_stage(aws: tuple[str, Stage], project: Path) -> None:
    code, text = run_cli("compare", "--template", str(project), "--url", "http://127.0.0.1:9/prod", "-r",
                         "GET /hello")
    assert code == 1
    assert "GET /hello: not compared: GET /hello: cannot reach the deployed stage" in text
    assert run_cli("compare", "--template", str(project))[0] == 2                      # no deployed API named
    assert run_cli("compare", "--template", str(project), "--url", aws[1].url, "-r", "hello")[0] == 2


def test_what_always_differs_is_masked() -> None:
    masks = {"a1b2c3d4e5": "<api-id>", "f6g7h8i9j0": "<api-id>"}
    deployed = Answer(200, (("Date", "Mon, 12 Jan 2026 09:00:00 GMT"),
                            ("X-Request", "5f7c2d1e-9b3a-4c8e-a1f0-3d2b6e7c9a41")),
                      b'{"requestId": "8212e5af-c174-48ce-85d5-729d73c6771a", "apiId": "a1b2c3d4e5", '
                      b'"requestTime": "12/Jan/2026:09:00:00 +0000", "requestTimeEpoch": 1768208400000}')
    local = Answer(200, (("date", "Tue, 13 Jan 2026 10:00:00 GMT"),
                         ("x-request", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")),
                   b'{"requestId": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "apiId": "f6g7h8i9j0", '
                   b'"requestTime": "13/Jan/2026:10:00:00 +0000", "requestTimeEpoch": 1768298400000}')
    assert differences(deployed, local, masks) == []
    assert mask("Root=1-6b1080f8-511fd62cc1f4f60f7384e1d2 at 2026-01-12T09:00:00.123Z", {}) == \
        "Root=<trace-id> at <time>"
