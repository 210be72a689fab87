"""definition/auth.py, sam_auth.py, restapi_security.py, usage_plans.py, validators.py: who may call and what they must
send, read from SAM `Auth`, CloudFormation resources and OpenAPI documents, and what AWS or SAM would refuse named
with file:line (aws-auth.md §4.4, §5, §6)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from conftest import write_project
from lambdagate.definition.loader import load_definition
from lambdagate.definition.mapping import read_mapping
from lambdagate.definition.model.auth import MethodAuth
from lambdagate.definition.model.deployment import Deployment
from lambdagate.definition.model.restapi import Api, Method
from lambdagate.definition.stack import LoadOptions
from lambdagate.errors import DefinitionError

ACCOUNT_ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Pool1"

SAM = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    Auth:
      AddDefaultAuthorizerToCorsPreflight: false
Resources:
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Open: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /open, Method: get, Auth: {Authorizer: NONE}}}
        Default: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /items, Method: get}}
        Me:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /me
            Method: get
            Auth: {Authorizer: CognitoAuth, AuthorizationScopes: [orders/read]}
        Pool: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /pool, Method: get, Auth: {Authorizer: CognitoAuth}}}
        Iam: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /iam, Method: post, Auth: {Authorizer: AWS_IAM}}}
        Keyed: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /keyed, Method: get, Auth: {ApiKeyRequired: true}}}
        Req: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /req, Method: any, Auth: {Authorizer: RequestAuth}}}
        Users:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /users
            Method: post
            Auth: {Authorizer: NONE}
            RequestModel: {Model: User, Required: true, ValidateBody: true, ValidateParameters: true}
            RequestParameters:
              - method.request.querystring.q: {Required: true}
              - method.request.header.X-Trace
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Cors: "'*'"
      Models:
        User: {type: object, required: [email], properties: {email: {type: string}}}
      Auth:
        DefaultAuthorizer: TokenAuth
        Authorizers:
          TokenAuth:
            FunctionArn: !GetAtt AuthFn.Arn
            Identity: {Header: X-Token, ValidationExpression: "^Bearer .+$", ReauthorizeEvery: 60}
          RequestAuth:
            FunctionArn: !GetAtt AuthFn.Arn
            FunctionPayloadType: REQUEST
            Identity: {Headers: [X-User], QueryStrings: [tenant], Context: [sourceIp], ReauthorizeEvery: 0}
          CognitoAuth:
            UserPoolArn: POOL_ARN
            AuthorizationScopes: [orders/write]
        UsagePlan:
          CreateUsagePlan: PER_API
          Quota: {Limit: 100, Period: DAY}
          Throttle: {RateLimit: 5, BurstLimit: 2}
""".replace("POOL_ARN", POOL)


def load(path: Path, **options: object) -> Deployment:
    return load_definition(path, LoadOptions(state_dir=path.parent / ".lambdagate", **options))  # type: ignore[arg-type]


def methods(api: Api) -> dict[tuple[str, str], Method]:
    return {(verb, r.path): m for r in api.resources for verb, m in r.methods.items()}


