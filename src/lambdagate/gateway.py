"""API Gateway's handling of one REST API request, step by step; the one place where a GatewayError becomes HTTP.

`ApiGateway.handle` reads as the pipeline, in API Gateway's order (aws-auth.md §0.1): route, the method's
authorization (AWS_IAM, Cognito, Lambda authorizer), the usage plan (API key, throttle, quota), the request
validator, then the MOCK answer or the integration: event, function, permission, invoke, method response. Each
step moves `Exchange.reached` forward where AWS's execution log moves to its next phase (fact sheet §4.1), so that
the log, the access log and the metrics can be written from the one record.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from . import content_coding, errors, gateway_responses, ids, mock, permission
from .auth import request_validation, sigv4
from .auth.api_keys import UsagePlans
from .auth.masking import mask
from .auth.sigv4 import IamCredentials
from .auth.throttling import Limits
from .auth.user_pool_keys import UserPoolKeys
from .authorization import MethodAuthorization
from .build.hints import unbuilt_hint
from .definition.model.deployment import Deployment
from .definition.model.function import Function
from .errors import GatewayError
from .events import build_event, encode_event, identity_with_key
from .exchange import (
    Call,
    Exchange,
    HttpRequest,
    HttpResponse,
    MockAnswer,
    Mode,
    Reached,
    RequestIds,
    UsagePlanCheck,
)
from .proxy import Malformed, parse_proxy_result, response_body, response_headers
from .routing import Match, Router
from .runtime import Answered, FunctionFailed, Invoker, Throttled, TimedOut, Unavailable, call_integration

MAX_REQUEST_BYTES = 10485760  # "Payload size 10 MB" (AGDG limits.md; fact sheet §10.2a)
MAX_INVOCATION_BYTES = 6291456  # Lambda's synchronous invocation payload (fact sheet §10.10d)
# Fact sheet §10.4b [REC]: mapping one of these request headers fails every call with 500, even for AWS_PROXY,
# whose other request parameter mappings are silently ignored.
FORBIDDEN_HEADER_MAPPINGS = frozenset(f"integration.request.header.{h}" for h in (
    "content-length", "transfer-encoding", "authorization", "connection", "expect", "proxy-authenticate", "te"))
PERMISSION_CACHE_SIZE = 4096


class ApiGateway:
    """The REST APIs of a deployment behind one port. `on_exchange` sees every finished Exchange."""

    def __init__(self, deployment: Deployment, invoker: Invoker,
                 on_exchange: Callable[[Exchange], None] | None = None, pool_keys: UserPoolKeys | None = None,
                 iam: IamCredentials | None = None) -> None:
        self.deployment = deployment
        self.invoker = invoker
        self.router = Router(deployment.apis)
        # what lives as long as the deployment is served: authorizer results, API keys' buckets and quotas; their
        # clock (seconds since the epoch) is `self.clock`, which tests may move
        self.clock: Callable[[], float] = time.time
        self.authorization = MethodAuthorization(deployment, invoker, pool_keys, iam, lambda: self.clock())
        self.usage_plans = UsagePlans(deployment, Limits(lambda: self.clock()))
        self._on_exchange = on_exchange
        self._decisions: dict[tuple[str, tuple[str, ...]], permission.Decision] = {}
        # a request that matches no resource is answered (and customised) by the first API on the port
        self._first_api = deployment.apis[0] if deployment.apis else None

    async def handle(self, request: HttpRequest, mode: Mode = Mode.CLIENT) -> Exchange:
        x = Exchange(request, RequestIds.new(request.received_at), self.deployment.region, mode)
        started = time.perf_counter()
        try:
            match = self._route(x)
            event = self._event(x, match)
            await self._authorize(x, match, event)
            self._verify_usage_plan(x, match, event)
            self._start_execution(x)
            self._validate(x, match)
            if match.method.integration.type == "mock":
                self._mock(x, match)
            else:
                self._check_integration(match)
                call = self._call(x, match, event)
                function = self._function(x, match, call)
                self._authorise(x, match, function, call)
                payload = await self._invoke(x, match, function, call)
                self._method_response(x, match, payload)
        except GatewayError as e:
            x.error = e.with_traceback(None)  # its frames would keep the request's body alive with the Exchange
        except Exception as e:  # noqa: BLE001 - whatever goes wrong costs this request a 500, never the server
            x.error = errors.unexpected(f"{type(e).__name__}: {e}")
        if x.error is not None:
            api = x.match.api if x.match is not None else self._first_api
            x.response = gateway_responses.customise(x.error, api, x, self.deployment.account_id,
                                                     error_response(x.error, x.ids))
        x.latency_ms = (time.perf_counter() - started) * 1000
        if self._on_exchange is not None:
            self._on_exchange(x)
        return x

    # -- the steps ------------------------------------------------------------------------------------------
    def _route(self, x: Exchange) -> Match:
        request = x.request
        if request.body_too_large or len(request.body) > MAX_REQUEST_BYTES:
            raise errors.request_too_large()
        coding = request.header("Content-Encoding") if request.body else None
        if coding:  # decoded before the API is known (§10.2e)
            x.request = request = replace(request, body=content_coding.decoded(request.body, coding,
                                                                               MAX_INVOCATION_BYTES))
        match = self.router.match(request.method, request.raw_path)
        if match is None:
            raise sigv4.unknown_route_error(request)   # an Authorization header that is not SigV4 shows (aws-auth §3)
        x.match = match
        x.reached = Reached.ROUTED
        return match

    def _event(self, x: Exchange, match: Match) -> dict[str, Any]:
        """The integration's event, built before the checks: a REQUEST authorizer gets it (without body), the
        authorizer and the usage plan add to its requestContext (aws-auth.md §1.4, §1.9, §3)."""
        return build_event(x.request, match, x.ids, self.deployment.account_id, x.test_invoke)

    async def _authorize(self, x: Exchange, match: Match, event: dict[str, Any]) -> None:
        """AWS_IAM, Cognito or a Lambda authorizer: 401, 403, 500 (aws-auth.md §1-§3). The console's Test button
        (TestInvokeMethod) calls the method without its authorizer (aws-auth.md §9)."""
        if not x.test_invoke:
            await self.authorization.authorize(x, match, event)

    def _verify_usage_plan(self, x: Exchange, match: Match, event: dict[str, Any]) -> None:
        """"Verifying Usage Plan": the API key, the plan's throttle and quota, the stage's method throttling: 403
        Forbidden, 429 (aws-auth.md §4). Skipped by a console test, which presents `test-invoke-api-key`."""
        if x.test_invoke:
            return
        api, method = match.api, match.method
        authorizer_key = x.authorization.usage_identifier_key if x.authorization is not None else None
        shown = mask(self.usage_plans.key_value(api, x.request, authorizer_key) or "")
        required = method.auth.api_key_required
        try:
            use = self.usage_plans.check(api, match.resource, method, x.request, x.ids.request_id, authorizer_key)
        except GatewayError as e:
            x.usage_plan = UsagePlanCheck(shown, required, log_lines=tuple(e.log_lines), refused=True)
            raise
        key = use.api_key
        x.usage_plan = UsagePlanCheck(shown, required, key.name if key else None, use.plan.name if use.plan else None,
                                      key.id if key else None, key.value if key else None,
                                      use.log_lines if required else ())   # else rendered from the record
        if key is not None:
            context = event["requestContext"]
            context["identity"] = identity_with_key(context["identity"], use.identity())

    def _start_execution(self, x: Exchange) -> None:
        x.reached = Reached.METHOD   # "Starting execution for request" and the method request's lines

    def _validate(self, x: Exchange, match: Match) -> None:
        """The method's request validator: 400 (aws-auth.md §5)."""
        request_validation.validate(match.api, match.method, x.request, match.path_parameters)

    def _mock(self, x: Exchange, match: Match) -> None:
        """A MOCK integration (CORS preflights): API Gateway answers by itself."""
        failure = mock.request_failure(match.method.integration, x.request, match.api.binary_media_types)
        if failure is not None:
            raise failure
        try:
            answer = mock.respond(match.method.integration, x.request)
        except mock.Unsupported as e:
            where = f"{match.method.http_method} {match.resource.path}"
            raise errors.limitation(f"{where}: a MOCK integration whose {e}") from None
        x.mock = MockAnswer(answer.request_template, answer.response_template)
        x.method_response_headers = answer.headers
        x.response = HttpResponse(answer.status, answer.headers + common_headers(x.ids), answer.body)
        x.reached = Reached.RESPONDED

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

    def _call(self, x: Exchange, match: Match, event: dict[str, Any]) -> Call:
        """The integration request: the proxy event, and the SourceArn the call presents (§6, §10.3)."""
        x.call = Call(match.method.integration.function_arn, self._source_arns(x, match), encode_event(event))
        if x.call.function_arn is not None:
            x.reached = Reached.INTEGRATION
            if len(x.call.event) > MAX_INVOCATION_BYTES:  # Lambda refuses the call (§10.10d)
                x.reached = Reached.SENT
                raise errors.invocation_too_large(ids.uuid4(), len(x.call.event), MAX_INVOCATION_BYTES)
        return x.call

    def _source_arns(self, x: Exchange, match: Match) -> tuple[str, ...]:
        return permission.source_arns(self.deployment, match.api, match.method.http_method, match.resource.path,
                                      x.request.method, "/" + (match.path or x.request.raw_path).lstrip("/"),
                                      x.stage_name)

    def _function(self, x: Exchange, match: Match, call: Call) -> Function:
        integration = match.method.integration
        function = self.deployment.function_by_arn(call.function_arn) if call.function_arn else None
        if function is None:
            if call.function_arn is not None:
                x.reached = Reached.SENT  # the call goes out and Lambda answers 404 (§10.10b)
            where = f"{match.method.http_method} {match.resource.path}"
            raise errors.function_not_found(
                call.function_arn or integration.uri, f"{where}: no function of this template has the ARN in the "
                                                      f"integration URI {integration.uri}")
        return function

    def _authorise(self, x: Exchange, match: Match, function: Function, call: Call) -> None:
        if match.method.integration.credentials:
            return  # an execution role authorises the call instead of the resource policy (§6)
        arns = call.source_arns
        key = (function.arn, arns)
        decision = self._decisions.get(key)
        if decision is None:  # the deployment does not change while served: decide once per function and ARN
            if len(self._decisions) > PERMISSION_CACHE_SIZE:  # real paths vary without end: keep it bounded
                self._decisions.clear()
            decision = self._decisions[key] = permission.decide(self.deployment, function, arns)
        if not decision.allowed:
            x.reached = Reached.SENT  # Lambda refuses the call it receives (§10.10c)
            raise errors.invalid_permissions(decision.reason)

    async def _invoke(self, x: Exchange, match: Match, function: Function, call: Call) -> bytes:
        x.reached = Reached.SENT
        started = time.perf_counter()
        timeout = match.method.integration.timeout_ms / 1000
        outcome = await call_integration(self.invoker, function, call.event, x.ids.trace_id, timeout)
        call.latency_ms = round((time.perf_counter() - started) * 1000)
        if isinstance(outcome, TimedOut):
            raise errors.integration_timeout()
        if isinstance(outcome, Unavailable):
            raise (errors.limitation if outcome.not_emulated else errors.function_unavailable)(outcome.reason)
        if isinstance(outcome, Throttled):
            raise errors.rate_exceeded(outcome.lambda_request_id, f"{function.logical_id} has "
                                       f"ReservedConcurrentExecutions: {function.reserved_concurrency} and all of "
                                       "it is in use")
        call.lambda_request_id = outcome.lambda_request_id
        call.result = outcome.payload
        x.reached = Reached.ANSWERED
        if isinstance(outcome, FunctionFailed):
            call.function_error = True
            raise errors.customer_function_error(outcome.error_message, outcome.lambda_request_id,
                                                 unbuilt_hint(function, outcome.error_type, outcome.error_message))
        assert isinstance(outcome, Answered)
        return outcome.payload

    def _method_response(self, x: Exchange, match: Match, payload: bytes) -> None:
        try:
            result = parse_proxy_result(payload)
        except Malformed as problem:
            raise errors.malformed_proxy_response(str(problem)) from None
        body = response_body(result, x.request.header("Accept"), match.api.binary_media_types)
        headers = response_headers(result)
        x.method_response_headers = [("X-Amzn-Trace-Id", x.ids.trace_id + ";Sampled=0")] + headers
        x.response = HttpResponse(result.status, headers + common_headers(x.ids), body)
        x.reached = Reached.RESPONDED


def common_headers(ids: RequestIds) -> list[tuple[str, str]]:
    return [("x-amzn-RequestId", ids.request_id), ("x-amz-apigw-id", ids.extended_request_id),
            ("X-Amzn-Trace-Id", ids.trace_id)]


def error_response(error: GatewayError, ids: RequestIds) -> HttpResponse:
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
