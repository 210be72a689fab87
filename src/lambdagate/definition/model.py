"""One model of what is deployed, whatever the definition format: frozen values, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Location:
    """Where a value came from, for messages: `template.yaml:14`."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Build:
    """How `sam build` builds a function's or a layer's code: `Metadata: BuildMethod` (esbuild, makefile, or a
    runtime such as python3.12 for a layer) and `BuildProperties` (AWS SAM developer guide, "Building ... with
    esbuild", "Building custom runtimes", "Building layers"); or `nodejs-npm`, the build `sam build` gives a
    Node.js function without BuildMethod (its code and its node_modules in one folder)."""

    logical_id: str
    method: str
    source: str                        # absolute path: the CodeUri / ContentUri folder it builds from
    properties: tuple[tuple[str, Any], ...] = ()   # BuildProperties, lists as tuples
    location: Location = Location("")


@dataclass(frozen=True)
class Function:
    logical_id: str
    name: str
    arn: str
    runtime: str
    handler: str
    code_dir: str                      # absolute path: the environment's task root (/var/task)
    timeout: float = 3.0               # seconds; Lambda's default
    memory_size: int = 128             # MB; Lambda's default
    environment: tuple[tuple[str, str], ...] = ()
    reserved_concurrency: int | None = None
    layers: tuple[str, ...] = ()       # absolute paths, in the order they are merged into /opt
    architecture: str = "x86_64"
    location: Location = Location("")
    build: Build | None = None         # Metadata: BuildMethod; code_dir is then the build's output
    layer_builds: tuple[tuple[str, Build], ...] = ()   # layer path -> how it is built
    package_dirs: tuple[str, ...] = ()  # built dependencies Lambda would find in /var/task, after code_dir


@dataclass(frozen=True)
class IntegrationResponse:
    """One `responses` entry of a non-proxy integration (MOCK answers for CORS preflights use them)."""

    status_code: int
    selection_pattern: str = ""                          # "" or "default": the default response
    response_parameters: tuple[tuple[str, str], ...] = ()  # method.response.header.X -> "'value'"
    response_templates: tuple[tuple[str, str], ...] = ()   # content type -> template


@dataclass(frozen=True)
class Integration:
    """An `AWS_PROXY` integration, a `MOCK` one (CORS preflights), or another type we report and do not serve."""

    type: str                          # "aws_proxy", "aws", "http", "http_proxy", "mock"
    uri: str
    http_method: str = "POST"
    timeout_ms: int = 29000
    credentials: str | None = None
    function_arn: str | None = None    # parsed from the uri when it invokes a Lambda function
    request_parameters: tuple[tuple[str, str], ...] = ()  # ignored by AWS_PROXY, except as gateway.py says
    request_templates: tuple[tuple[str, str], ...] = ()   # MOCK: {"application/json": "{\"statusCode\": 200}"}
    responses: tuple[IntegrationResponse, ...] = ()
    content_handling: str | None = None  # CONVERT_TO_TEXT | CONVERT_TO_BINARY; None: passthrough


@dataclass(frozen=True)
class GatewayResponse:
    """A customised gateway response (`AWS::ApiGateway::GatewayResponse`, `x-amazon-apigateway-gateway-responses`,
    SAM's `GatewayResponses`): status, headers and body templates for one response type or DEFAULT_4XX/5XX."""

    response_type: str                 # DEFAULT_4XX, DEFAULT_5XX, MISSING_AUTHENTICATION_TOKEN, ...
    status_code: int | None = None
    response_parameters: tuple[tuple[str, str], ...] = ()  # gatewayresponse.header.X -> "'value'"
    response_templates: tuple[tuple[str, str], ...] = ()   # content type -> template


# -- who may call, and what they must send (fact sheet aws-auth.md) ---------------------------------------------
AuthorizationType = Literal["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"]
AuthorizerType = Literal["TOKEN", "REQUEST", "COGNITO_USER_POOLS"]
ApiKeySource = Literal["HEADER", "AUTHORIZER"]
QuotaPeriod = Literal["DAY", "WEEK", "MONTH"]
DEFAULT_AUTHORIZER_TTL = 300   # authorizerResultTtlInSeconds when not set (aws-auth.md §1.1 [DOC])


