"""Plain CloudFormation (no SAM): an `AWS::ApiGateway::*` resource tree, `AWS::Lambda::Function` with local or inline
code, stages whose `fn` variable picks the function, permissions checked as AWS checks them, broken templates."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import APPS, write_project
from harness import RunningGateway
from lambdagate import Gateway
from lambdagate.definition.loader import load_definition
from lambdagate.definition.mapping import read_mapping
from lambdagate.definition.model.deployment import Deployment
from lambdagate.definition.model.restapi import Method, MethodSetting
from lambdagate.definition.stack import LoadOptions
from lambdagate.errors import DefinitionError

TEMPLATE = APPS / "cfn" / "template.yaml"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


@pytest.fixture(scope="module")
def orders() -> Iterator[RunningGateway]:
    """The template's first stage, prod (no --stage)."""
    running = RunningGateway(TEMPLATE, watch=False)
    yield running
    running.close()


def load(path: Path, tmp_path: Path, **options: object) -> Deployment:
    return load_definition(path, LoadOptions(state_dir=tmp_path / ".lambdagate", **options))  # type: ignore[arg-type]


def methods(deployment: Deployment) -> dict[tuple[str, str], Method]:
    return {(verb, r.path): m for api in deployment.apis for r in api.resources for verb, m in r.methods.items()}


# -- served over HTTP --------------------------------------------------------------------------------------------
def test_the_first_stage_is_served_and_its_variable_picks_the_function(orders: RunningGateway) -> None:
    reply = orders.request("GET", "/orders")
    assert reply.status == 200
    assert reply.json() == {"function": "orders-live", "variant": "live", "order": None, "stage": "prod",
                            "stageVariables": {"fn": "orders-live"}, "resource": "/orders"}
    created = orders.request("POST", "/orders", body='{"sku": "a1"}')
    assert (created.status, created.json()["function"]) == (201, "orders-live")
    one = orders.request("GET", "/orders/42")
    assert (one.json()["order"], one.json()["resource"]) == ("42", "/orders/{id}")


def test_inline_zipfile_code_runs_from_index_py(orders: RunningGateway) -> None:
    reply = orders.request("GET", "/health")
    assert (reply.status, reply.json()) == (200, {"ok": True, "function": "HealthFunction"})


def test_a_static_mock_integration_is_answered_by_the_gateway(orders: RunningGateway) -> None:
    reply = orders.request("GET", "/status")
    assert (reply.status, reply.body) == (200, b'{"status": "up"}')


def test_a_non_proxy_integration_is_reported_at_start_up_and_answered_501(orders: RunningGateway) -> None:
    line = f"{TEMPLATE.resolve()}:180: GET /report (OrdersApi): AWS integration with VTL mapping templates is " \
           "not emulated; requests to it answer 501"
    assert orders.console.count(line) == 1
    assert orders.request("GET", "/report").status == 501


def test_the_gateway_response_resource_customises_4xx(orders: RunningGateway) -> None:
    reply = orders.request("GET", "/nowhere")
    assert reply.status == 403
    assert reply.header("Access-Control-Allow-Origin") == "*"
    assert reply.json() == {"error": "Missing Authentication Token"}


def test_stage_settings_are_read(orders: RunningGateway) -> None:
    (api,) = orders.deployment.apis
    assert (api.name, api.binary_media_types) == ("orders-api", ("application/octet-stream",))
    stage = api.stage
    assert stage.access_log_destination == "arn:aws:logs:us-east-1:123456789012:log-group:/orders/access:*"
    assert stage.access_log_format == "$context.requestId $context.httpMethod $context.resourcePath $context.status"
    assert stage.method_settings == (
        MethodSetting("/*", "*", logging_level="INFO"),
        MethodSetting("/orders", "POST", throttling_burst_limit=5, throttling_rate_limit=10.0))
    assert methods(orders.deployment)[("POST", "/orders")].integration.timeout_ms == 5000


