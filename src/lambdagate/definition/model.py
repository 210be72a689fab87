"""One model of what is deployed, whatever the definition format: frozen values, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


@dataclass(frozen=True)
class Resource:
    id: str
    path: str                          # template path: /, /items/{id}, /{proxy+}
    methods: dict[str, Method] = field(default_factory=dict)


@dataclass(frozen=True)
class Permission:
    """One statement of a function's resource policy (AWS::Lambda::Permission or SAM's implicit one)."""

    function: str                      # function name, ARN or logical id as written
    action: str
    principal: str
    source_arn: str | None = None
    source_account: str | None = None
    location: Location = Location("")


@dataclass(frozen=True)
class MethodSetting:
    """One `MethodSettings` entry of a stage. `resource_path` `/*` and `http_method` `*` are wildcards (every
    resource, every method); other paths are plain resource paths (`/items/{id}`, CloudFormation's `~1` decoded)."""

    resource_path: str = "/*"
    http_method: str = "*"
    logging_level: str | None = None             # OFF | ERROR | INFO
    data_trace_enabled: bool | None = None
    metrics_enabled: bool | None = None
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


@dataclass(frozen=True)
class Deployment:
    """Everything one template deploys that lambdagate serves."""

    apis: tuple[Api, ...]
    functions: dict[str, Function]     # by ARN
    permissions: tuple[Permission, ...]
    region: str
    account_id: str
    warnings: tuple[str, ...] = ()

    def function_by_arn(self, arn: str) -> Function | None:
        return self.functions.get(arn)