@dataclass(frozen=True)
class MethodAuth:
    """A method's `authorizationType`, `authorizerId`, `authorizationScopes` and `apiKeyRequired`."""

    authorization_type: AuthorizationType = "NONE"
    authorizer_id: str | None = None
    scopes: tuple[str, ...] = ()
    api_key_required: bool = False


@dataclass(frozen=True)
class MethodRequest:
    """What a method's request validator checks: `requestValidatorId`, `requestParameters`
    (`method.request.header|querystring|path.<name>` -> required) and `requestModels` (content type -> model name)."""

    validator_id: str | None = None
    parameters: tuple[tuple[str, bool], ...] = ()
    models: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Method:
    http_method: str                   # as configured: GET, POST, ..., or ANY
    integration: Integration
    location: Location = Location("")
    auth: MethodAuth = MethodAuth()
    request: MethodRequest = MethodRequest()


@dataclass(frozen=True)
class Resource:
    id: str
    path: str                          # template path: /, /items/{id}, /{proxy+}
    methods: dict[str, Method] = field(default_factory=dict)


@dataclass(frozen=True)
class Condition:
    """One test of a statement's Condition block: `{"ArnLike": {"AWS:SourceArn": [...]}}` is
    `Condition("ArnLike", "aws:sourcearn", (...))`. Operators as IAM spells them; keys lower-cased."""

    operator: str
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Permission:
    """One statement of a function's resource policy: an AWS::Lambda::Permission (Lambda stores its SourceArn as
    `ArnLike` and its SourceAccount as `StringEquals`, LDG access-control-resource-based.md), SAM's implicit one, or a
    statement of `aws lambda get-policy` output."""

    function: str                      # function name, ARN or logical id as written
    action: str
    principal: str
    conditions: tuple[Condition, ...] = ()
    effect: str = "Allow"              # or "Deny"
    location: Location = Location("")

    @classmethod
    def allow(cls, function: str, action: str, principal: str, source_arn: str | None = None,
              source_account: str | None = None, location: Location = Location("")) -> Permission:
        """What `AddPermission` / AWS::Lambda::Permission creates."""
        conditions = []
        if source_arn is not None:
            conditions.append(Condition("ArnLike", "aws:sourcearn", (source_arn,)))
        if source_account is not None:
            conditions.append(Condition("StringEquals", "aws:sourceaccount", (source_account,)))
        return cls(function, action, principal, tuple(conditions), "Allow", location)

    @property
    def source_arn(self) -> str | None:
        """The SourceArn the statement allows (or denies), for messages: its first positive SourceArn test."""
        return next((c.values[0] for c in self.conditions if c.key == "aws:sourcearn" and c.values and
                     "Not" not in c.operator), None)


@dataclass(frozen=True)
class MethodSetting:
    """One `MethodSettings` entry of a stage. `resource_path` `/*` and `http_method` `*` are wildcards (every
    resource, every method); other paths are plain resource paths (`/items/{id}`, CloudFormation's `~1` decoded)."""

    resource_path: str = "/*"
    http_method: str = "*"
    logging_level: str | None = None             # OFF | ERROR | INFO: the method's execution log (recorder.py)
    data_trace_enabled: bool | None = None       # INFO with the full requests and responses
    # MetricsEnabled is not kept: lambdagate's metrics always have the Method and Resource dimensions (README).
    throttling_burst_limit: int | None = None
    throttling_rate_limit: float | None = None
    caching_enabled: bool | None = None


@dataclass(frozen=True)
class Stage:
    name: str
    deployment_id: str
    variables: dict[str, str] = field(default_factory=dict)
    access_log_format: str | None = None        # AccessLogSetting.Format
    access_log_destination: str | None = None   # AccessLogSetting.DestinationArn
    method_settings: tuple[MethodSetting, ...] = ()


