"""Templates as users write them, and broken ones: one clear error naming file, line and field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_project
from lambdagate.definition.sam import LoadOptions, load_deployment
from lambdagate.errors import DefinitionError

GOOD = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Runtime: python3.11
    Timeout: 7
    Environment:
      Variables:
        SHARED: global
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      MemorySize: !If [IsProd, 1024, 256]
      Environment:
        Variables:
          STAGE: !Sub "stage-${Stage}"
          TABLE: !Ref Stage
      Events:
        Get:
          Type: Api
          Properties: {Path: "/things/{id}", Method: get}
        Named:
          Type: Api
          Properties: {Path: /named, Method: any, RestApiId: !Ref NamedApi}
  NamedApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      Variables: {v: "1"}
"""


def test_sam_template_with_globals_parameters_conditions(tmp_path: Path) -> None:
    d = load_deployment(write_project(tmp_path, GOOD), LoadOptions(state_dir=tmp_path / ".lambdagate"))
    (fn,) = d.functions.values()
    assert fn.arn == "arn:aws:lambda:us-east-1:123456789012:function:Fn"
    assert fn.timeout == 7.0 and fn.memory_size == 256
    assert dict(fn.environment) == {"SHARED": "global", "STAGE": "stage-dev", "TABLE": "dev"}
    assert fn.code_dir == str((tmp_path / "src").resolve())
    implicit, named = d.apis
    assert (implicit.logical_id, implicit.stage.name) == ("ServerlessRestApi", "Prod")
    assert (named.logical_id, named.stage.name, named.stage.variables) == ("NamedApi", "dev", {"v": "1"})
    assert {r.path for r in implicit.resources} == {"/", "/things", "/things/{id}"}
    assert [r.methods for r in named.resources if r.path == "/named"][0].keys() == {"ANY"}
    # SAM's implicit permissions: any stage, ANY -> *, path variables -> *
    arns = sorted(p.source_arn or "" for p in d.permissions)
    assert arns == sorted([f"arn:aws:execute-api:us-east-1:123456789012:{implicit.id}/*/GET/things/*",
                           f"arn:aws:execute-api:us-east-1:123456789012:{named.id}/*/*/named"])


def test_parameter_overrides_and_ids_are_stable(tmp_path: Path) -> None:
    path = write_project(tmp_path, GOOD)
    first = load_deployment(path, LoadOptions(parameter_overrides={"Stage": "prod"}, state_dir=tmp_path / ".s"))
    again = load_deployment(path, LoadOptions(parameter_overrides={"Stage": "prod"}, state_dir=tmp_path / ".s"))
    (fn,) = first.functions.values()
    assert fn.memory_size == 1024
    assert [a.id for a in first.apis] == [a.id for a in again.apis]
    assert all(len(a.id) == 10 and a.id.isalnum() and a.id.islower() or a.id.isdigit() for a in first.apis)


def test_json_template(tmp_path: Path) -> None:
    data = {"Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {
        "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
        "Events": {"E": {"Type": "Api", "Properties": {"Path": "/", "Method": "get"}}}}}}}
    d = load_deployment(write_project(tmp_path, json.dumps(data, indent=2), "template.json"),
                        LoadOptions(state_dir=tmp_path / ".s"))
    assert [r.path for r in d.apis[0].resources] == ["/"]


def test_sam_resources_without_the_transform_are_served_and_named(tmp_path: Path) -> None:
    """CloudFormation refuses `AWS::Serverless::*` without `Transform: AWS::Serverless-2016-10-31` ("Template format
    error: Unrecognized resource types", aws/aws-toolkit-jetbrains#3237); aws-samples/serverless-patterns
    apigw-lambda-request-validator is such a template. Served as SAM expands it, and said at start-up."""
    data = {"Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {
        "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
        "Events": {"E": {"Type": "Api", "Properties": {"Path": "/", "Method": "get"}}}}}}}
    d = load_deployment(write_project(tmp_path, json.dumps(data, indent=2), "template.json"),
                        LoadOptions(state_dir=tmp_path / ".s"))
    assert [r.path for r in d.apis[0].resources] == ["/"]
    assert d.warnings == (f"{tmp_path / 'template.json'}:4: AWS::Serverless::Function without `Transform: "
                          "AWS::Serverless-2016-10-31`: CloudFormation refuses this template (Template format error: "
                          "Unrecognized resource types: [AWS::Serverless::Function]); lambdagate serves it as the SAM "
                          "transform would expand it",)
    transformed = json.dumps({"Transform": "AWS::Serverless-2016-10-31", **data})
    with_transform = load_deployment(write_project(tmp_path, transformed, "again.json"),
                                     LoadOptions(state_dir=tmp_path / ".s"))
    assert with_transform.warnings == ()


