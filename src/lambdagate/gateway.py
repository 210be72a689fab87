"""API Gateway's handling of one request, step by step; the one place where a GatewayError becomes HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import errors, gateway_responses, ids, mock, permission
from .build.hints import unbuilt_hint
from .definition.model import Deployment, Function
from .errors import GatewayError
from .events import TEST_INVOKE_STAGE, RequestIds, build_event, encode_event
from .messages import HttpRequest, HttpResponse
from .observe.execution_log import Trace
from .proxy import Malformed, parse_proxy_result, response_body, response_headers
from .routing import Match, Router
from .runtime.environment import Outcome
from .runtime.pool import Throttled
from .runtime.service import FunctionUnavailable, LambdaService

MAX_REQUEST_BYTES = 10485760  # "Payload size 10 MB" (AGDG limits.md; fact sheet §10.2a)
# Fact sheet §10.4b [REC]: mapping one of these request headers fails every call with 500, even for AWS_PROXY,
# whose other request parameter mappings are silently ignored.
FORBIDDEN_HEADER_MAPPINGS = frozenset(f"integration.request.header.{h}" for h in (
    "content-length", "transfer-encoding", "authorization", "connection", "expect", "proxy-authenticate", "te"))


@dataclass
class Exchange:
    """One request's whole story: what came in, what went out, and what the logs need."""

    request: HttpRequest
    response: HttpResponse
    trace: Trace
    error: GatewayError | None
    latency_ms: float
    integration_latency_ms: float | None
    test_invoke: bool = False


def new_ids(now: float) -> RequestIds:
    return RequestIds(ids.uuid4(), ids.extended_request_id(), ids.trace_id(now))


