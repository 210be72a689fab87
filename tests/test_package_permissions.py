"""The article's second 502: a deployment package whose files other users cannot read. Lambda runs the function
as another user than the files' owner, so lambdagate reproduces the failure even when it runs as the owner or as
root (fact sheet §10.9)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness import RunningGateway

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  PyFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: py/
      Handler: lambda_function.lambda_handler
      Runtime: python3.11
      Events: {E: {Type: Api, Properties: {Path: /py, Method: get}}}
  NodeFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: node/
      Handler: index.handler
      Runtime: nodejs20.x
      Events: {E: {Type: Api, Properties: {Path: /node, Method: get}}}
"""


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    (tmp_path / "py").mkdir()
    (tmp_path / "node").mkdir()
    (tmp_path / "py" / "lambda_function.py").write_text(
        "def lambda_handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n")
    (tmp_path / "node" / "index.js").write_text(
        "exports.handler = async () => ({statusCode: 200, body: 'ok'});\n")
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return tmp_path


def test_unreadable_files_fail_as_on_lambda_then_work_once_fixed(app: Path) -> None:
    (app / "py" / "lambda_function.py").chmod(0o600)
    (app / "node" / "index.js").chmod(0o640)
    running = RunningGateway(app / "template.yaml", watch=False)
    try:
        py = running.request("GET", "/py")
        assert (py.status, py.body) == (502, b'{"message": "Internal server error"}')
        assert ("Lambda execution failed with status 200 due to customer function error: [Errno 13] Permission "
                "denied: '/var/task/lambda_function.py'. Lambda request id: ") in running.console
        assert '"errorType": "PermissionError"' in running.console
        if shutil.which("node"):
            node = running.request("GET", "/node")
            assert node.status == 502
            assert ("due to customer function error: EACCES: permission denied, open '/var/task/index.js'. "
                    "Lambda request id: ") in running.console
        # the fix the article gives: chmod -R o+rX
        (app / "py" / "lambda_function.py").chmod(0o644)
        (app / "node" / "index.js").chmod(0o644)
        assert running.request("GET", "/py").status == 200
        if shutil.which("node"):
            assert running.request("GET", "/node").status == 200
    finally:
        running.close()


def test_a_folder_others_cannot_search(app: Path) -> None:
    (app / "py" / "pkg").mkdir()
    (app / "py" / "pkg" / "__init__.py").write_text("")
    (app / "py" / "pkg" / "helper.py").write_text("VALUE = 1\n")
    (app / "py" / "lambda_function.py").write_text(
        "from pkg import helper\n\ndef lambda_handler(event, context):\n    return {'statusCode': 200}\n")
    (app / "py" / "pkg").chmod(0o750)
    running = RunningGateway(app / "template.yaml", watch=False)
    try:
        assert running.request("GET", "/py").status == 502
        assert "[Errno 13] Permission denied: '/var/task/pkg/__init__.py'" in running.console
    finally:
        (app / "py" / "pkg").chmod(0o755)
        running.close()
