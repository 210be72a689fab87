"""`lambdagate doctor --aws` against moto's server: faulty shapes deployed with boto3, each proven by its finding,
with the AWS resource named and the CLI fix; only read-only calls made.

Deployed: `orders` (a .zip whose app.py is 0600, an answer whose body is an object, a permission for POST only)
behind GET /orders and GET /legacy (integration httpMethod GET); `reports` (Timeout 60, reserved concurrency 0)
behind GET /reports; GET /ghost integrating a function that does not exist; stage `prod` with logging off. A second
API comes from a CloudFormation stack, for `--stack`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import boto3
import pytest

import conftest
from aws_emulator import aws_environment
from aws_shapes import (
    ACCOUNT,
    REGION,
    PackageHost,
    allow,
    function,
    host_packages,
    package_host,
    proxy_method,
    report_zero_concurrency,
    resource,
    role,
)
from lambdagate.aws import doctor, target
from lambdagate.aws.access import READ_ONLY_OPERATIONS, AwsAccess
from lambdagate.doctor.findings import Check, Finding, Report

SERVICE_IDS = {"api-gateway": "apigateway", "cloudwatch-logs": "logs"}
TODAY = date(2026, 1, 15)   # before python3.12's deprecation (doctor/limits.py)
GOOD = "import json\n\ndef handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps({'ok': True})}\n"
MALFORMED = "def handler(event, context):\n    return {'statusCode': 200, 'body': {'id': 1}}\n"
STACK = {"Resources": {
    "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
    "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "index.handler", "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        "Code": {"ZipFile": "def handler(e, c):\n    return {'statusCode': 200, 'body': 'hi'}\n"}}},
    "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "stacked"}},
    "Hello": {"Type": "AWS::ApiGateway::Resource", "Properties": {
        "RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "hello"}},
    "Get": {"Type": "AWS::ApiGateway::Method", "Properties": {
        "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Hello"}, "HttpMethod": "GET", "AuthorizationType": "NONE",
        "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": {"Fn::Sub":
            "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}}},
    "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": "Get",
                   "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "live"}},
}}


@dataclass
class Deployed:
    endpoint: str
    host: PackageHost
    api_id: str
    ids: dict[str, str]            # path -> resource id


@pytest.fixture(scope="module")
def aws() -> Iterator[Deployed]:
    with aws_environment() as endpoint, package_host() as host:
        session = boto3.Session(region_name=REGION)
        arn = role(session)
        orders = function(session, host, "orders", arn, {"app.py": (MALFORMED, 0o600)})
        reports = function(session, host, "reports", arn, {"app.py": (GOOD, 0o644)}, Timeout=60)
        session.client("lambda").put_function_concurrency(FunctionName="reports", ReservedConcurrentExecutions=0)
        ghost = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:ghost"
        api = session.client("apigateway").create_rest_api(name="shop")["id"]
        ids = {f"/{part}": resource(session, api, part) for part in ("orders", "legacy", "reports", "ghost")}
        proxy_method(session, api, ids["/orders"], "GET", orders)
        proxy_method(session, api, ids["/legacy"], "GET", orders, integration_verb="GET")
        proxy_method(session, api, ids["/reports"], "GET", reports)
        proxy_method(session, api, ids["/ghost"], "GET", ghost)
        allow(session, "orders", "post-only", f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api}/*/POST/orders")
        allow(session, "reports", "reports", f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api}/*/GET/reports")
        session.client("apigateway").create_deployment(restApiId=api, stageName="prod")
        session.client("cloudformation").create_stack(StackName="shop-stack", TemplateBody=json.dumps(STACK))
        yield Deployed(endpoint, host, api, ids)


def access_for(aws: Deployed) -> AwsAccess:
    access = AwsAccess(REGION)
    host_packages(access, aws.host)
    report_zero_concurrency(access, {"reports"})
    return access


@pytest.fixture(scope="module")
def examined(aws: Deployed) -> tuple[Report, AwsAccess, list[str]]:
    access = access_for(aws)
    sent: list[str] = []   # every operation botocore prepares, seen independently of lambdagate's own guard
    access.session.events.register("before-parameter-build", lambda event_name, **_: sent.append(event_name))
    refs = target.resolve(access, None, aws.api_id, "prod")
    return doctor.examine(access, refs, TODAY), access, sent


def checks(report: Report, function: str, family: str) -> Check:
    [found] = [c for c in report.checks if c.function == function and c.family == family]
    return found


def finding(report: Report, function: str, family: str, rule: str) -> list[Finding]:
    found = [f for f in checks(report, function, family).findings if f.rule == rule]
    assert found, checks(report, function, family)
    return found


def evidence(f: Finding) -> str:
    return "\n".join(str(e) for e in f.evidence)


def test_zip_entry_modes_of_the_deployed_package(examined: tuple[Report, AwsAccess, list[str]]) -> None:
    [f] = finding(examined[0], "orders", "package", "package.zip-unreadable")
    assert "-rw------- app.py" in evidence(f)
    assert "the deployed package of orders" in evidence(f)
    assert "aws lambda update-function-code --function-name orders --zip-file fileb://orders.zip" in f.fix


def test_the_deployed_code_is_invoked_and_its_answer_validated(examined: tuple[Report, AwsAccess, list[str]]
                                                               ) -> None:
    [found] = finding(examined[0], "orders", "response", "response.malformed")
    assert found.title == "GET /legacy: body: expected a string, got an object"
    assert "also GET /orders" in evidence(found)      # the same violation on both routes is one finding
    assert checks(examined[0], "orders", "handler").mark == "pass"


def test_resource_policy_from_get_policy(aws: Deployed, examined: tuple[Report, AwsAccess, list[str]]) -> None:
    found = finding(examined[0], "orders", "policy", "policy.not-allowed")
    assert [f.title.split(":")[0] for f in found] == ["GET /legacy", "GET /orders"]
    first = found[1]
    assert "orders's resource policy Statement[0] (post-only)" in evidence(first)
    assert "method: 'POST' does not match 'GET'" in evidence(first)
    method = f"arn:aws:apigateway:{REGION}::/restapis/{aws.api_id}/resources/{aws.ids['/orders']}/methods/GET"
    assert first.evidence[0].file == method
    assert (f'aws lambda add-permission --function-name orders --statement-id apigateway-{aws.api_id}-GET-orders '
            f'--action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn '
            f'"arn:aws:execute-api:{REGION}:{ACCOUNT}:{aws.api_id}/*/GET/orders" --region {REGION}') in first.fix
    assert checks(examined[0], "reports", "policy").mark == "pass"


def test_integrations(aws: Deployed, examined: tuple[Report, AwsAccess, list[str]]) -> None:
    [http] = finding(examined[0], "", "integration", "integration.http-method")
    assert http.title == "GET /legacy: the integration's httpMethod is GET"
    assert (f"aws apigateway update-integration --rest-api-id {aws.api_id} --resource-id {aws.ids['/legacy']} "
            "--http-method GET --patch-operations op=replace,path=/httpMethod,value=POST") in http.fix
    assert f"aws apigateway create-deployment --rest-api-id {aws.api_id} --stage-name prod" in http.fix
    [ghost] = finding(examined[0], "", "integration", "integration.function-not-found")
    assert ghost.level == "error" and "does not exist in us-east-1" in ghost.title
    assert "Function not found" in ghost.cause


def test_limits_from_the_function_configuration(examined: tuple[Report, AwsAccess, list[str]]) -> None:
    [slow] = finding(examined[0], "reports", "limits", "limits.timeout-over-integration")
    assert "aws lambda update-function-configuration --function-name reports --timeout 29" in slow.fix
    [zero] = finding(examined[0], "reports", "limits", "limits.reserved-concurrency-zero")
    assert "aws lambda delete-function-concurrency --function-name reports" in zero.fix


def test_stage_with_logging_off(aws: Deployed, examined: tuple[Report, AwsAccess, list[str]]) -> None:
    [off] = finding(examined[0], "", "stage", "stage.execution-logging-off")
    assert off.level == "warning"
    assert off.evidence[0].file == f"arn:aws:apigateway:{REGION}::/restapis/{aws.api_id}/stages/prod"
    assert "op=replace,path=/*/*/logging/loglevel,value=INFO" in off.fix
    assert "update-account" in off.fix


def test_only_read_only_calls(examined: tuple[Report, AwsAccess, list[str]]) -> None:
    report, access, sent = examined
    assert access.calls and set(access.calls) <= READ_ONLY_OPERATIONS
    operations = {tuple(name.split(".")[1:3]) for name in sent}
    assert operations, sent
    # botocore's event names carry the service id (api-gateway, cloudwatch-logs); the constant the client names
    names = {(SERVICE_IDS.get(s, s), op) for s, op in operations}
    assert names <= READ_ONLY_OPERATIONS, names - READ_ONLY_OPERATIONS
    assert any("read-only AWS calls" in note for note in report.notes)


def test_a_write_is_refused_before_it_is_sent(aws: Deployed) -> None:
    access = AwsAccess(REGION)
    from lambdagate.aws.access import WriteRefused
    with pytest.raises(WriteRefused, match="lambda DeleteFunction is not one of its read-only calls"):
        access.call("lambda", "delete_function", FunctionName="orders")
    assert boto3.Session(region_name=REGION).client("lambda").get_function(FunctionName="orders")
    assert access.calls == []


def test_stack_names_the_api_and_its_stage(aws: Deployed) -> None:
    access = access_for(aws)
    [ref] = target.resolve(access, "shop-stack", None, None)
    assert (ref.stage, ref.name, ref.stack) == ("live", "Api", "shop-stack")
    report = doctor.examine(access, [ref], TODAY)
    marks = {c.family: c.mark for c in report.checks if c.function.startswith("shop-stack-Fn")}
    # the package moto made from the stack's inline ZipFile is not served: those checks say why they did not run
    assert marks == {"handler": "skip", "package": "skip", "response": "skip", "policy": "fail", "limits": "pass"}
    assert any("stack shop-stack manages" in note for note in report.notes)
    [policy] = [c for c in report.checks if c.family == "policy"]
    assert "Stack shop-stack manages it" in policy.findings[0].fix


def run_cli(*argv: str, access: AwsAccess | None = None) -> tuple[int, str]:
    with pytest.MonkeyPatch.context() as patch:
        if access is not None:
            patch.setattr("lambdagate.aws.commands.AwsFlags.access", lambda self: access)
        return conftest.run_cli(*argv)


def test_cli_json_sarif_and_annotations(aws: Deployed, tmp_path: Path) -> None:
    base = ("doctor", "--aws", "--rest-api-id", aws.api_id, "--stage", "prod", "--region", REGION)
    code, text = run_cli(*base, "--json", access=access_for(aws))
    assert code == 1
    rules = {f["rule"] for c in json.loads(text)["checks"] for f in c["findings"]}
    assert {"package.zip-unreadable", "policy.not-allowed", "stage.execution-logging-off"} <= rules
    sarif = tmp_path / "aws.sarif"
    code, text = run_cli(*base, "--sarif", str(sarif), "--annotations", access=access_for(aws))
    assert code == 1
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results if r["locations"]}
    assert f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders" in uris
    annotations = [line for line in text.splitlines() if line.startswith("::")]
    assert any(line.startswith(f"::error file=arn%3Aaws%3Aapigateway%3A{REGION}%3A%3A/restapis/{aws.api_id}/")
               for line in annotations)
    assert any(line.startswith("::warning ") and "stage.execution-logging-off" not in line and
               "execution logging is off" in line for line in annotations)


def test_cli_says_what_it_needs(aws: Deployed) -> None:
    assert run_cli("doctor", "--aws")[0] == 2
    assert run_cli("doctor", "--aws", "--rest-api-id", "nosuchapi", "--stage", "prod", "--region", REGION)[0] == 2
    assert run_cli("doctor", "--stack", "shop-stack")[0] == 2          # --stack without --aws


def test_without_credentials_it_says_how_to_give_them(aws: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code, _ = run_cli("doctor", "--aws", "--rest-api-id", aws.api_id, "--stage", "prod", "--region", REGION)
    assert code == 2
    assert "no AWS credentials" in err.getvalue()


