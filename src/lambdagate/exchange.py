"""The values of one request, from the socket to the logs: `HttpRequest` in, `HttpResponse` out, and the `Exchange`
that the gateway fills as it goes and every observer reads (terminal, logs, metrics, dashboard, test-invoke).

This module is imported by the gateway and by observe/ and imports neither. How far a request got is one value,
`Reached`, in the order of the execution log's phases (fact sheet §4.1), instead of flags to combine.

An HTTP API's request has its own record (`httpapi.HttpApiExchange`: no execution log, other ids and errors). What
every observer reads of either is `Recorded`; where the two kinds differ (execution log or access log only, REST's
metric dimensions or the HTTP API's) the observers match on the record's class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from . import ids

if TYPE_CHECKING:
    from .definition.model.function import Function
    from .errors import GatewayError
    from .routing import Match


@dataclass(frozen=True)
class HttpRequest:
    """A client request as it arrived: names and order of headers as sent, path and query raw."""

    method: str
    raw_path: str                      # without the query string, not decoded
    raw_query: str | None              # None when the target had no '?'
    headers: tuple[tuple[str, str], ...]
    body: bytes
    source_ip: str
    server_port: int
    received_at: float                 # seconds since the epoch
    body_too_large: bool = False       # over API Gateway's 10 MB: the body was not read to the end

    def header(self, name: str) -> str | None:
        """The last value of a header (case-insensitive), as API Gateway's single-value view has it."""
        return self._last_values.get(name.lower())

    @cached_property
    def _last_values(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers}

    @property
    def target(self) -> str:
        return self.raw_path + (f"?{self.raw_query}" if self.raw_query is not None else "")

    def without_payload(self) -> HttpRequest:
        """The request without its headers and body: what a list of the latest requests keeps of it."""
        return HttpRequest(self.method, self.raw_path, self.raw_query, (), b"", self.source_ip, self.server_port,
                           self.received_at, self.body_too_large)


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass(frozen=True)
class RequestIds:
    request_id: str            # UUID; x-amzn-RequestId
    extended_request_id: str   # x-amz-apigw-id
    trace_id: str              # Root=1-...

    @classmethod
    def new(cls, now: float) -> RequestIds:
        return cls(ids.uuid4(), ids.extended_request_id(), ids.trace_id(now))


class Reached(IntEnum):
    """How far API Gateway got with a request; each step adds the execution-log lines of its phase (§4.1)."""

    RECEIVED = 0     # no method matched (403) or the request was refused before routing (413): no execution log
    ROUTED = 1       # "Extended Request Id", the authorizer's and the usage plan's lines (aws-auth.md §1.11, §4.3)
    METHOD = 2       # "Starting execution ... Method request ..." (and a request validator's 400)
    INTEGRATION = 3  # "Endpoint request URI / headers / body after transformations"
    SENT = 4         # "Sending request to ..."
    ANSWERED = 5     # "Received response ... Endpoint response body before transformations"
    RESPONDED = 6    # "Method response body ... Successfully completed execution"


class Mode(Enum):
    CLIENT = "client"
    # The console's Test button (TestInvokeMethod): stage `test-invoke-stage`, only the headers given, no execution
    # or access log and no metrics (fact sheet §4.2, §10.7); no authorizer, API key or usage plan (aws-auth.md §9).
    TEST_INVOKE = "test-invoke"


@dataclass
class Call:
    """The Lambda integration's call, once API Gateway has built it."""

    function_arn: str | None           # None: the integration URI names no function
    source_arns: tuple[str, ...]       # the SourceArn the call presents (the first), and its other form (§10.3)
    event: bytes
    latency_ms: int | None = None      # IntegrationLatency
    lambda_request_id: str | None = None
    result: bytes | None = None        # the Lambda's answer ("Endpoint response body before transformations")
    function_error: bool = False       # X-Amz-Function-Error: Unhandled

    @property
    def source_arn(self) -> str:
        return self.source_arns[0]


class Decision(Enum):
    """What the method's authorization decided (aws-auth.md §0.2)."""

    ALLOWED = "allowed"
    UNAUTHORIZED = "unauthorized"   # 401: no or an invalid identity, or the authorizer failed with `Unauthorized`
    DENIED = "denied"               # 403: the policy denies, or the SigV4 signature does not hold
    FAILED = "failed"               # 500: the authorizer could not be invoked or answered no usable policy


