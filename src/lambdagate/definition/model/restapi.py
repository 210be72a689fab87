"""A REST API (API Gateway v1) as deployed: its resources and methods, their integrations, its stage and its
gateway responses."""

from __future__ import annotations

from dataclasses import dataclass, field

from .auth import ApiKeySource, Authorizer, MethodAuth, MethodRequest, Model, RequestValidator
from .location import Location

# The methods API Gateway knows (REST and HTTP APIs); ANY stands for all of them.
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


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