# -- another stage ----------------------------------------------------------------------------------------------
def test_another_stage_invokes_its_own_function_and_keeps_its_permissions() -> None:
    """`--stage dev`: `fn` is orders-beta there. The health permission names the prod stage only, so API Gateway
    may not invoke HealthFunction from dev: 500, as on AWS."""
    with Gateway.from_template(TEMPLATE, stage="dev", watch=False) as gateway:
        beta = gateway.request("GET", "/orders", test_invoke=False)
        assert json.loads(beta.body) == {"function": "orders-beta", "variant": "beta", "order": None, "stage": "dev",
                                         "stageVariables": {"fn": "orders-beta"}, "resource": "/orders"}
        health = gateway.request("GET", "/health", test_invoke=False)
        assert (health.status, health.body) == (500, '{"message": "Internal server error"}')
        assert "Execution failed due to configuration error: Invalid permissions on Lambda function" \
            in health.execution_log


def test_a_stage_no_api_has_is_an_error_listing_the_stages(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as info:
        load(TEMPLATE, tmp_path, stage="qa")
    assert str(info.value) == f"{TEMPLATE}: --stage: no API has a stage named 'qa' (stages: OrdersApi: prod, dev)"


# -- other shapes -----------------------------------------------------------------------------------------------
BODY = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: books, Runtime: python3.12, Handler: app.handler, Code: src}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: "3.0.1"
        info: {title: from-body, version: "1"}
        paths:
          /books:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"
            delete:
              summary: no integration yet
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
      StageName: v1
      StageDescription:
        LoggingLevel: ERROR
        DataTraceEnabled: true
        Variables: {mode: strict}
        MethodSettings:
          - {ResourcePath: "/~1books", HttpMethod: GET, CachingEnabled: false}
"""


def test_body_and_a_deployments_stage(tmp_path: Path) -> None:
    path = write_project(tmp_path, BODY)
    d = load(path, tmp_path)
    (api,) = d.apis
    assert (api.name, api.stage.name, api.stage.variables) == ("from-body", "v1", {"mode": "strict"})
    assert api.stage.method_settings == (MethodSetting(logging_level="ERROR", data_trace_enabled=True),
                                         MethodSetting("/books", "GET", caching_enabled=False))
    assert methods(d)[("GET", "/books")].integration.function_arn == ARN + "books"
    assert f"{path}:18: DELETE /books (Api): no integration: AWS refuses to deploy an API with such a method " \
           "(\"No integration defined for method\"); requests to it answer 501" in d.warnings


def test_body_s3_location_as_a_local_file(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(textwrap.dedent("""\
        swagger: "2.0"
        info: {title: packaged, version: "1"}
        paths:
          /items:
            post:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: POST
                uri: https://example.com/items
        """))
    path = write_project(tmp_path, """\
        Resources:
          Api:
            Type: AWS::ApiGateway::RestApi
            Properties: {BodyS3Location: api.yaml}
          Stage:
            Type: AWS::ApiGateway::Stage
            Properties: {RestApiId: !Ref Api, StageName: live, DeploymentId: abc123}
        """)
    d = load(path, tmp_path)
    assert (d.apis[0].name, d.apis[0].stage.deployment_id) == ("packaged", "abc123")
    assert d.warnings == (f"{tmp_path / 'api.yaml'}:5: POST /items (Api): HTTP_PROXY integration is not emulated; "
                          "requests to it answer 501",)


S3_CODE = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: orders
      Runtime: python3.12
      Handler: app.handler
      Code: {S3Bucket: my-artifacts, S3Key: orders.zip}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: api}
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: ANY
      AuthorizationType: AWS_IAM
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Outside}/invocations"
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Api, StageName: prod}
Parameters:
  Outside: {Type: String, Default: "arn:aws:lambda:us-east-1:123456789012:function:outside"}
"""