@dataclass(frozen=True)
class Authorizer:
    """An API's authorizer: a Lambda one (TOKEN or REQUEST) or a Cognito user-pool one (aws-auth.md §1.1, §2).
    `identity_source` as API Gateway stores it, one entry per source: `method.request.header.Authorization`,
    `method.request.querystring.x`, `stageVariables.x`, `context.x`."""

    id: str
    name: str
    type: AuthorizerType
    function_arn: str | None = None             # Lambda authorizers: from authorizerUri
    uri: str = ""
    credentials: str | None = None              # authorizerCredentials: a role API Gateway assumes to invoke
    identity_source: tuple[str, ...] = ()
    validation_expression: str | None = None    # TOKEN and COGNITO_USER_POOLS only
    ttl_seconds: int = DEFAULT_AUTHORIZER_TTL   # 0: no caching
    provider_arns: tuple[str, ...] = ()         # COGNITO_USER_POOLS: user-pool ARNs
    auth_type: str | None = None                # OpenAPI's x-amazon-apigateway-authtype, as written
    location: Location = Location("")


@dataclass(frozen=True)
class RequestValidator:
    id: str
    name: str
    validate_body: bool = False
    validate_parameters: bool = False


@dataclass(frozen=True)
class Model:
    """A model: a JSON Schema draft 4 document for one content type (`Empty` and `Error` exist in every API)."""

    name: str
    schema: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    content_type: str = "application/json"
    location: Location = Location("")


@dataclass(frozen=True)
class Throttle:
    rate_limit: float | None = None             # requests per second, steady state
    burst_limit: int | None = None              # bucket size


@dataclass(frozen=True)
class Quota:
    limit: int
    period: QuotaPeriod
    offset: int = 0


@dataclass(frozen=True)
class UsagePlanStage:
    """One `apiStages` entry; `throttle` per method is keyed `/<resource path>/<METHOD>` as AWS keys it."""

    api_id: str
    stage: str
    throttle: tuple[tuple[str, Throttle], ...] = ()


@dataclass(frozen=True)
class UsagePlan:
    id: str
    name: str
    stages: tuple[UsagePlanStage, ...] = ()
    throttle: Throttle | None = None
    quota: Quota | None = None
    key_ids: tuple[str, ...] = ()               # UsagePlanKey: the API keys in the plan
    location: Location = Location("")


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    value: str
    enabled: bool = True
    generated: bool = False                     # no Value in the template: lambdagate made one (printed at start-up)
    location: Location = Location("")


@dataclass(frozen=True)
class Api:
    logical_id: str
    name: str
    id: str
    stage: Stage
    resources: tuple[Resource, ...]
    binary_media_types: tuple[str, ...] = ()
    location: Location = Location("")
    gateway_responses: tuple[GatewayResponse, ...] = ()
    authorizers: tuple[Authorizer, ...] = ()
    api_key_source: ApiKeySource = "HEADER"
    request_validators: tuple[RequestValidator, ...] = ()
    models: tuple[Model, ...] = ()

    def authorizer(self, authorizer_id: str | None) -> Authorizer | None:
        return next((a for a in self.authorizers if a.id == authorizer_id), None)

    def request_validator(self, validator_id: str | None) -> RequestValidator | None:
        return next((v for v in self.request_validators if v.id == validator_id), None)

    def model(self, name: str) -> Model | None:
        return next((m for m in self.models if m.name == name), None)


# -- HTTP APIs (API Gateway v2, `ProtocolType: HTTP`; docs/aws-http-api.md) ----------------------------------------
PayloadFormatVersion = Literal["1.0", "2.0"]
HttpAuthorizationType = Literal["NONE", "JWT", "CUSTOM", "AWS_IAM"]
DEFAULT_ROUTE = "$default"           # the catch-all route key (§2.2)
DEFAULT_STAGE = "$default"           # the stage served from the base of the URL (§2.1)
HTTP_API_TIMEOUT_MS = 30000          # integration timeout: 50..30000 ms, default 30 s, not raisable (§10.1)


@dataclass(frozen=True)
class HttpIntegration:
    """An HTTP API integration: `AWS_PROXY` to a Lambda function is served; other types are reported."""

    type: str                          # lower case: "aws_proxy", "http_proxy", "aws", "mock"
    uri: str
    payload_format_version: PayloadFormatVersion = "2.0"
    timeout_ms: int = HTTP_API_TIMEOUT_MS
    function_arn: str | None = None    # when the uri invokes a Lambda function
    credentials: str | None = None
    location: Location = Location("")
    subtype: str | None = None         # an AWS service integration (`SQS-SendMessage`, ...): reported, not served


