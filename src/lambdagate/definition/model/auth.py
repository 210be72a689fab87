"""Who may call a REST API and what they must send (fact sheet aws-auth.md): a method's authorization and
request validation, authorizers, validators and models, API keys and usage plans."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .location import Location

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