def test_sam_auth(tmp_path: Path) -> None:
    d = load(write_project(tmp_path, SAM))
    [api] = d.apis
    by_name = {a.name: a for a in api.authorizers}
    token, request, cognito = by_name["TokenAuth"], by_name["RequestAuth"], by_name["CognitoAuth"]
    assert (token.type, token.identity_source, token.validation_expression, token.ttl_seconds, token.function_arn) == (
        "TOKEN", ("method.request.header.X-Token",), "^Bearer .+$", 60, ACCOUNT_ARN + "AuthFn")
    assert (request.identity_source, request.ttl_seconds, request.validation_expression) == (
        ("method.request.header.X-User", "method.request.querystring.tenant", "context.sourceIp"), 0, None)
    assert (cognito.type, cognito.identity_source, cognito.provider_arns, cognito.ttl_seconds) == (
        "COGNITO_USER_POOLS", ("method.request.header.Authorization",), (POOL,), 300)
    m = methods(api)
    assert m[("GET", "/open")].auth == MethodAuth()
    assert m[("GET", "/items")].auth == MethodAuth("CUSTOM", token.id)
    assert m[("GET", "/me")].auth == MethodAuth("COGNITO_USER_POOLS", cognito.id, ("orders/read",))
    assert m[("GET", "/pool")].auth.scopes == ("orders/write",)   # the authorizer's AuthorizationScopes
    assert m[("POST", "/iam")].auth == MethodAuth("AWS_IAM")
    assert m[("GET", "/keyed")].auth == MethodAuth("CUSTOM", token.id, api_key_required=True)
    assert m[("ANY", "/req")].auth == MethodAuth("CUSTOM", request.id)
    assert m[("OPTIONS", "/items")].auth == MethodAuth()   # AddDefaultAuthorizerToCorsPreflight: false (Globals)
    users = m[("POST", "/users")].request
    [validator] = api.request_validators
    assert (validator.name, validator.validate_body, validator.validate_parameters) == ("body-and-params", True, True)
    assert users == type(users)(validator.id, (("method.request.querystring.q", True),
                                               ("method.request.header.X-Trace", False)),
                                (("application/json", "User"),))
    assert api.model("User") is not None and api.model("Empty") is not None
    [key] = d.api_keys
    [plan] = d.usage_plans
    assert (key.name, key.enabled, key.generated, len(key.value)) == ("ApiApiKey", True, True, 40)
    assert (plan.name, [(s.api_id, s.stage) for s in plan.stages], plan.key_ids) == (
        "ApiUsagePlan", [(api.id, "dev")], (key.id,))
    assert (plan.throttle.rate_limit, plan.throttle.burst_limit, plan.quota.limit, plan.quota.period) == (  # type: ignore[union-attr]
        5.0, 2, 100, "DAY")
    authorizer_permissions = [p for p in d.permissions if p.source_arn and "/authorizers/" in p.source_arn]
    assert [(p.function, p.source_arn) for p in authorizer_permissions] == [
        (ACCOUNT_ARN + "AuthFn", f"arn:aws:execute-api:us-east-1:123456789012:{api.id}/authorizers/*")] * 2
    assert not any("not emulated" in w for w in d.warnings)   # every form is enforced (authorization.py)
    assert load(write_project(tmp_path, SAM)).api_keys[0].value == key.value   # the same generated key next time


@pytest.mark.parametrize(("change", "message", "line"), [
    (("Auth: {Authorizer: NONE}}}\n        Default", "Auth: {Authorizer: Nope}}}\n        Default"),
     "Unable to set Authorizer [Nope] on API method [get] for path [/open] because it wasn't defined in the API's "
     "Authorizers.", 17),
    (("DefaultAuthorizer: TokenAuth", "DefaultAuthorizer: Other"),
     "Unable to set DefaultAuthorizer because 'Other' was not defined in 'Authorizers'.", 49),
    (("{Headers: [X-User], QueryStrings: [tenant], Context: [sourceIp], ReauthorizeEvery: 0}",
      "{ReauthorizeEvery: 10}"),
     "RequestAuth Authorizer must specify Identity with at least one of Headers, QueryStrings, StageVariables, or "
     "Context.", 57),
    ((f"UserPoolArn: {POOL}", "UserPoolArn: my-pool"), "'my-pool' is not a user pool ARN", 58),
    (("ReauthorizeEvery: 60", "ReauthorizeEvery: 7200"), "the result TTL is 0 to 3600 seconds, got 7200", 51),
    (("ValidationExpression: \"^Bearer .+$\"", "ValidationExpression: \"(unclosed\""),
     "is not a regular expression", 51),
    (("{Model: User,", "{Model: Person,"), "Unable to set RequestModel [Person] on API method [post] for path "
     "[/users] because it wasn't defined in the API's Models.", 37),
    (("CreateUsagePlan: PER_API", "CreateUsagePlan: MAYBE"), "CreateUsagePlan is PER_API, SHARED or NONE", 62),
], ids=["sam-unknown-authorizer", "sam-unknown-default", "sam-request-without-identity", "cognito-arn",
        "sec1.1-DOC-ttl-max", "bad-regex", "sam-unknown-model", "sam-usage-plan-mode"])
def test_sam_auth_errors(tmp_path: Path, change: tuple[str, str], message: str, line: int) -> None:
    assert change[0] in SAM
    path = write_project(tmp_path, SAM.replace(*change))
    with pytest.raises(DefinitionError) as info:
        load(path)
    assert message in str(info.value)
    assert info.value.line == line, str(info.value)


def test_sam_none_needs_a_default_authorizer(tmp_path: Path) -> None:
    text = SAM.replace("        DefaultAuthorizer: TokenAuth\n", "").replace(
        "Path: /items, Method: get}", "Path: /items, Method: get, Auth: {Authorizer: TokenAuth}}").replace(
        "Path: /keyed, Method: get, Auth: {ApiKeyRequired: true}", "Path: /keyed, Method: get, Auth: {Authorizer: "
        "TokenAuth, ApiKeyRequired: true}")
    with pytest.raises(DefinitionError, match="'NONE' is only a valid value when a DefaultAuthorizer"):
        load(write_project(tmp_path, text))


