"""One HTTP API request's story, for the observers (terminal, access log, Lambda log, metrics, dashboard,
`lambdagate logs`): what came in, how far API Gateway got, what went out. It is an `exchange.Recorded`, as the REST
pipeline's `Exchange` is."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from ..definition.model.function import Function
from ..definition.model.httpapi import HttpApi, HttpStage
from ..exchange import HttpRequest, HttpResponse
from .errors import HttpApiError
from .request import HttpApiIds
from .routing import RouteMatch


class Reached(IntEnum):
    """How far API Gateway got with the request."""

    RECEIVED = 0        # no route matched (404, 400, 413); without a stage no access-log line either (§2.1)
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
    unrouted: tuple[HttpApi, HttpStage] | None = None   # the stage a request reached without a route (its 404)
    preflight: bool = False
    function: Function | None = None
    event: bytes | None = None
    lambda_request_id: str | None = None
    result: bytes | None = None
    function_error: bool = False
    integration_status: int | None = None      # the function's statusCode, `$context.integration.status`
    integration_latency_ms: int | None = None
    authorizer: dict[str, Any] = field(default_factory=dict)   # `$context.authorizer.*` (principalId, claims, ...)
    response: HttpResponse = field(default_factory=lambda: HttpResponse(0))
    error: HttpApiError | None = None
    latency_ms: float = 0.0

    @property
    def api_stage(self) -> tuple[HttpApi, HttpStage] | None:
        """The API and stage the request reached, route or not: where its access-log line and metrics go."""
        return (self.match.api, self.match.stage) if self.match is not None else self.unrouted

    @property
    def status(self) -> int:
        return self.response.status

    @property
    def request_id(self) -> str:
        """`apigw-requestid`, `$context.requestId`."""
        return self.ids.request_id

    @property
    def hint(self) -> str:
        """lambdagate's own remark on a failed request ("" when none)."""
        return self.error.hint if self.error is not None else ""
