"""One HTTP API request's story, for the observers (terminal, access log, Lambda log, metrics, dashboard,
`lambdagate logs`): what came in, how far API Gateway got, what went out."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from ..definition.model import Function
from ..exchange import HttpRequest, HttpResponse
from .errors import HttpApiError
from .request import HttpApiIds
from .routing import RouteMatch


class Reached(IntEnum):
    """How far API Gateway got with the request."""

    RECEIVED = 0        # no stage or route matched (404, 400, 413): no stage, no access-log line (§2.1)
    ROUTED = 1          # a route matched (and a preflight was answered there)
    AUTHORIZED = 2      # the authorizer (if any) let it through
    SENT = 3            # the integration was called
    ANSWERED = 4        # Lambda answered (a result or a function error)
    RESPONDED = 5       # the integration's response went out


@dataclass
class HttpApiExchange:
    request: HttpRequest
    ids: HttpApiIds
    reached: Reached = Reached.RECEIVED
    match: RouteMatch | None = None
    preflight: bool = False
    function: Function | None = None
    event: bytes | None = None
    lambda_request_id: str | None = None
    result: bytes | None = None
    function_error: bool = False
    integration_status: int | None = None      # the function's statusCode, `$context.integration.status`
    integration_latency_ms: int | None = None
    authorizer: dict[str, Any] = field(default_factory=dict)   # `$context.authorizer.*` (principalId, claims, ...)
    response: HttpResponse | None = None
    error: HttpApiError | None = None
    latency_ms: float = 0.0

    @property
    def status(self) -> int:
        return self.response.status if self.response is not None else 0