@dataclass(frozen=True)
class Authorization:
    """The method's authorization step: which kind and authorizer, what it decided, and what it wrote."""

    type: str                                  # AWS_IAM, COGNITO_USER_POOLS or CUSTOM (a Lambda authorizer)
    decision: Decision
    authorizer: str | None = None              # the authorizer's name; None for AWS_IAM
    authorizer_id: str | None = None
    principal: str | None = None               # principalId, the Cognito `sub`, or the IAM caller's ARN
    cached: bool = False                       # a Lambda authorizer's result came from its cache
    latency_ms: int | None = None              # the authorizer function's invocation (0 on a cache hit)
    context: dict[str, Any] = field(default_factory=dict, compare=False)  # requestContext.authorizer, as sent
    identity: dict[str, Any] = field(default_factory=dict, compare=False)  # requestContext.identity's (AWS_IAM)
    log_lines: tuple[str, ...] = ()            # the step's execution-log lines (§1.11), its failure's included
    hint: str = ""                             # why it refused, for the terminal and the dashboard
    usage_identifier_key: str | None = field(default=None, repr=False)   # a Lambda authorizer's API key (§4.1)


@dataclass(frozen=True)
class UsagePlanCheck:
    """The "Verifying Usage Plan" step (aws-auth.md §4): the key as the log shows it and what it was matched to."""

    key_shown: str                             # the API key masked as the log shows it; "" when none was sent
    required: bool                             # the method requires an API key
    key_name: str | None = None                # the API key and usage plan that let the request through
    plan_name: str | None = None
    key_id: str | None = None
    key_value: str | None = field(default=None, repr=False)
    log_lines: tuple[str, ...] = ()            # the step's lines, its failure's included
    refused: bool = False                      # 403 Forbidden or 429: the request went no further


@dataclass(frozen=True)
class MockAnswer:
    """A MOCK integration's templates, as the execution log shows them."""

    request_template: str
    response_template: str


@dataclass
class Exchange:
    """One request's whole story. The gateway writes it step by step; observers only read it."""

    request: HttpRequest
    ids: RequestIds
    region: str
    mode: Mode = Mode.CLIENT
    reached: Reached = Reached.RECEIVED
    match: Match | None = None
    call: Call | None = None
    mock: MockAnswer | None = None
    response: HttpResponse = field(default_factory=lambda: HttpResponse(0))
    method_response_headers: list[tuple[str, str]] = field(default_factory=list)   # the log's "Method response"
    error: GatewayError | None = None
    latency_ms: float = 0.0
    authorization: Authorization | None = None   # None: the method has none (NONE), or a console test skipped it
    usage_plan: UsagePlanCheck | None = None     # None: not reached, or a console test skipped it

    @property
    def test_invoke(self) -> bool:
        return self.mode is Mode.TEST_INVOKE

    @property
    def stage_name(self) -> str | None:
        """The stage the request went through: the console's `test-invoke-stage` (§10.3, §10.7), else the API's."""
        if self.test_invoke:
            return TEST_INVOKE_STAGE
        return self.match.api.stage.name if self.match is not None else None

    @property
    def lambda_request_id(self) -> str | None:
        return self.call.lambda_request_id if self.call is not None else None

    @property
    def integration_latency_ms(self) -> int | None:
        return self.call.latency_ms if self.call is not None and self.reached >= Reached.SENT else None

    @property
    def request_id(self) -> str:
        return self.ids.request_id

    @property
    def hint(self) -> str:
        """lambdagate's own remark on a failed request ("" when none)."""
        return self.error.hint if self.error is not None else ""


class Recorded(Protocol):
    """What every observer reads of one request, whatever its API's kind: a REST API's `Exchange` or an HTTP API's
    `httpapi.HttpApiExchange`."""

    @property
    def request(self) -> HttpRequest: ...

    @property
    def response(self) -> HttpResponse: ...

    @property
    def latency_ms(self) -> float: ...

    @property
    def request_id(self) -> str: ...     # x-amzn-RequestId (REST) or apigw-requestid (HTTP API)

    @property
    def lambda_request_id(self) -> str | None: ...

    @property
    def integration_latency_ms(self) -> int | None: ...

    @property
    def hint(self) -> str: ...


TEST_INVOKE_STAGE = "test-invoke-stage"


@dataclass(frozen=True)
class InvocationLog:
    """Everything Lambda writes to `/aws/lambda/<function>` for one invocation (fact sheet §5.3)."""

    function: Function
    stream: str                  # the environment's log stream
    lambda_request_id: str
    started_at: float            # epoch seconds of START
    lines: tuple[str, ...]       # START, the function's output, END, REPORT


class Observer(Protocol):
    """What a running lambdagate tells the terminal and the recorder."""

    def exchange(self, exchange: Recorded) -> None: ...

    def function_output(self, function: Function, line: str) -> None: ...

    def invocation(self, log: InvocationLog) -> None: ...

    def notice(self, text: str) -> None: ...


class Observers:
    """Several observers as one (the Runner's terminal and recorder)."""

    def __init__(self, *observers: Observer) -> None:
        self.observers = observers

    def exchange(self, exchange: Recorded) -> None:
        for o in self.observers:
            o.exchange(exchange)

    def function_output(self, function: Function, line: str) -> None:
        for o in self.observers:
            o.function_output(function, line)

    def invocation(self, log: InvocationLog) -> None:
        for o in self.observers:
            o.invocation(log)

    def notice(self, text: str) -> None:
        for o in self.observers:
            o.notice(text)
