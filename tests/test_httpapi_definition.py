"""HTTP API definitions -> the model (docs/aws-http-api.md §1): SAM HttpApi events and AWS::Serverless::HttpApi,
AWS::ApiGatewayV2::* with quick create, OpenAPI 3 bodies, CDK's synth output; errors name file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import APPS
from lambdagate.config import Source
from lambdagate.definition.loader import load
from lambdagate.definition.model.deployment import Deployment
from lambdagate.definition.model.httpapi import HttpApi, JwtAuthorizer, LambdaAuthorizer
from lambdagate.errors import DefinitionError

REGION_ACCOUNT = "arn:aws:execute-api:us-east-1:123456789012"


def deploy(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> Deployment:
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return event\n")
    for name, content in (files or {}).items():
        (tmp_path / name).write_text(textwrap.dedent(content))
    template = tmp_path / "template.yaml"
    template.write_text(textwrap.dedent(text))
    return load(Source(template=template))


def api(deployment: Deployment, logical_id: str) -> HttpApi:
    return next(a for a in deployment.http_apis if a.logical_id == logical_id)


SAM_HEAD = """\
    Transform: AWS::Serverless-2016-10-31
    Globals:
      Function:
        Runtime: python3.12
        CodeUri: src/
        Handler: app.handler
    Resources:
