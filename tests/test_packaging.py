"""Code as users hand it over: a deployment .zip (unpacked with its stored modes), inline code, env.json."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from harness import RunningGateway

HANDLER = "import os, json\n\ndef handler(event, context):\n" \
          "    return {'statusCode': 200, 'body': json.dumps({'v': os.environ.get('COLOR'), 'f': __file__})}\n"


def test_zip_inline_code_and_env_vars(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "package.zip", "w") as z:
        info = zipfile.ZipInfo("app.py")
        info.external_attr = 0o644 << 16
        z.writestr(info, HANDLER)
    (tmp_path / "template.yaml").write_text("""\
Transform: AWS::Serverless-2016-10-31
Resources:
  Zipped:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: package.zip
      Handler: app.handler
      Runtime: python3.11
      Environment: {Variables: {COLOR: red}}
      Events: {E: {Type: Api, Properties: {Path: /zip, Method: get}}}
  Inline:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        def handler(event, context):
            return {"statusCode": 201, "body": "inline"}
      Handler: index.handler
      Runtime: python3.11
      Events: {E: {Type: Api, Properties: {Path: /inline, Method: get}}}
""")
    (tmp_path / "env.json").write_text(json.dumps({"Zipped": {"COLOR": "green", "UNDECLARED": "x"}}))
    running = RunningGateway(tmp_path / "template.yaml", watch=False, env_vars=tmp_path / "env.json")
    try:
        zipped = running.request("GET", "/zip")
        assert zipped.status == 200
        body = zipped.json()
        assert body["v"] == "green"  # env.json overrides a declared variable, as `sam local` does
        assert body["f"].startswith(str(tmp_path / ".lambdagate" / "packages" / "Zipped"))
        inline = running.request("GET", "/inline")
        assert (inline.status, inline.body) == (201, b"inline")
    finally:
        running.close()