@dataclass(frozen=True)
class HttpRoute:
    """`GET /items/{id}`, `ANY /{proxy+}` or `$default`, its integration (None: a route without a target) and its
    authorization (§1.3, §9)."""

    route_key: str
    integration: HttpIntegration | None
    authorization_type: HttpAuthorizationType = "NONE"
    authorizer: str | None = None      # the name of one of the API's authorizers (JWT or CUSTOM)
    authorization_scopes: tuple[str, ...] = ()
    location: Location = Location("")

    @property
    def method(self) -> str:
        """GET, ..., ANY; `$default` for the default route."""
        return self.route_key if self.route_key == DEFAULT_ROUTE else self.route_key.split(" ", 1)[0]

    @property
    def path(self) -> str | None:
        return None if self.route_key == DEFAULT_ROUTE else self.route_key.split(" ", 1)[1]


@dataclass(frozen=True)
class JwtAuthorizer:
    """`AuthorizerType: JWT` (§9): the token's `iss` must be `issuer`, its `aud` (or `client_id`) one of
    `audience`; keys from the issuer's JWKS."""

    name: str
    issuer: str
    audience: tuple[str, ...]
    identity_source: tuple[str, ...] = ("$request.header.Authorization",)
    location: Location = Location("")


@dataclass(frozen=True)
class LambdaAuthorizer:
    """`AuthorizerType: REQUEST` (a Lambda authorizer, §9)."""

    name: str
    function_arn: str | None
    payload_format_version: PayloadFormatVersion = "2.0"
    enable_simple_responses: bool = False
    identity_source: tuple[str, ...] = ()
    result_ttl_seconds: int = 0
    credentials: str | None = None
    location: Location = Location("")


HttpAuthorizer = JwtAuthorizer | LambdaAuthorizer


@dataclass(frozen=True)
class RouteSettings:
    """`DefaultRouteSettings` / one `RouteSettings` entry of a stage (§10.3, §11)."""

    throttling_burst_limit: int | None = None
    throttling_rate_limit: float | None = None
    detailed_metrics_enabled: bool | None = None


@dataclass(frozen=True)
class HttpStage:
    name: str                          # "$default" or a name, which is then the first path segment (§2.1)
    variables: dict[str, str] = field(default_factory=dict)
    access_log_format: str | None = None
    access_log_destination: str | None = None
    default_route_settings: RouteSettings = RouteSettings()
    route_settings: tuple[tuple[str, RouteSettings], ...] = ()   # route key -> settings
    auto_deploy: bool = True
    location: Location = Location("")


@dataclass(frozen=True)
class CorsConfiguration:
    """An HTTP API's `CorsConfiguration` / `x-amazon-apigateway-cors` (§8); values as configured."""

    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False


@dataclass(frozen=True)
class HttpApi:
    logical_id: str
    name: str
    id: str
    stages: tuple[HttpStage, ...]
    routes: tuple[HttpRoute, ...]
    cors: CorsConfiguration | None = None
    authorizers: tuple[HttpAuthorizer, ...] = ()
    disable_execute_api_endpoint: bool = False
    location: Location = Location("")

    def authorizer(self, name: str | None) -> HttpAuthorizer | None:
        return next((a for a in self.authorizers if a.name == name), None)


@dataclass(frozen=True)
class Deployment:
    """Everything one template deploys that lambdagate serves: REST APIs and HTTP APIs side by side."""

    apis: tuple[Api, ...]
    functions: dict[str, Function]     # by ARN
    permissions: tuple[Permission, ...]
    region: str
    account_id: str
    warnings: tuple[str, ...] = ()
    http_apis: tuple[HttpApi, ...] = ()
    api_keys: tuple[ApiKey, ...] = ()
    usage_plans: tuple[UsagePlan, ...] = ()

    def function_by_arn(self, arn: str) -> Function | None:
        """By ARN; a qualified ARN (`...:function:name:live`) designates the function (arns.unqualified)."""
        found = self.functions.get(arn)
        if found is None and arn.count(":") == 7:
            found = self.functions.get(arn.rsplit(":", 1)[0])
        return found