@pytest.mark.parametrize(("text", "line", "words"), [
    ("Resources:\n  Fn:\n    Type: [unclosed\n", 4, "invalid YAML"),
    ("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n"
     "      Runtime: python3.11\n", 4, "has no Handler"),
    ("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: nowhere/\n"
     "      Handler: app.handler\n      Runtime: python3.11\n", 5, "no such folder"),
    ("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n"
     "      Handler: !Ref Missing\n      Runtime: python3.11\n", 6, "no parameter or resource"),
    ("Parameters:\n  Needed:\n    Type: String\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n", 2,
     "--parameter-overrides Needed=VALUE"),
    ("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n"
     "      Handler: app.handler\n      Runtime: python3.11\n      Events:\n        E:\n          Type: Api\n"
     "          Properties:\n            Path: /x\n            Method: get\n            RestApiId: !Ref Nope\n",
     14, "RestApiId 'Nope'"),
    ("Resources:\n  Fn:\n    Properties: {}\n", 2, "needs a 'Type'"),
    ("Resources: {}\n", 1, "non-empty 'Resources'"),
    ("- just\n- a list\n", 1, "a mapping"),
])
def test_broken_templates_name_file_line_and_field(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write_project(tmp_path, text)
    with pytest.raises(DefinitionError) as info:
        load_deployment(path, LoadOptions(state_dir=tmp_path / ".s"))
    message = str(info.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert words in message


def test_cli_reports_a_broken_template_in_one_line_without_traceback(tmp_path: Path) -> None:
    path = write_project(tmp_path, "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                           "      Handler: app.handler\n")
    done = subprocess.run([sys.executable, "-m", "lambdagate", "serve", "--template", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"lambdagate: error: {path}:4: Resources.Fn.Properties: function Fn has no Runtime"]


def test_cli_without_a_template_says_what_to_do(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "lambdagate", "serve"], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert "no template.yaml" in done.stderr and "--template" in done.stderr


SAM_API = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
      Events:
        Get: {Type: Api, Properties: {Path: /x, Method: get, RestApiId: !Ref Api}}
  Raw:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.11, Handler: app.handler, Code: src/}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      MethodSettings:
        - {ResourcePath: "/*", HttpMethod: "*", LoggingLevel: ERROR, ThrottlingRateLimit: 5}
      GatewayResponses:
        DEFAULT_4XX:
          StatusCode: 404
          ResponseParameters:
            Headers: {Access-Control-Allow-Origin: "'*'"}
            QueryStrings: {q: method.request.querystring.q}
          ResponseTemplates:
            application/json: '{"error": $context.error.messageString}'
        UNAUTHORIZED: {}
"""


def test_sam_gateway_responses_method_settings_and_a_plain_lambda_function(tmp_path: Path) -> None:
    from lambdagate.definition.model.restapi import GatewayResponse, MethodSetting

    d = load_deployment(write_project(tmp_path, SAM_API), LoadOptions(state_dir=tmp_path / ".s"))
    (api,) = d.apis
    assert api.gateway_responses == (
        GatewayResponse("DEFAULT_4XX", 404, (("gatewayresponse.header.Access-Control-Allow-Origin", "'*'"),
                                             ("gatewayresponse.querystring.q", "method.request.querystring.q")),
                        (("application/json", '{"error": $context.error.messageString}'),)),
        GatewayResponse("UNAUTHORIZED"))
    assert api.stage.method_settings == (MethodSetting(logging_level="ERROR", throttling_rate_limit=5.0),)
    assert sorted(f.logical_id for f in d.functions.values()) == ["Fn", "Raw"]   # SAM templates mix in CloudFormation


@pytest.mark.parametrize(("old", "new", "words"), [
    ("            Headers: {", "            Header: {", "Invalid gateway response parameter 'Header'"),
    ("          StatusCode: 404", "          StatusCode: not-found", "Property 'StatusCode' must be numeric"),
])
def test_sam_gateway_response_errors_are_sams(tmp_path: Path, old: str, new: str, words: str) -> None:
    text = SAM_API.replace(old, new)
    path = write_project(tmp_path, text)
    with pytest.raises(DefinitionError) as info:
        load_deployment(path, LoadOptions(state_dir=tmp_path / ".s"))
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(new))
    assert str(info.value).startswith(f"{path}:{line}:") and words in str(info.value), str(info.value)
