"""An HTTP API's handling of one request, step by step (docs/aws-http-api.md): the one place where an
`HttpApiError` becomes HTTP for HTTP APIs.

    size -> path -> CORS preflight -> route (404) -> throttling (429) -> authorization (401/403/500)
         -> event (2.0 or 1.0) -> permission (500) -> invoke with the integration timeout (503)
         -> result (500 if malformed) -> CORS headers -> `apigw-requestid`

The Lambda side is the runtime's `Invoker` (invocation.py), the authorizers' collaborators (issuer keys, IAM secrets)
and the clock are injected (authorization.py): the whole pipeline runs in a unit test with fakes, and in the server
with the Lambda service.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import orjson

from .. import permission
from ..auth.sigv4 import IamCredentials
from ..definition.model.deployment import Deployment
from ..definition.model.function import Function
from ..exchange import HttpRequest, HttpResponse
from ..runtime import FunctionFailed, Invoker, Throttled, TimedOut, Unavailable
from . import cors, errors
from .authorization import Authorization
from .errors import HttpApiError
from .event import build_event_v2
from .event_v1 import build_event_v1
from .invocation import call, source_arns
from .jwt_authorizer import IssuerKeys
from .record import HttpApiExchange, Reached
from .request import HttpApiIds
from .result import MalformedResult, Result, parse_result_v1, parse_result_v2
from .routing import HttpRouter, RouteMatch, UndecodablePath, decode_path
from .throttling import Throttle

MAX_REQUEST_BYTES = 10485760          # "Payload size 10 MB" (AGDG limits, HTTP API quotas; §10.2)
PERMISSION_CACHE_SIZE = 4096


class HttpApiGateway:
    """The HTTP APIs of a deployment. `handle` answers one request and returns its record; `on_exchange` sees every
    finished record (as the REST pipeline's ApiGateway does)."""

    def __init__(self, deployment: Deployment, invoker: Invoker, keys: IssuerKeys | None = None,
                 iam: IamCredentials | None = None, on_exchange: Callable[[HttpApiExchange], None] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.deployment = deployment
        self.invoker = invoker
        self.router = HttpRouter(deployment.http_apis)
        self.throttle = Throttle()
        self.authorization = Authorization(deployment, invoker, keys, iam, clock)
        self._on_exchange = on_exchange
        self._decisions: dict[tuple[str, tuple[str, ...]], permission.Decision] = {}

    async def handle(self, request: HttpRequest) -> HttpApiExchange:
        x = HttpApiExchange(request, HttpApiIds.new(request.received_at))
        started = time.perf_counter()
        try:
            x.response = await self._steps(x)
        except HttpApiError as e:
            x.error = e
        except Exception as e:  # noqa: BLE001 - whatever goes wrong costs this request a 500, never the server
            x.error = errors.internal_server_error(f"lambdagate could not handle this request: "
                                                   f"{type(e).__name__}: {e}")
        if x.error is not None:
            x.response = HttpResponse(x.error.status, errors.error_headers(x.error, x.ids.request_id), x.error.body)
        api = x.match.api if x.match is not None else None
        if api is not None and api.cors is not None and not x.preflight:
            x.response.headers = cors.response_headers(api.cors, request, x.response.headers)
        x.latency_ms = (time.perf_counter() - started) * 1000
        if self._on_exchange is not None:
            self._on_exchange(x)
        return x

    # -- the steps ------------------------------------------------------------------------------------------
    async def _steps(self, x: HttpApiExchange) -> HttpResponse:
        request = x.request
        if request.body_too_large or len(request.body) > MAX_REQUEST_BYTES:
            raise errors.request_too_large()
        try:
            path = decode_path(request.raw_path)
        except UndecodablePath as e:
            raise errors.bad_request(str(e)) from None
        preflight = self._preflight(x, path)
        if preflight is not None:
            return preflight
        match = self.router.match(request.method, path)
        if match is None:
            x.unrouted = self.router.stage_of(path)
            raise errors.not_found(f"no route of an HTTP API matches {request.method} {path}")
        x.match, x.reached = match, Reached.ROUTED
        route, integration = match.route, match.route.integration
        if not self.throttle.admit(match.api.id, match.stage, route.route_key):
            raise errors.too_many_requests(f"{route.route_key} on stage {match.stage.name} is over its throttling "
                                           "limits (DefaultRouteSettings / RouteSettings)")
        authorized = await self.authorization.authorize(x, match)
        x.reached = Reached.AUTHORIZED
        if integration is None or integration.type != "aws_proxy" or integration.subtype is not None:
            kind = "no" if integration is None else integration.subtype or integration.type.upper()
            raise errors.not_emulated(f"{route.route_key} has {kind} integration: lambdagate serves AWS_PROXY "
                                      "(Lambda proxy) integrations of HTTP APIs only")
        function = self._function(match)
        version = integration.payload_format_version
        event = build_event_v2(request, match, x.ids, self.deployment.account_id, authorized.context_v2) \
            if version == "2.0" else build_event_v1(request, match, x.ids, self.deployment.account_id,
                                                    authorized.context_v1, authorized.identity_v1)
        x.event = orjson.dumps(event)
        self._permit(match, function, request.method, integration.credentials)
        payload = await self._invoke(x, function, x.event, integration.timeout_ms)
        try:
            result = parse_result_v2(payload) if version == "2.0" else parse_result_v1(payload)
        except MalformedResult as e:
            raise errors.malformed_result(str(e), e.integration_error) from None
        x.integration_status = result.status
        x.reached = Reached.RESPONDED
        return _response(result, x.ids)

    def _preflight(self, x: HttpApiExchange, path: str) -> HttpResponse | None:
        """With CorsConfiguration, API Gateway answers a preflight itself (cors.py)."""
        if not cors.is_preflight(x.request):
            return None
        for api in self.deployment.http_apis:
            if api.cors is None:
                continue
            match = self.router.match_stage(api, path)
            if match is None:
                continue
            x.match, x.reached, x.preflight = match, Reached.ROUTED, True
            headers = cors.preflight_headers(api.cors, x.request) + [("apigw-requestid", x.ids.request_id)]
            return HttpResponse(cors.PREFLIGHT_STATUS, headers, b"")
        return None

    def _function(self, match: RouteMatch) -> Function:
        integration = match.route.integration
        arn = integration.function_arn if integration is not None else None
        function = self.deployment.function_by_arn(arn) if arn else None
        if function is None:   # Lambda answers the Invoke 404; API Gateway answers 500 ([INFERRED] §6)
            raise errors.internal_server_error(f"{match.route.route_key}: no function of this template has the ARN "
                                               f"{arn or (integration.uri if integration else '')}")
        return function

    def _permit(self, match: RouteMatch, function: Function, method: str, credentials: str | None) -> None:
        if credentials:
            return   # an integration role authorises the call instead of the resource policy (§1.7)
        arns = source_arns(self.deployment.region, self.deployment.account_id, match.api.id, match.stage.name,
                           match.route.route_key, method)
        key = (function.arn, arns)
        decision = self._decisions.get(key)
        if decision is None:
            if len(self._decisions) > PERMISSION_CACHE_SIZE:
                self._decisions.clear()
            decision = self._decisions[key] = permission.decide(self.deployment, function, arns)
        if not decision.allowed:
            raise errors.no_permission(decision.reason)

    async def _invoke(self, x: HttpApiExchange, function: Function, event: bytes, timeout_ms: int) -> bytes:
        x.function, x.reached = function, Reached.SENT
        started = time.perf_counter()
        invoked = await call(self.invoker, function, event, timeout_ms, x.ids.trace_id)
        x.integration_latency_ms = round((time.perf_counter() - started) * 1000)
        if isinstance(invoked, TimedOut):
            raise errors.integration_timeout(timeout_ms)
        if isinstance(invoked, Unavailable):
            raise errors.internal_server_error(invoked.reason)
        x.lambda_request_id = invoked.lambda_request_id
        if isinstance(invoked, Throttled):
            raise errors.throttled(f"{function.logical_id} has ReservedConcurrentExecutions: "
                                   f"{function.reserved_concurrency} and all of it is in use")
        x.reached = Reached.ANSWERED
        x.result = invoked.payload
        if isinstance(invoked, FunctionFailed):
            x.function_error = True
            raise errors.function_error(invoked.error_message)
        return invoked.payload


def _response(result: Result, request_ids: HttpApiIds) -> HttpResponse:
    """The integration's response with `apigw-requestid`, and none of REST's own headers (§5.7 [REC])."""
    return HttpResponse(result.status, list(result.headers) + [("apigw-requestid", request_ids.request_id)],
                        result.body)