def test_sam_shared_usage_plan_and_api_wide_api_key(tmp_path: Path) -> None:
    text = SAM.replace("CreateUsagePlan: PER_API", "CreateUsagePlan: SHARED").replace(
        "        DefaultAuthorizer: TokenAuth\n",
        "        DefaultAuthorizer: TokenAuth\n        ApiKeyRequired: true\n")
    d = load(write_project(tmp_path, text))
    [plan] = d.usage_plans
    assert plan.name == "ServerlessUsagePlan" and d.api_keys[0].name == "ServerlessApiKey"
    m = methods(d.apis[0])
    assert m[("GET", "/items")].auth.api_key_required and m[("OPTIONS", "/items")].auth.api_key_required


CFN = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Code: src/, Handler: app.handler, Runtime: python3.12, Role: arn:aws:iam::123456789012:role/r}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: orders, ApiKeySourceType: AUTHORIZER}
  Items:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: items}
  Auth:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      Name: token
      RestApiId: !Ref Api
      Type: TOKEN
      IdentitySource: method.request.header.Authorization
      AuthorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
      AuthorizerResultTtlInSeconds: 0
  Validator:
    Type: AWS::ApiGateway::RequestValidator
    Properties: {RestApiId: !Ref Api, Name: params-only, ValidateRequestParameters: true}
  ItemModel:
    Type: AWS::ApiGateway::Model
    Properties:
      RestApiId: !Ref Api
      Name: Item
      ContentType: application/json
      Schema: '{"type": "object", "required": ["name"]}'
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Items
      HttpMethod: POST
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref Auth
      ApiKeyRequired: true
      RequestValidatorId: !Ref Validator
      RequestParameters: {method.request.querystring.page: true}
      RequestModels: {application/json: !Ref ItemModel}
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: Get
    Properties: {RestApiId: !Ref Api, StageName: prod}
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Name: partner, Value: partner-key-0123456789, Enabled: true}
  Disabled:
    Type: AWS::ApiGateway::ApiKey
    Properties: {}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      UsagePlanName: basic
      ApiStages: [{ApiId: !Ref Api, Stage: prod, Throttle: {"/items/POST": {RateLimit: 1, BurstLimit: 1}}}]
      Quota: {Limit: 10, Period: WEEK, Offset: 2}
  PlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {KeyId: !Ref Key, KeyType: API_KEY, UsagePlanId: !Ref Plan}
