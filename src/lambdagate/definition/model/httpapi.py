"""An HTTP API (API Gateway v2, `ProtocolType: HTTP`; docs/aws-http-api.md) as deployed: its routes and their
integrations and authorization, its authorizers, stages and CORS configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .location import Location

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
