"""`lambdagate doctor` on who may call (doctor/access.py, policy.py, handler.py): an authorizer function's resource
policy and handler, an authorizer function outside the template, a Cognito authorizer whose pool has no keys here,
a method requiring an API key that no usage plan accepts."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lambdagate.auth import tokens
from lambdagate.config import Source
from lambdagate.doctor import examine
from lambdagate.doctor.findings import Check, Report

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: auth.handle, Runtime: python3.12}
  GoodAuthFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: auth.handler, Runtime: python3.12}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Token: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /token, Method: get}}
        Good: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /good, Method: get, Auth: {Authorizer: GoodAuth}}}
        Pool: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /pool, Method: get, Auth: {Authorizer: Pool}}}
        Keyed: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /keyed, Method: get,
                                        Auth: {Authorizer: NONE, ApiKeyRequired: true}}}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        DefaultAuthorizer: TokenAuth
        Authorizers:
          TokenAuth: {FunctionArn: !GetAtt AuthFn.Arn, DisableFunctionDefaultPermissions: true}
          GoodAuth: {FunctionArn: !GetAtt GoodAuthFn.Arn}
          Outside: {FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:elsewhere"}
          Pool: {UserPoolArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_NoKeys"}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("doctor-access")
    (folder / "src").mkdir()
    (folder / "src" / "app.py").write_text("def handler(event, context):\n    return {'statusCode': 200}\n")
    (folder / "src" / "auth.py").write_text(textwrap.dedent("""\
        def handler(event, context):
            return {"principalId": "u", "policyDocument": {"Version": "2012-10-17", "Statement": []}}
    """))
    (folder / "template.yaml").write_text(TEMPLATE)
    return folder


@pytest.fixture(scope="module")
def report(app: Path) -> Report:
    return examine(Source(template=app / "template.yaml"))


def check(report: Report, function: str, family: str) -> Check:
    [found] = [c for c in report.checks if c.function == function and c.family == family]
    return found


def rules(c: Check) -> list[str]:
    return [f.rule for f in c.findings]


def test_an_authorizer_function_is_examined_like_an_integration_s(report: Report) -> None:
    """Its handler (the doctor's own handler check) and its resource policy for `<apiId>/authorizers/<id>`."""
    assert rules(check(report, "AuthFn", "handler")) == ["handler.function-missing"]
    [denied] = check(report, "AuthFn", "policy").findings
    assert denied.rule == "policy.authorizer-not-allowed" and "/authorizers/" in denied.title
    assert "Authorizer error" in denied.cause and "AWS::Lambda::Permission" in denied.fix
    good = check(report, "GoodAuthFn", "policy")
    assert good.mark == "pass" and "authorizer GoodAuth (Api)" in good.summary
    assert check(report, "GoodAuthFn", "handler").mark == "pass"


def test_who_may_call_for_the_template(report: Report, app: Path) -> None:
    access = check(report, "", "access")
    assert sorted(rules(access)) == ["access.api-key-without-usage-plan", "access.authorizer-function-not-in-template",
                                     "access.user-pool-without-keys"]
    by_rule = {f.rule: f for f in access.findings}
    assert "GET /keyed (Api, stage dev)" in by_rule["access.api-key-without-usage-plan"].title
    assert "403" in by_rule["access.api-key-without-usage-plan"].cause
    assert "lambdagate tokens us-east-1_NoKeys" in by_rule["access.user-pool-without-keys"].fix
    assert any("its function arn:aws:lambda:us-east-1:123456789012:function:elsewhere is not in the template" in n
               for n in report.notes)
    tokens.local_pool(app / ".lambdagate", "us-east-1_NoKeys")      # `lambdagate tokens` made the pool's keys
    again = check(examine(Source(template=app / "template.yaml")), "", "access")
    assert "access.user-pool-without-keys" not in rules(again)