def test_code_in_s3_and_functions_outside_the_template_come_from_the_mapping(tmp_path: Path) -> None:
    path = write_project(tmp_path, S3_CODE)
    with pytest.raises(DefinitionError) as info:
        load(path, tmp_path)
    assert str(info.value).startswith(f"{path}:8: Resources.Fn.Properties.Code: Code is in S3 "
                                      "(s3://my-artifacts/orders.zip);")
    assert "--function NAME=PATH:HANDLER:RUNTIME" in str(info.value)
    mapping = read_mapping(None, [f"orders={tmp_path / 'src'}:app.handler:python3.12",
                                  f"{ARN}outside={tmp_path / 'src'}:app.other:python3.11"])
    d = load(path, tmp_path, mapping=mapping)
    assert d.functions[ARN + "orders"].code_dir == str(tmp_path / "src")
    assert (d.functions[ARN + "outside"].handler, d.functions[ARN + "outside"].runtime) == ("app.other", "python3.11")
    assert d.warnings == ()   # AWS_IAM is checked (authorization.py): nothing to say at start-up
    unmapped = load(path, tmp_path, mapping=read_mapping(None, [f"orders={tmp_path / 'src'}:app.handler:python3.12"]))
    assert unmapped.warnings[-1] == (f"{path}:12: ANY / (Api): integrates {ARN}outside, which the definition does "
                                     "not define; requests to it answer 502 (Function not found) unless it is "
                                     "mapped with --function NAME=PATH:HANDLER:RUNTIME")


API = """\
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: api}
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, StageName: prod}
"""


@pytest.mark.parametrize(("extra", "line", "words"), [
    ("  M:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n"
     "      ResourceId: !Ref Nowhere\n      HttpMethod: GET\n", 5, "!Ref Nowhere: no parameter or resource"),
    ("  R:\n    Type: AWS::ApiGateway::Resource\n    Properties:\n      RestApiId: !Ref Api\n"
     "      ParentId: !GetAtt Api.RootResourceId\n", 3, "needs PathPart"),
    ("  R:\n    Type: AWS::ApiGateway::Resource\n    Properties:\n      RestApiId: !Ref Api\n"
     "      ParentId: abc123\n      PathPart: x\n", 5, "'abc123' is neither !GetAtt <RestApi>.RootResourceId"),
    ("  M:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n"
     "      ResourceId: !GetAtt Api.RootResourceId\n      HttpMethod: GET\n      Integration:\n"
     "        Type: AWS_PROXY\n        TimeoutInMillis: soon\n", 7, "expected a whole number, got 'soon'"),
    ("  M:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Fn\n"
     "      ResourceId: !GetAtt Api.RootResourceId\n      HttpMethod: GET\n  Fn:\n    Type: AWS::Lambda::Function\n"
     "    Properties: {Runtime: python3.12, Handler: app.handler, Code: src}\n", 4,
     "is not a AWS::ApiGateway::RestApi or AWS::Serverless::Api of this template"),
    ("  G:\n    Type: AWS::ApiGateway::GatewayResponse\n    Properties:\n      RestApiId: !Ref Api\n"
     "      ResponseType: DEFAULT_4XX\n      StatusCode: four-oh-four\n", 6,
     "expected a whole number"),
    ("  S2:\n    Type: AWS::ApiGateway::Stage\n    Properties: {RestApiId: !Ref Api}\n", 3, "needs StageName"),
    ("  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n"
     "      Code: build/missing\n", 6, "Code 'build/missing': no such folder or .zip"),
    ("  B:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      BodyS3Location: {Bucket: b, Key: api.yaml}\n"
     "  BS:\n    Type: AWS::ApiGateway::Stage\n    Properties: {RestApiId: !Ref B, StageName: prod}\n",
     4, "BodyS3Location is in S3"),
])
def test_broken_templates_name_file_line_and_field(tmp_path: Path, extra: str, line: int, words: str) -> None:
    """`line` counts within `extra`, which follows the 7 lines of API."""
    path = write_project(tmp_path, API + extra)
    with pytest.raises(DefinitionError) as info:
        load(path, tmp_path)
    message = str(info.value)
    assert message.startswith(f"{path}:{7 + line}:"), message
    assert words in message


def test_cli_serves_cloudformation_and_reports_errors_without_traceback(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "lambdagate", "test-invoke", "GET", "/orders/7", "--template",
                           str(TEMPLATE), "--json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(json.loads(done.stdout)["body"])["order"] == "7"
    broken = write_project(tmp_path, S3_CODE)
    done = subprocess.run([sys.executable, "-m", "lambdagate", "serve", "--template", str(broken)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"lambdagate: error: {broken}:8: Resources.Fn.Properties.Code: Code is in S3")
