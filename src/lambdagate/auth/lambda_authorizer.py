"""One Lambda authorizer step (aws-auth.md §1): identity, cache, invocation, policy, decision, execution log.

The pipeline passes its own invoker, so the authorizer function runs in its own warm environments like any other:

    authorizers = LambdaAuthorizers(deployment, invoke)             # once; holds the result cache
    granted = await authorizers.authorize(authorizer, call)         # raises GatewayError (401, 403, 500)
    event["requestContext"]["authorizer"] = granted.request_context()

What API Gateway answers (§1.10): identity missing, empty or not matching the validation expression -> 401 without
invoking; the function failed with exactly `Unauthorized` -> 401; any other failure, a malformed answer or a
function API Gateway may not invoke -> 500 `{"message":null}`; a matching Deny -> 403 explicit deny; no matching
Allow -> 403 implicit deny. The function's resource policy must let `<apiId>/authorizers/<authorizerId>` invoke it
unless the authorizer has a role (`authorizerCredentials`) ([DOC]; [REC] LOG-2017 X-Amz-Source-Arn).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import errors, permission
from ..definition.model.auth import Authorizer
from ..definition.model.deployment import Deployment
from ..definition.model.function import Function
from ..definition.model.restapi import Api
from ..errors import (
    AUTHORIZER_COMPLETED_LINE,
    AUTHORIZER_CONFIGURATION_EXCEPTION_LINE,
    AUTHORIZER_ENDPOINT_HEADERS_LINE,
    AUTHORIZER_ENDPOINT_URI_LINE,
    AUTHORIZER_ERROR,
    AUTHORIZER_INCOMING_IDENTITY_LINE,
    AUTHORIZER_NOT_AUTHORIZED_LINE,
    AUTHORIZER_POLICY_LINE,
    AUTHORIZER_REQUEST_BODY_LINE,
    AUTHORIZER_RESULT_LINE,
    AUTHORIZER_SENDING_LINE,
    AUTHORIZER_STARTING_LINE,
    AUTHORIZER_UNAUTHORIZED_LINE,
    CONFIGURATION_ERROR_PREFIX,
    INVALID_PERMISSIONS_LINE,
)
from ..exchange import HttpRequest
from . import authorizer_events, identity_sources
from .authorizer_cache import AuthorizerCache, CacheKey
from .authorizer_policy import AuthorizerOutput, PolicyError, evaluate, parse_output
from .masking import mask

UNAUTHORIZED = "Unauthorized"   # the one error message that answers 401 instead of 500 ([DOC] AGDG; [REC] AUTH0-PR)
# what the execution log shows of the SigV4 headers API Gateway sends to Lambda (§1.11; values masked by AWS)
_SIGNATURE = "*" * 178 + "a1b2c3"
_SECURITY_TOKEN = "IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD [TRUNCATED]"


@dataclass(frozen=True)
class FailedInvocation:
    """The invoker's answer when the function gave no result: a function error (`error_payload` is Lambda's error
    JSON, e.g. `{"errorType": ..., "errorMessage": ...}`, a timeout's included) or Lambda refused the call
    (`error_payload` None; `log_lines` what API Gateway logs for it, `hint` why)."""

    error_payload: bytes | None = None
    log_lines: tuple[str, ...] = ()
    hint: str = ""


Invoke = Callable[[Function, bytes], Awaitable["bytes | FailedInvocation"]]


@dataclass(frozen=True)
class AuthorizerCall:
    """What the authorizer step needs to know of the request. `proxy_event` is the integration's event
    (events.build_event), from which a REQUEST authorizer's event is made; `context` the `$context` variables for
    `context.x` identity sources; `path` the request's raw path after the stage in the URL, when it names one (the
    methodArn's path, [REC] LOG-2017), else the request's own."""

    request: HttpRequest
    api: Api
    stage: str
    request_id: str
    proxy_event: Mapping[str, Any]
    context: Mapping[str, str]
    path: str | None = None


@dataclass(frozen=True)
class Authorized:
    """The caller passed: what the integration's `requestContext.authorizer` holds, and the log lines."""

    principal_id: str | None
    context: tuple[tuple[str, str | None], ...]
    usage_identifier_key: str | None
    latency_ms: int                     # the authorizer's invocation; 0 on a cache hit
    cached: bool
    log_lines: tuple[str, ...]

    def request_context(self) -> dict[str, Any]:
        """`requestContext.authorizer` (§1.9 [REC] DT): the context values stringified, then `principalId` and
        `integrationLatency` (a number)."""
        out: dict[str, Any] = dict(self.context)
        out["principalId"] = self.principal_id
        out["integrationLatency"] = self.latency_ms
        return out