"""


def test_cloudformation_resources(tmp_path: Path) -> None:
    d = load(write_project(tmp_path, CFN))
    [api] = d.apis
    [authorizer] = api.authorizers
    assert (authorizer.name, authorizer.ttl_seconds, authorizer.function_arn) == ("token", 0, ACCOUNT_ARN + "Fn")
    method = methods(api)[("POST", "/items")]
    assert method.auth == MethodAuth("CUSTOM", authorizer.id, (), True)
    [validator] = api.request_validators
    assert (validator.name, validator.validate_body, validator.validate_parameters) == ("params-only", False, True)
    assert method.request.validator_id == validator.id
    assert method.request.parameters == (("method.request.querystring.page", True),)
    assert method.request.models == (("application/json", "Item"),)
    assert api.model("Item").schema == {"type": "object", "required": ["name"]}  # type: ignore[union-attr]
    assert api.api_key_source == "AUTHORIZER"
    key, disabled = d.api_keys
    assert (key.value, key.enabled, key.generated) == ("partner-key-0123456789", True, False)
    assert (disabled.enabled, disabled.generated) == (False, True)   # CloudFormation's Enabled default: false
    [plan] = d.usage_plans
    assert plan.key_ids == (key.id,) and plan.stages[0].api_id == api.id and plan.stages[0].stage == "prod"
    assert plan.stages[0].throttle[0][0] == "/items/POST" and plan.quota.offset == 2  # type: ignore[union-attr]


@pytest.mark.parametrize(("change", "message"), [
    (("      AuthorizerId: !Ref Auth\n", ""), "Invalid authorizer ID specified. Setting the authorization type to "
                                             "CUSTOM or COGNITO_USER_POOLS requires a valid authorizer"),
    (("      IdentitySource: method.request.header.Authorization\n", ""), "a TOKEN authorizer's identity source is "
                                                                            "exactly one method.request.header.<Name>"),
    (("AuthorizationType: CUSTOM", "AuthorizationType: OAUTH"), "AuthorizationType must be NONE, AWS_IAM, CUSTOM"),
    (("{method.request.querystring.page: true}", "{querystring.page: true}"),
     "'querystring.page' is not method.request.header|querystring|path.<name>"),
    (("Value: partner-key-0123456789", "Value: short"), "an API key value is 20 to 128 characters"),
    (("Period: WEEK", "Period: YEAR"), "Period is DAY, WEEK or MONTH"),
    (("KeyType: API_KEY", "KeyType: OTHER"), "KeyType must be API_KEY"),
], ids=["sec1.1-DOC-custom-needs-authorizer", "sec1.1-DOC-token-needs-header", "authorization-type",
        "sec5-DOC-parameter-name", "sec4.1-DOC-key-length", "sec4.2-DOC-period", "sec4.4-key-type"])
def test_cloudformation_errors_name_file_and_line(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    assert change[0] in CFN
    path = write_project(tmp_path, CFN.replace(*change))
    with pytest.raises(DefinitionError) as info:
        load(path)
    assert message in str(info.value) and str(info.value).startswith(f"{path}:")
    assert info.value.line is not None


OPENAPI = {
    "openapi": "3.0.1",
    "info": {"title": "books"},
    "x-amazon-apigateway-api-key-source": "HEADER",
    "x-amazon-apigateway-request-validators": {"all": {"validateRequestBody": True,
                                                       "validateRequestParameters": True},
                                               "none": {"validateRequestBody": False,
                                                        "validateRequestParameters": False}},
    "x-amazon-apigateway-request-validator": "all",
    "security": [{"token": []}],
    "paths": {
        "/books": {
            "get": {"parameters": [{"name": "page", "in": "query", "required": True}],
                    "x-amazon-apigateway-request-validator": "none",
                    "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST",
                                                        "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/"
                                                               f"functions/{ACCOUNT_ARN}books/invocations"}},
            "post": {"security": [{"pool": ["books/write"]}, {"api_key": []}],
                     "requestBody": {"content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/Book"}}}},
                     "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST",
                                                         "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/"
                                                                f"functions/{ACCOUNT_ARN}books/invocations"}},
        },
        "/books/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True}],
            "delete": {"security": [{"sigv4": []}],
                       "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST",
                                                           "uri": "arn:aws:apigateway:us-east-1:lambda:path/"
                                                                  f"2015-03-31/functions/{ACCOUNT_ARN}books/invocations"}},
            "put": {"security": [],
                    "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {
                        "application/json": "{\"statusCode\": 200}"}}},
        },
    },
    "components": {
        "schemas": {"Book": {"type": "object", "properties": {"author": {"$ref": "#/components/schemas/Author"}}},
                    "Author": {"type": "object"}},
        "securitySchemes": {
            "token": {"type": "apiKey", "name": "Authorization", "in": "header",
                      "x-amazon-apigateway-authtype": "custom",
                      "x-amazon-apigateway-authorizer": {
                          "type": "token", "authorizerResultTtlInSeconds": 10,
                          "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                                           f"{ACCOUNT_ARN}auth/invocations"}},
            "pool": {"type": "apiKey", "name": "X-Id-Token", "in": "header",
                     "x-amazon-apigateway-authtype": "cognito_user_pools",
                     "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": [POOL]}},
            "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
                      "x-amazon-apigateway-authtype": "awsSigv4"},
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
        },
    },
}


def openapi(tmp_path: Path, document: dict[str, object]) -> Deployment:
    path = tmp_path / "books.json"
    path.write_text(json.dumps(document, indent=2))
    mapping = read_mapping(None, [f"{name}={tmp_path}:app.handler:python3.12" for name in ("books", "auth")])
    return load(path, mapping=mapping)


def test_openapi_security_schemes_and_validators(tmp_path: Path) -> None:
    """sec6.2-REC-LS-snap-import: scheme name = authorizer name, the header from the scheme's name, scopes from
    security, root security for operations without their own, `security: []` for none."""
    [api] = openapi(tmp_path, OPENAPI).apis
    by_name = {a.name: a for a in api.authorizers}
    token, pool = by_name["token"], by_name["pool"]
    assert (token.type, token.identity_source, token.ttl_seconds, token.auth_type) == (
        "TOKEN", ("method.request.header.Authorization",), 10, "custom")
    assert (pool.type, pool.identity_source, pool.provider_arns) == (
        "COGNITO_USER_POOLS", ("method.request.header.X-Id-Token",), (POOL,))
    m = methods(api)
    assert m[("GET", "/books")].auth == MethodAuth("CUSTOM", token.id)
    assert m[("POST", "/books")].auth == MethodAuth("COGNITO_USER_POOLS", pool.id, ("books/write",), True)
    assert m[("DELETE", "/books/{id}")].auth == MethodAuth("AWS_IAM")
    assert m[("PUT", "/books/{id}")].auth == MethodAuth()
    validators = {v.name: v.id for v in api.request_validators}
    assert m[("GET", "/books")].request.validator_id == validators["none"]
    assert m[("GET", "/books")].request.parameters == (("method.request.querystring.page", True),)
    assert m[("POST", "/books")].request.validator_id == validators["all"]
    assert m[("POST", "/books")].request.models == (("application/json", "Book"),)
    assert m[("DELETE", "/books/{id}")].request.parameters == (("method.request.path.id", True),)
    assert api.model("Book").schema["properties"]["author"] == {  # type: ignore[union-attr]
        "$ref": f"https://apigateway.amazonaws.com/restapis/{api.id}/models/Author"}


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["paths"]["/books"]["get"].update({"security": [{"nope": []}]}),
     "security names 'nope', which is no security scheme"),
    (lambda d: d.update({"x-amazon-apigateway-request-validator": "strict"}),
     "request validator 'strict' is not defined"),
    (lambda d: d["components"]["securitySchemes"]["token"]["x-amazon-apigateway-authorizer"].update(
        {"type": "jwt"}), "authorizer type 'jwt' is not token, request or cognito_user_pools"),
    (lambda d: d.update({"x-amazon-apigateway-api-key-source": "QUERY"}), "the API key source is HEADER or AUTHORIZER"),
], ids=["unknown-scheme", "unknown-validator", "authorizer-type", "api-key-source"])
def test_openapi_errors(tmp_path: Path, change: object, message: str) -> None:
    document = json.loads(json.dumps(OPENAPI))
    change(document)  # type: ignore[operator]
    with pytest.raises(DefinitionError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        openapi(tmp_path, document)
    assert info.value.line is not None


def test_sam_definition_body_methods_get_the_default_authorizer(tmp_path: Path) -> None:
    body = json.loads(json.dumps({k: v for k, v in OPENAPI.items() if k not in ("security",)}))
    body["paths"]["/books"]["get"].pop("x-amazon-apigateway-request-validator")
    text = textwrap.dedent(f"""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          AuthFn:
            Type: AWS::Serverless::Function
            Properties: {{CodeUri: src/, Handler: app.handler, Runtime: python3.12, FunctionName: auth}}
          Books:
            Type: AWS::Serverless::Function
            Properties: {{CodeUri: src/, Handler: app.handler, Runtime: python3.12, FunctionName: books}}
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: v1
              Auth:
                DefaultAuthorizer: Lambda
                Authorizers:
                  Lambda: {{FunctionArn: !GetAtt AuthFn.Arn}}
              DefinitionBody: {json.dumps(body)}
        """)
    [api] = load(write_project(tmp_path, text)).apis
    m = methods(api)
    lambda_id = next(a.id for a in api.authorizers if a.name == "Lambda")
    assert m[("GET", "/books")].auth.authorizer_id == lambda_id          # no security of its own
    assert m[("POST", "/books")].auth.authorization_type == "COGNITO_USER_POOLS"   # kept
    assert m[("DELETE", "/books/{id}")].auth.authorization_type == "AWS_IAM"


def test_a_template_s_own_user_pool_and_sam_s_generated_stage(tmp_path: Path) -> None:
    """`!GetAtt Pool.Arn` in UserPoolArn (a pool the template creates) and `!Ref <Api><Stage>Stage` in a usage plan
    (the stage SAM generates), as in aws-samples/serverless-patterns."""
    text = SAM.replace(f"UserPoolArn: {POOL}", "UserPoolArn: !GetAtt Pool.Arn").replace(
        "CreateUsagePlan: PER_API", "CreateUsagePlan: NONE")
    text += ("  Pool:\n    Type: AWS::Cognito::UserPool\n  Plan:\n    Type: AWS::ApiGateway::UsagePlan\n"
             "    Properties:\n      ApiStages: [{ApiId: !Ref Api, Stage: !Ref ApidevStage}]\n")
    d = load(write_project(tmp_path, text))
    cognito = next(a for a in d.apis[0].authorizers if a.type == "COGNITO_USER_POOLS")
    [arn] = cognito.provider_arns
    assert arn.startswith("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_") and len(arn) == 71
    assert [(s.api_id, s.stage) for s in d.usage_plans[0].stages] == [(d.apis[0].id, "dev")]
