"""What moto lacks, with botocore's Stubber on recorded response shapes.

- GetExport: moto's export ignores `extensions=integrations` and the stage (moto/apigateway/models.py `export_api`:
  "Not all fields are implemented yet"), so the stage's deployed methods and the changes not deployed to it are read
  here from an oas30 export in the shape AWS writes (AGDG api-gateway-export-api.md; servers/basePath as in
  api-gateway-import-api-basePath.md; x-amazon-apigateway-integration as in
  api-as-lambda-proxy-export-swagger-with-extensions.md), with GetStage/GetResources/GetRestApi in the shapes of
  the API reference (API_GetStage, API_GetResources, API_RestApi).
- A refusal (AccessDeniedException), in the shape of Lambda's error answers.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from aws_emulator import FAKE_CREDENTIALS
from lambdagate.aws import deployed, doctor
from lambdagate.aws.access import AwsAccess
from lambdagate.aws.target import StageRef
from lambdagate.errors import LambdagateError

API = "a1b2c3d4e5"
ORDERS = "arn:aws:lambda:eu-west-1:111122223333:function:orders"
URI = f"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{ORDERS}/invocations"
EXPORT = {
    "openapi": "3.0.1",
    "info": {"title": "shop", "version": "2026-01-12T09:00:00Z"},
    "servers": [{"url": f"https://{API}.execute-api.eu-west-1.amazonaws.com/{{basePath}}",
                 "variables": {"basePath": {"default": "prod"}}}],
    "paths": {"/orders/{id}": {"get": {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "x-amazon-apigateway-integration": {"httpMethod": "POST", "uri": URI, "passthroughBehavior": "when_no_match",
                                            "timeoutInMillis": 29000, "type": "aws_proxy"}}}},
    "components": {},
}
STAGE = {"deploymentId": "d3pl0y", "stageName": "prod", "methodSettings": {"*/*": {
    "loggingLevel": "ERROR", "dataTraceEnabled": False, "metricsEnabled": False}}, "variables": {}}
# the CORS preflight SAM's Cors makes: a MOCK integration with a request template and no contentHandling
PREFLIGHT = {"OPTIONS": {"httpMethod": "OPTIONS", "authorizationType": "NONE", "methodIntegration": {
    "type": "MOCK", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}, "passthroughBehavior":
    "WHEN_NO_MATCH", "timeoutInMillis": 29000}}}
RESOURCES = {"items": [
    {"id": "r00t1d", "path": "/"},
    {"id": "0rd3rs", "parentId": "r00t1d", "pathPart": "orders", "path": "/orders", "resourceMethods": PREFLIGHT},
    {"id": "1d1d1d", "parentId": "0rd3rs", "pathPart": "{id}", "path": "/orders/{id}", "resourceMethods": {
        "GET": {"httpMethod": "GET", "authorizationType": "NONE", "methodIntegration": {
            "type": "AWS_PROXY", "httpMethod": "POST", "uri": URI, "timeoutInMillis": 29000}},
        "DELETE": {"httpMethod": "DELETE", "authorizationType": "NONE", "methodIntegration": {
            "type": "AWS_PROXY", "httpMethod": "POST", "uri": URI, "timeoutInMillis": 29000}}}}]}


@pytest.fixture
def access(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsAccess]:
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield AwsAccess("eu-west-1")


def stub_api(access: AwsAccess) -> Stubber:
    stubber = Stubber(access.client("apigateway"))
    body = json.dumps(EXPORT).encode()
    stubber.add_response("get_rest_api", {"id": API, "name": "shop", "binaryMediaTypes": ["*/*"]})
    stubber.add_response("get_stage", STAGE, {"restApiId": API, "stageName": "prod"})
    stubber.add_response("get_resources", RESOURCES, {"restApiId": API, "embed": ["methods"]})
    stubber.add_response("get_export", {"body": StreamingBody(io.BytesIO(body), len(body)),
                                        "contentType": "application/json"},
                         {"restApiId": API, "stageName": "prod", "exportType": "oas30",
                          "parameters": {"extensions": "integrations"}, "accepts": "application/json"})
    return stubber


def test_the_stage_serves_its_export_and_undeployed_changes_are_named(access: AwsAccess) -> None:
    lambda_stub = Stubber(access.client("lambda"))
    lambda_stub.add_client_error("get_function", "ResourceNotFoundException", "Function not found: " + ORDERS, 404)
    ref = StageRef(API, "prod", "eu-west-1", API)
    with stub_api(access), lambda_stub:
        stage = deployed.read(access, ref, None)
    assert stage.source == "the export of stage prod (GetExport)"
    assert stage.undeployed == ["OPTIONS /orders", "DELETE /orders/{id}"]
    [api] = stage.deployment.apis
    assert api.binary_media_types == ("*/*",)
    methods = {(r.path, v): m for r in api.resources for v, m in r.methods.items()}
    assert set(methods) == {("/orders/{id}", "GET")}
    method = methods[("/orders/{id}", "GET")]
    assert method.integration.function_arn == ORDERS
    assert str(method.location) == f"arn:aws:apigateway:eu-west-1::/restapis/{API}/resources/1d1d1d/methods/GET"
    assert stage.deployment.account_id == "111122223333"
    assert [s.logging_level for s in api.stage.method_settings] == ["ERROR"]


def test_doctor_names_the_undeployed_changes(access: AwsAccess) -> None:
    lambda_stub = Stubber(access.client("lambda"))
    lambda_stub.add_client_error("get_function", "ResourceNotFoundException", "Function not found: " + ORDERS, 404)
    ref = StageRef(API, "prod", "eu-west-1", API)
    with stub_api(access), lambda_stub:
        report = doctor.examine(access, [ref])
    [stage] = [c for c in report.checks if c.family == "stage"]
    [undeployed] = stage.findings
    assert undeployed.rule == "stage.undeployed-changes"
    assert "OPTIONS /orders, DELETE /orders/{id}" in undeployed.title
    assert undeployed.fix.startswith(f"`aws apigateway create-deployment --rest-api-id {API} --stage-name prod")
    assert stage.summary == "execution logging ERROR; access logging off"
    [integrations] = [c for c in report.checks if c.family == "integration"]
    assert [f.rule for f in integrations.findings] == ["integration.function-not-found",
                                                       "integration.binary-transform"]
    binary = integrations.findings[1]
    assert binary.level == "error" and binary.title.startswith("OPTIONS /orders: a MOCK integration")
    assert (f"aws apigateway update-integration --rest-api-id {API} --resource-id 0rd3rs --http-method OPTIONS "
            "--patch-operations op=replace,path=/contentHandling,value=CONVERT_TO_TEXT") in binary.fix


def test_a_refusal_names_the_permission_to_grant(access: AwsAccess) -> None:
    stubber = Stubber(access.client("lambda"))
    stubber.add_client_error("get_function", "AccessDeniedException", "User is not authorized to perform: "
                             "lambda:GetFunction", 403)
    with stubber, pytest.raises(LambdagateError, match="needs the read permission lambda:GetFunction; it never"):
        access.call("lambda", "get_function", FunctionName="orders")


def test_no_region_and_unknown_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    with pytest.raises(LambdagateError, match="no AWS region: pass --region"):
        AwsAccess()
    with pytest.raises(LambdagateError, match="--profile nosuch"):
        AwsAccess("us-east-1", "nosuch")