def source_arn(deployment: Deployment, api: Api, authorizer: Authorizer) -> str:
    """The SourceArn of API Gateway's call to an authorizer function ([REC] LOG-2017)."""
    return f"arn:aws:execute-api:{deployment.region}:{deployment.account_id}:{api.id}/authorizers/{authorizer.id}"


class LambdaAuthorizers:
    def __init__(self, deployment: Deployment, invoke: Invoke, cache: AuthorizerCache | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.deployment = deployment
        self.cache = cache if cache is not None else AuthorizerCache()
        self._invoke = invoke
        self._clock = clock

    async def authorize(self, authorizer: Authorizer, call: AuthorizerCall) -> Authorized:
        lines = [AUTHORIZER_STARTING_LINE.format(authorizer_id=authorizer.id, request_id=call.request_id)]
        identity = identity_sources.identity(authorizer.identity_source, call.request, call.api.stage.variables,
                                             call.context)
        token = identity[0] if identity and authorizer.type == "TOKEN" else None
        if identity is None or (token is not None and not identity_sources.passes_validation(
                authorizer.validation_expression, token)):
            lines.append(AUTHORIZER_UNAUTHORIZED_LINE.format(request_id=call.request_id))
            raise errors.unauthorized(lines, _missing_hint(authorizer, identity is None))
        if token is not None:
            lines.append(AUTHORIZER_INCOMING_IDENTITY_LINE.format(identity=mask(token)))
        arn = authorizer_events.method_arn(self.deployment.region, self.deployment.account_id, call.api.id,
                                           call.stage, call.request.method, call.path or call.request.raw_path)
        key = CacheKey(call.api.id, call.stage, authorizer.id, identity)
        cacheable = authorizer.ttl_seconds > 0 and bool(identity)
        output = self.cache.get(key) if cacheable else None
        latency, cached = 0, output is not None
        if output is None:
            output, latency = await self._call(authorizer, call, arn, token, lines)
            if cacheable:
                self.cache.put(key, output, authorizer.ttl_seconds)
        return self._decide(authorizer, output, arn, latency, cached, lines)

    async def _call(self, authorizer: Authorizer, call: AuthorizerCall, arn: str, token: str | None,
                    lines: list[str]) -> tuple[AuthorizerOutput, int]:
        function = self._function(authorizer, call.api, lines)
        event = (authorizer_events.token_event(token, arn) if token is not None
                 else authorizer_events.request_event(call.proxy_event, arn))
        payload = authorizer_events.encode(event)
        region, fn_arn = self.deployment.region, function.arn
        lines += [
            AUTHORIZER_ENDPOINT_URI_LINE.format(region=region, function_arn=fn_arn),
            AUTHORIZER_ENDPOINT_HEADERS_LINE.format(
                request_id=call.request_id, authorization=_SIGNATURE,
                amz_date=time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(call.request.received_at)),
                api_id=call.api.id, source_arn=source_arn(self.deployment, call.api, authorizer),
                security_token=_SECURITY_TOKEN),
            AUTHORIZER_REQUEST_BODY_LINE.format(body=payload.decode("utf-8", "replace")),
            AUTHORIZER_SENDING_LINE.format(region=region, function_arn=fn_arn),
        ]
        started = self._clock()
        result = await self._invoke(function, payload)
        latency = round((self._clock() - started) * 1000)
        if isinstance(result, FailedInvocation):
            if result.error_payload is None:
                raise errors.authorizer_configuration_error(
                    lines + list(result.log_lines) + _failed(AUTHORIZER_ERROR), result.hint)
            lines.append(AUTHORIZER_RESULT_LINE.format(body=result.error_payload.decode("utf-8", "replace")))
            message = _error_message(result.error_payload)
            if message == UNAUTHORIZED:
                raise errors.unauthorized(lines, f"the authorizer {authorizer.name} failed with 'Unauthorized'")
            payload_text = result.error_payload
        else:
            lines.append(AUTHORIZER_RESULT_LINE.format(body=result.decode("utf-8", "replace")))
            message, payload_text = None, result
        try:
            return parse_output(payload_text), latency
        except PolicyError as e:
            hint = e.hint if message is None else (
                f"the authorizer {authorizer.name} failed with {message!r}; only a failure whose message is exactly "
                "'Unauthorized' answers 401, any other answers 500")
            raise errors.authorizer_configuration_error(lines + _failed(e.detail), hint) from None

    def _function(self, authorizer: Authorizer, api: Api, lines: list[str]) -> Function:
        arn = authorizer.function_arn
        function = self.deployment.function_by_arn(arn) if arn else None
        if function is None:
            raise errors.authorizer_configuration_error(
                lines + _failed(AUTHORIZER_ERROR),
                f"authorizer {authorizer.name}: no function of this template has the ARN {arn or authorizer.uri!r}")
        if authorizer.credentials is None:
            decision = permission.decide(self.deployment, function,
                                         (source_arn(self.deployment, api, authorizer),))
            if not decision.allowed:
                raise errors.authorizer_configuration_error(
                    lines + [INVALID_PERMISSIONS_LINE] + _failed(AUTHORIZER_ERROR),
                    f"authorizer {authorizer.name}: {decision.reason} (the SourceArn of an authorizer's call is "
                    f"<apiId>/authorizers/<authorizerId>)")
        return function

    def _decide(self, authorizer: Authorizer, output: AuthorizerOutput, arn: str, latency: int, cached: bool,
                lines: list[str]) -> Authorized:
        verdict, statement = evaluate(output.statements, arn)
        if verdict == "explicit_deny":
            denied = ", ".join(statement.resources) if statement is not None else "?"
            raise errors.explicit_deny(lines + [AUTHORIZER_COMPLETED_LINE],
                                       f"a Deny statement of {authorizer.name}'s policy (Resource {denied}) matches "
                                       f"{arn}")
        if verdict == "implicit_deny":
            resources = sorted({r for s in output.statements for r in s.resources})
            cache_note = " (a cached policy: the TTL is not over)" if cached else ""
            raise errors.implicit_deny(lines + [AUTHORIZER_COMPLETED_LINE, AUTHORIZER_NOT_AUTHORIZED_LINE],
                                       f"no Allow statement of {authorizer.name}'s policy{cache_note} matches {arn} "
                                       f"(resources: {', '.join(resources) or 'none'})")
        if output.principal_id is None:   # [UNCERTAIN] (aws-auth.md §1.6): the documentation says it must be there
            raise errors.authorizer_configuration_error(
                lines + _failed(errors.AUTHORIZER_UNPARSEABLE_POLICY),
                f"{authorizer.name} allowed the call without a principalId")
        lines += [AUTHORIZER_POLICY_LINE.format(principal=mask(output.principal_id)), AUTHORIZER_COMPLETED_LINE]
        return Authorized(output.principal_id, output.context, output.usage_identifier_key, latency, cached,
                          tuple(lines))


def _failed(detail: str) -> list[str]:
    return [CONFIGURATION_ERROR_PREFIX + detail, AUTHORIZER_CONFIGURATION_EXCEPTION_LINE]


def _error_message(payload: bytes) -> str | None:
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    message = data.get("errorMessage") if isinstance(data, dict) else None
    return message if isinstance(message, str) else None


def _missing_hint(authorizer: Authorizer, missing: bool) -> str:
    sources = ", ".join(authorizer.identity_source) or "(none)"
    if missing:
        return f"authorizer {authorizer.name}: the request lacks an identity source or it is empty ({sources})"
    return (f"authorizer {authorizer.name}: the token does not match the validation expression "
            f"{authorizer.validation_expression!r}")