class ApiGateway:
    def __init__(self, deployment: Deployment, lambdas: LambdaService,
                 on_exchange: Callable[[Exchange], None] | None = None) -> None:
        self.deployment = deployment
        self.lambdas = lambdas
        self.router = Router(deployment.apis)
        self._on_exchange = on_exchange
        self._decisions: dict[tuple[str, tuple[str, ...]], permission.Decision] = {}
        # a request that matches no resource is answered (and customised) by the first API on the port
        self._first_api = deployment.apis[0] if deployment.apis else None

    async def handle(self, request: HttpRequest, test_invoke: bool = False) -> Exchange:
        """One request through API Gateway; `test_invoke` as the console's Test button sends it (§4.2, §10.7)."""
        ids = new_ids(request.received_at)
        trace = Trace(request, ids, self.deployment.region)
        started = time.perf_counter()
        error: GatewayError | None = None
        try:
            if request.body_too_large or len(request.body) > MAX_REQUEST_BYTES:
                raise errors.request_too_large()
            match = self.router.match(request.method, request.raw_path)
            if match is None:
                raise errors.missing_authentication_token()
            trace.match = match
            if match.method.integration.type == "mock":
                response = self._mock(match, request, trace)
                return self._done(request, response, trace, None, started, test_invoke)
            self._check_integration(match)
            trace.event = encode_event(build_event(request, match, ids, self.deployment.account_id, test_invoke))
            arns = permission.source_arns(self.deployment, match.api, match.method.http_method, match.resource.path,
                                          request.method, "/" + request.raw_path.lstrip("/"),
                                          TEST_INVOKE_STAGE if test_invoke else None)
            trace.source_arn = arns[0]
            function = self._function(match, trace)
            self._authorise(match, function, trace, arns)
            payload = await self._invoke(function, match, trace)
            response = self._method_response(payload, request, match, trace)
        except GatewayError as e:
            error = e
        except Exception as e:  # noqa: BLE001 - whatever goes wrong costs this request a 500, never the server
            error = errors.unexpected(f"{type(e).__name__}: {e}")
        if error is not None:
            trace.error_lines = error.log_lines
            api = trace.match.api if trace.match is not None else self._first_api
            response = gateway_responses.customise(error, api, request, trace, self.deployment.account_id,
                                                   _error_response(error, ids))
        return self._done(request, response, trace, error, started, test_invoke)

    def _done(self, request: HttpRequest, response: HttpResponse, trace: Trace, error: GatewayError | None,
              started: float, test_invoke: bool) -> Exchange:
        trace.status = response.status
        exchange = Exchange(request, response, trace, error, (time.perf_counter() - started) * 1000,
                            trace.integration_latency_ms, test_invoke)
        if self._on_exchange is not None:
            self._on_exchange(exchange)
        return exchange

    # -- the steps ------------------------------------------------------------------------------------------
    def _mock(self, match: Match, request: HttpRequest, trace: Trace) -> HttpResponse:
        """A MOCK integration (CORS preflights): API Gateway answers by itself."""
        where = f"{match.method.http_method} {match.resource.path}"
        try:
            status, headers, body, request_template, response_template = mock.respond(
                match.method.integration, request)
        except mock.Unsupported as e:
            raise errors.limitation(f"{where}: a MOCK integration whose {e}") from None
        trace.mock = (request_template, response_template)
        trace.response_headers = headers
        trace.response_body = body
        return HttpResponse(status, headers + _common_headers(trace.ids), body)

    def _check_integration(self, match: Match) -> None:
        integration = match.method.integration
        where = f"{match.method.http_method} {match.resource.path}"
        if integration.type != "aws_proxy":
            kind = (integration.type or "no").upper()
            raise errors.limitation(f"{where} has {kind} integration: lambdagate serves AWS_PROXY (Lambda proxy) "
                                    "and MOCK (CORS preflight) integrations only")
        for target, _source in integration.request_parameters:
            if target.lower() in FORBIDDEN_HEADER_MAPPINGS:
                raise errors.configuration_error(
                    f"{where}: the integration maps {target}, a header API Gateway does not let an integration "
                    "request set; every call fails with 500 until the mapping is removed")
        if integration.http_method != "POST":
            # LS-snap-lambda test_lambda_aws_proxy_integration_non_post_method: 500 (log line not recorded)
            raise errors.configuration_error(
                f"{where}: the integration's httpMethod is {integration.http_method}; Lambda is only invoked "
                "with POST (set x-amazon-apigateway-integration.httpMethod: POST)")

    def _function(self, match: Match, trace: Trace) -> Function:
        integration = match.method.integration
        arn = integration.function_arn
        trace.function_arn = arn
        function = self.deployment.function_by_arn(arn) if arn else None
        if function is None:
            trace.sent = True  # Lambda answers 404 to the call (§10.10b)
            where = f"{match.method.http_method} {match.resource.path}"
            raise errors.function_not_found(
                arn or integration.uri, f"{where}: no function of this template has the ARN in the integration "
                                        f"URI {integration.uri}")
        return function

    def _authorise(self, match: Match, function: Function, trace: Trace, arns: tuple[str, ...]) -> None:
        if match.method.integration.credentials:
            return  # an execution role authorises the call instead of the resource policy (§6)
        key = (function.arn, arns)
        decision = self._decisions.get(key)
        if decision is None:  # the deployment does not change while served: decide once per function and ARN
            if len(self._decisions) > 4096:  # real paths vary without end: keep the cache bounded
                self._decisions.clear()
            decision = self._decisions[key] = permission.decide(self.deployment, function, arns)
        if not decision.allowed:
            trace.sent = True
            raise errors.invalid_permissions(decision.reason)

    async def _invoke(self, function: Function, match: Match, trace: Trace) -> bytes:
        assert trace.event is not None
        trace.sent = True
        started = time.perf_counter()
        timeout = match.method.integration.timeout_ms / 1000
        # The integration gives up at its timeout (504) while the invocation runs on to Lambda's own timeout;
        # waiting for a free environment and a cold start count towards it too.
        task = asyncio.ensure_future(self.lambdas.invoke(function, trace.event, trace.ids.trace_id))
        task.add_done_callback(_retrieve)
        try:
            result = await asyncio.wait_for(asyncio.shield(task), timeout=timeout)
        except asyncio.TimeoutError:
            raise errors.integration_timeout() from None
        except FunctionUnavailable as e:
            raise (errors.limitation if e.not_emulated else errors.function_unavailable)(str(e)) from None
        finally:
            trace.integration_latency_ms = round((time.perf_counter() - started) * 1000)
        if isinstance(result, Throttled):
            raise errors.rate_exceeded(result.request_id, f"{function.logical_id} has "
                                       f"ReservedConcurrentExecutions: {function.reserved_concurrency} and all of "
                                       "it is in use")
        trace.lambda_request_id = result.request_id
        trace.received_response = True
        trace.result = result.payload
        if result.outcome is Outcome.FUNCTION_ERROR:
            trace.function_error = True
            raise errors.customer_function_error(result.error_message, result.request_id,
                                                 unbuilt_hint(function, result.error_type, result.error_message))
        return result.payload

    def _method_response(self, payload: bytes, request: HttpRequest, match: Match, trace: Trace) -> HttpResponse:
        try:
            result = parse_proxy_result(payload)
        except Malformed as problem:
            raise errors.malformed_proxy_response(str(problem)) from None
        body = response_body(result, request.header("Accept"), match.api.binary_media_types)
        headers = response_headers(result)
        trace.response_headers = [("X-Amzn-Trace-Id", trace.ids.trace_id + ";Sampled=0")] + headers
        trace.response_body = body
        headers += _common_headers(trace.ids)
        return HttpResponse(result.status, headers, body)


def _retrieve(task: asyncio.Future[Any]) -> None:
    """An invocation that outlived its request (504) may still fail: its error is known, not "never retrieved"."""
    if not task.cancelled():
        task.exception()


def _common_headers(ids: RequestIds) -> list[tuple[str, str]]:
    return [("x-amzn-RequestId", ids.request_id), ("x-amz-apigw-id", ids.extended_request_id),
            ("X-Amzn-Trace-Id", ids.trace_id)]


def _error_response(error: GatewayError, ids: RequestIds) -> HttpResponse:
    """Fact sheet §3: Content-Type, x-amzn-RequestId, x-amz-apigw-id, x-amzn-ErrorType on every error;
    X-Amzn-Trace-Id on 5xx (CURL-2025). The 413 is plain text and carries none of them (§10.2a)."""
    if error.response_type == errors.LIMITATION:
        return HttpResponse(error.status, [("Content-Type", error.content_type), ("x-amzn-RequestId", ids.request_id),
                                           ("x-lambdagate-limitation", "integration")], error.body)
    if error.error_type is None:
        return HttpResponse(error.status, [("Content-Type", error.content_type)], error.body)
    headers = [("Content-Type", error.content_type), ("x-amzn-RequestId", ids.request_id),
               ("x-amzn-ErrorType", error.error_type), ("x-amz-apigw-id", ids.extended_request_id)]
    if error.status >= 500:
        headers.append(("X-Amzn-Trace-Id", ids.trace_id))
    return HttpResponse(error.status, headers, error.body)