"""


@pytest.fixture(scope="module")
def app() -> Deployment:
    return load(Source(template=APPS / "httpapi" / "template.yaml"))


def test_sec1_1_IMPL_implicit_api_default_stage_and_payload_2_0(app: Deployment) -> None:
    implicit = api(app, "ServerlessHttpApi")
    assert [s.name for s in implicit.stages] == ["$default"]
    routes = {r.route_key: r for r in implicit.routes}
    assert list(routes) == ["GET /echo/{name}", "GET /v1/echo/{name}", "GET /debug", "ANY /capture/{proxy+}",
                            "POST /respond", "POST /v1/respond", "GET /slow", "GET /node/{name}", "GET /node-inferred",
                            "GET /node-throws", "GET /node-v1/{name}"]
    echo = routes["GET /echo/{name}"].integration
    assert echo is not None
    assert (echo.type, echo.payload_format_version, echo.timeout_ms) == ("aws_proxy", "2.0", 30000)
    assert echo.function_arn == "arn:aws:lambda:us-east-1:123456789012:function:EchoFunction"
    v1, slow = routes["GET /v1/echo/{name}"].integration, routes["GET /slow"].integration
    assert v1 is not None and v1.payload_format_version == "1.0"
    assert slow is not None and slow.timeout_ms == 300


def test_sec1_2_DOC_explicit_api_stage_cors_auth(app: Deployment) -> None:
    secured = api(app, "SecuredApi")
    (stage,) = secured.stages
    assert (stage.name, stage.variables, stage.access_log_destination) == (
        "dev", {"color": "blue"}, "arn:aws:logs:us-east-1:123456789012:log-group:secured-access")
    assert dict(stage.route_settings)["GET /limited"].throttling_rate_limit == 0.0
    assert secured.cors is not None and secured.cors.allow_origins == ("https://app.example",)
    assert (secured.cors.max_age, secured.cors.allow_credentials) == (600, True)
    by_name = {a.name: a for a in secured.authorizers}
    assert list(by_name) == ["Cognito", "Policy", "Jwt", "Simple", "Unpermitted"]
    jwt, simple = by_name["Jwt"], by_name["Simple"]
    assert isinstance(jwt, JwtAuthorizer) and (jwt.issuer, jwt.audience) == ("https://issuer.example", ("notes-app",))
    assert isinstance(simple, LambdaAuthorizer)
    assert (simple.identity_source, simple.enable_simple_responses) == (("$request.header.x-pass",), True)
    routes = {r.route_key: r for r in secured.routes}
    assert (routes["GET /jwt"].authorization_type, routes["GET /jwt"].authorizer) == ("JWT", "Jwt")
    assert routes["GET /scoped"].authorization_scopes == ("notes/write",)
    assert routes["GET /lambda"].authorization_type == "CUSTOM"
    assert routes["GET /open"].authorization_type == "NONE"
    assert (routes["GET /iam"].authorization_type, routes["GET /iam"].authorizer) == ("AWS_IAM", None)


def test_sec1_1_IMPL_event_without_path_and_method_is_the_default_route(app: Deployment) -> None:
    catch = api(app, "CatchAllApi")
    assert [r.route_key for r in catch.routes] == ["$default"] and catch.stages[0].name == "catch"


def test_sec1_3_CFN_resources(app: Deployment) -> None:
    locked = api(app, "LockedApi")
    assert (locked.name, [s.name for s in locked.stages]) == ("locked", ["locked"])
    (route,) = locked.routes
    assert route.route_key == "GET /locked" and route.integration is not None
    assert route.integration.function_arn == "arn:aws:lambda:us-east-1:123456789012:function:EchoFunction"


def test_sec1_1_IMPL_SAM_permissions(app: Deployment) -> None:
    implicit, catch = api(app, "ServerlessHttpApi").id, api(app, "CatchAllApi").id
    sources = [p.source_arn for p in app.permissions]
    assert f"{REGION_ACCOUNT}:{implicit}/*/GET/echo/*" in sources      # {name} -> *
    assert f"{REGION_ACCOUNT}:{implicit}/*/POST/respond" in sources
    assert f"{REGION_ACCOUNT}:{catch}/*/*" in sources                   # the $default route
    assert not any(":" + api(app, "LockedApi").id + "/" in str(s) for s in sources)


@pytest.mark.parametrize(("path", "method", "expected"), [
    pytest.param("/items/{id}", "get", "/*/GET/items/*", id="sec1.1-IMPL-variable-star"),
    pytest.param("/items/{proxy+}", "any", "/*/*/items/*", id="sec1.1-IMPL-any-and-proxy"),
    pytest.param("/files/{path+}", "GET", "/*/GET/files/{path+}", id="sec1.1-IMPL-other-greedy-kept-literally"),
    pytest.param("/trailing/", "post", "/*/POST/trailing", id="sec1.1-IMPL-trailing-slash-stripped"),
])
def test_sec1_1_IMPL_permission_rule(tmp_path: Path, path: str, method: str, expected: str) -> None:
    d = deploy(tmp_path, SAM_HEAD + f"""\
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Events:
            E:
              Type: HttpApi
              Properties:
                Path: {path}
                Method: {method}
    """)
    (permission,) = d.permissions
    assert permission.source_arn == f"{REGION_ACCOUNT}:{d.http_apis[0].id}{expected}"


def test_rest_and_http_apis_side_by_side(tmp_path: Path) -> None:
    d = deploy(tmp_path, SAM_HEAD + """\
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Environment:
            Variables:
              HTTP_API: !Ref ServerlessHttpApi
              ENDPOINT: !GetAtt Explicit.ApiEndpoint
          Events:
            Rest:
              Type: Api
              Properties: {Path: /rest, Method: get}
            Http:
              Type: HttpApi
              Properties: {Path: /http, Method: get}
      Explicit:
        Type: AWS::Serverless::HttpApi
    """)
    assert [a.logical_id for a in d.apis] == ["ServerlessRestApi"]
    assert [a.logical_id for a in d.http_apis] == ["ServerlessHttpApi", "Explicit"]
    env = dict(next(iter(d.functions.values())).environment)
    assert env["HTTP_API"] == d.http_apis[0].id
    assert env["ENDPOINT"] == f"https://{d.http_apis[1].id}.execute-api.us-east-1.amazonaws.com"


def test_sec1_4_DOC_quick_create(tmp_path: Path) -> None:
    d = deploy(tmp_path, SAM_HEAD + """\
      Fn:
        Type: AWS::Serverless::Function
      Quick:
        Type: AWS::ApiGatewayV2::Api
        Properties:
          Name: quick
          ProtocolType: HTTP
          Target: !GetAtt Fn.Arn
      Keyed:
        Type: AWS::ApiGatewayV2::Api
        Properties:
          Name: keyed
          ProtocolType: HTTP
          Target: !GetAtt Fn.Arn
          RouteKey: POST /hook
      KeyedOverrides:
        Type: AWS::ApiGatewayV2::ApiGatewayManagedOverrides
        Properties:
          ApiId: !Ref Keyed
          Integration:
            PayloadFormatVersion: "1.0"
            TimeoutInMillis: 5000
    """)
    quick, keyed = d.http_apis
    assert ([s.name for s in quick.stages], [r.route_key for r in quick.routes]) == (["$default"], ["$default"])
    assert quick.routes[0].integration is not None and quick.routes[0].integration.payload_format_version == "2.0"
    assert keyed.routes[0].route_key == "POST /hook"
    integration = keyed.routes[0].integration
    assert integration is not None and (integration.payload_format_version, integration.timeout_ms) == ("1.0", 5000)


def test_sec1_5_DOC_openapi_body(tmp_path: Path) -> None:
    d = deploy(tmp_path, SAM_HEAD + """\
      Fn:
        Type: AWS::Serverless::Function
      Api:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefinitionUri: openapi.yaml
    """, {"openapi.yaml": """\
        openapi: "3.0.1"
        info: {title: books}
        x-amazon-apigateway-cors:
          allowOrigins: ["*"]
          allowMethods: [GET]
        paths:
          /books:
            get:
              security:
                - Jwt: [books/read]
              x-amazon-apigateway-integration:
                $ref: "#/components/x-amazon-apigateway-integrations/fn"
          /books/{id}:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: AWS_PROXY
                uri: arn:aws:lambda:us-east-1:123456789012:function:Fn
                payloadFormatVersion: 1.0
                timeoutInMillis: 2000
          $default:
            x-amazon-apigateway-any-method:
              isDefaultRoute: true
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\\
                  arn:aws:lambda:us-east-1:123456789012:function:Fn/invocations"
                payloadFormatVersion: "2.0"
        components:
          securitySchemes:
            Jwt:
              type: oauth2
              x-amazon-apigateway-authorizer:
                type: jwt
                identitySource: $request.header.Authorization
                jwtConfiguration:
                  issuer: https://issuer.example
                  audience: [books]
          x-amazon-apigateway-integrations:
            fn:
              type: aws_proxy
              uri: arn:aws:lambda:us-east-1:123456789012:function:Fn
              payloadFormatVersion: "2.0"
        """})
    (books,) = d.http_apis
    routes = {r.route_key: r for r in books.routes}
    assert list(routes) == ["GET /books", "ANY /books/{id}", "$default"]
    assert (routes["GET /books"].authorization_type, routes["GET /books"].authorization_scopes) == ("JWT",
                                                                                                    ("books/read",))
    by_id = routes["ANY /books/{id}"].integration
    assert by_id is not None and (by_id.payload_format_version, by_id.timeout_ms) == ("1.0", 2000)
    default = routes["$default"].integration
    assert default is not None and default.function_arn == "arn:aws:lambda:us-east-1:123456789012:function:Fn"
    assert books.cors is not None and books.cors.allow_origins == ("*",)
    assert str(routes["GET /books"].location).endswith("openapi.yaml:8")


def test_sec1_6_IMPL_cdk_synth_output() -> None:
    template = APPS / "cdk-http" / "cdk.out" / "NotesStack.template.json"
    d = load(Source(template=template))
    (notes,) = d.http_apis
    assert (notes.name, [s.name for s in notes.stages]) == ("notes-api", ["$default", "dev"])
    assert [(r.route_key, r.integration.payload_format_version if r.integration else None) for r in notes.routes] == [
        ("GET /notes", "2.0"), ("POST /notes", "2.0"), ("GET /notes/{id}", "2.0"), ("ANY /legacy/{proxy+}", "1.0")]
    assert notes.cors is not None and (notes.cors.allow_origins, notes.cors.max_age) == (("https://app.example",), 600)
    sources = sorted(str(p.source_arn).split(f"{notes.id}/", 1)[1] for p in d.permissions)
    assert sources == ["*/*/legacy/{proxy+}", "*/*/notes", "*/*/notes", "*/*/notes/{id}"]
    (fn,) = d.functions.values()
    assert fn.code_dir.endswith("asset.d7c980ec99d362a0288b9e118a37496c5430e6f69f3f24a4439489d5608a3ed4")


ERROR_CASES = [
    pytest.param("""\
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Events:
            Half:
              Type: HttpApi
              Properties:
                Path: /x
    """, 14, "Event with id [Half] is invalid. Property 'Method' is required.", id="sam-path-without-method"),
    pytest.param("""\
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Events:
            Slash:
              Type: HttpApi
              Properties:
                Path: /x/{a+}/y
                Method: get
    """, 15, "greedy path variable must be the last segment", id="sec2.2-DOC-greedy-last"),
    pytest.param("""\
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Events:
            Long:
              Type: HttpApi
              Properties: {Path: /x, Method: get, TimeoutInMillis: 40000}
    """, 14, "between 50 and 30000 ms, got 40000", id="sec10.1-DOC-timeout-range"),
    pytest.param("""\
      Fn:
        Type: AWS::Serverless::Function
      Api:
        Type: AWS::Serverless::HttpApi
        Properties:
          CorsConfiguration:
            AllowOrigins: ["*"]
            AllowCredentials: true
    """, 13, "'AllowCredentials' can not be true", id="sec1.2-IMPL-credentials-with-star"),
    pytest.param("""\
      Fn:
        Type: AWS::Serverless::Function
      Api:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefinitionBody:
            swagger: "2.0"
            paths: {}
    """, 14, "HTTP APIs import OpenAPI 3.0 definitions only", id="sec1.5-DOC-no-swagger"),
    pytest.param("""\
      Fn:
        Type: AWS::Serverless::Function
      Api:
        Type: AWS::ApiGatewayV2::Api
        Properties: {Name: a, ProtocolType: HTTP}
      Integration:
        Type: AWS::ApiGatewayV2::Integration
        Properties:
          ApiId: !Ref Api
          IntegrationType: AWS_PROXY
          IntegrationUri: !GetAtt Fn.Arn
    """, 15, "needs PayloadFormatVersion", id="sec1.3-DOC-payload-format-required"),
    pytest.param("""\
      Fn:
        Type: AWS::Serverless::Function
      Api:
        Type: AWS::ApiGatewayV2::Api
        Properties: {Name: a, ProtocolType: HTTP}
      Route:
        Type: AWS::ApiGatewayV2::Route
        Properties:
          ApiId: !Ref Api
          RouteKey: GET /items/
    """, 17, "a route path cannot end in '/'", id="sec2.3-REC-ish-route-key-trailing-slash"),
    pytest.param("""\
      Fn:
        Type: AWS::Serverless::Function
      Api:
        Type: AWS::ApiGatewayV2::Api
        Properties: {Name: a, ProtocolType: HTTP}
      Route:
        Type: AWS::ApiGatewayV2::Route
        Properties:
          ApiId: !Ref Api
          RouteKey: GET /items
          Target: integrations/nope123
    """, 18, "names no AWS::ApiGatewayV2::Integration", id="sec1.3-CFN-unknown-target"),
]


@pytest.mark.parametrize(("resources", "line", "message"), ERROR_CASES)
def test_definition_errors_name_file_line_and_field(tmp_path: Path, resources: str, line: int, message: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        deploy(tmp_path, SAM_HEAD + resources)
    assert message in caught.value.message
    assert (caught.value.file, caught.value.line) == (str(tmp_path / "template.yaml"), line)


def test_routes_that_are_not_served_are_named_at_start_up(tmp_path: Path) -> None:
    d = deploy(tmp_path, SAM_HEAD + """\
      Api:
        Type: AWS::ApiGatewayV2::Api
        Properties:
          Name: a
          ProtocolType: HTTP
          Target: https://example.com/backend
      Fn:
        Type: AWS::Serverless::Function
    """)
    assert any("$default (Api): HTTP_PROXY integration is not emulated; requests to it answer 501" in w
               for w in d.warnings)


def test_aws_include_of_a_local_openapi_file_and_service_integrations(tmp_path: Path) -> None:
    d = deploy(tmp_path, SAM_HEAD + """\
      Fn:
        Type: AWS::Serverless::Function
      Api:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefinitionBody:
            Fn::Transform:
              Name: AWS::Include
              Parameters:
                Location: api.yaml
      Queue:
        Type: AWS::ApiGatewayV2::Integration
        Properties:
          ApiId: !Ref Api
          IntegrationType: AWS_PROXY
          IntegrationSubtype: SQS-SendMessage
          PayloadFormatVersion: "1.0"
      QueueRoute:
        Type: AWS::ApiGatewayV2::Route
        Properties:
          ApiId: !Ref Api
          RouteKey: POST /queue
          Target: !Join [/, [integrations, !Ref Queue]]
    """, {"api.yaml": """\
        openapi: "3.0.1"
        paths:
          /fn:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri:
                  Fn::Sub: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
                payloadFormatVersion: "2.0"
        """})
    (http,) = d.http_apis
    fn, queue = http.routes
    assert fn.route_key == "GET /fn" and fn.integration is not None
    assert fn.integration.function_arn == "arn:aws:lambda:us-east-1:123456789012:function:Fn"
    assert queue.route_key == "POST /queue" and queue.integration is not None
    assert queue.integration.subtype == "SQS-SendMessage"
    assert any("POST /queue (Api): AWS service integration SQS-SendMessage is not emulated" in w for w in d.warnings)


def test_aws_include_of_s3_is_named(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as caught:
        deploy(tmp_path, SAM_HEAD + """\
      Api:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefinitionBody:
            Fn::Transform:
              Name: AWS::Include
              Parameters:
                Location: s3://bucket/api.yaml
    """)
    assert "AWS::Include Location 's3://bucket/api.yaml' is in S3" in caught.value.message
    assert caught.value.line == 15


# ---- SAM: an authorizer's AuthorizationScopes are its routes' scopes (aws-http-api.md §1.2) -----------------------
@pytest.fixture(scope="module")
def cognito_http() -> Deployment:
    return load(Source(template=APPS / "cognito-http" / "template.yaml"))


@pytest.mark.parametrize(("route_key", "kind", "scopes"), [
    pytest.param("GET /me", "JWT", ("email",), id="sec1_2-IMPL-default-authorizer-takes-its-scopes"),
    pytest.param("GET /named", "JWT", ("email",), id="sec1_2-IMPL-named-authorizer-takes-its-scopes"),
    pytest.param("GET /admin", "JWT", ("admin/write",), id="sec1_2-IMPL-event-scopes-replace-the-authorizers"),
    pytest.param("GET /open", "NONE", (), id="sec1_2-IMPL-authorizer-NONE-has-no-scopes"),
])
def test_sam_authorizer_scopes_are_its_routes_scopes(cognito_http: Deployment, route_key: str, kind: str,
                                                     scopes: tuple[str, ...]) -> None:
    route = next(r for r in api(cognito_http, "AppApi").routes if r.route_key == route_key)
    assert (route.authorization_type, route.authorization_scopes) == (kind, scopes)


def test_sam_default_authorizer_scopes_reach_definition_body_routes_and_not_iam(tmp_path: Path) -> None:
    d = deploy(tmp_path, SAM_HEAD + """\
      Fn:
        Type: AWS::Serverless::Function
      Api:
        Type: AWS::Serverless::HttpApi
        Properties:
          Auth:
            EnableIamAuthorizer: true
            DefaultAuthorizer: Jwt
            Authorizers:
              Jwt:
                AuthorizationScopes: [orders/read]
                IdentitySource: $request.header.Authorization
                JwtConfiguration: {issuer: https://issuer.example, audience: [app]}
          DefinitionBody:
            openapi: "3.0.1"
            paths:
              /orders:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    payloadFormatVersion: "2.0"
                    uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
      Iam:
        Type: AWS::Serverless::Function
        Properties:
          Events:
            Signed: {Type: HttpApi, Properties: {ApiId: !Ref Api, Path: /signed, Method: get,
                                                 Auth: {Authorizer: AWS_IAM}}}
    """)
    routes = {r.route_key: r for r in api(d, "Api").routes}
    assert (routes["GET /orders"].authorization_type, routes["GET /orders"].authorization_scopes) == (
        "JWT", ("orders/read",))
    assert (routes["GET /signed"].authorization_type, routes["GET /signed"].authorization_scopes) == ("AWS_IAM", ())
