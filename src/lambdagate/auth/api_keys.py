"""The API key of a request and its usage plan: the "Verifying Usage Plan" step (aws-auth.md §4).

- The key is the `x-api-key` header (name case-insensitive) when the API's `apiKeySource` is HEADER, else the Lambda
  authorizer's `usageIdentifierKey` (AUTHORIZER; a client's `x-api-key` is then ignored) [DOC], [REC] SAM-INT.
- A method with `apiKeyRequired` needs an enabled key that a usage plan of this API stage holds; a missing, unknown
  or disabled key, or one in no plan of the stage, answers 403 `Forbidden` [REC] ERRMAP, LS-snap-common.
- Only methods that require a key count towards the plan's throttle and quota ("Request will not contribute to
  throttle or quota limits", [REC] LOG-2017); the stage's method throttling applies to every request.

    plans = UsagePlans(deployment)                                   # once; holds the buckets and quotas
    use = plans.check(api, match, request, request_id, authorizer_key)   # raises GatewayError (403, 429)
    event["requestContext"]["identity"].update(use.identity())
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from ..definition.model.auth import ApiKey, UsagePlan
from ..definition.model.deployment import Deployment
from ..definition.model.restapi import Api, Method, Resource
from ..errors import (
    API_KEY_NO_USAGE_PLAN_LINE,
    API_KEY_NOT_REQUIRED_LINE,
    KEY_THROTTLE_LINE,
    USAGE_PLAN_SUCCEEDED_LINE,
    USAGE_PLAN_VERIFYING_LINE,
)
from ..exchange import HttpRequest
from .masking import mask
from .throttling import Limits, method_throttle

API_KEY_HEADER = "x-api-key"


@dataclass(frozen=True)
class KeyUse:
    api_key: ApiKey | None
    plan: UsagePlan | None
    lines: Callable[[], list[str]] = field(repr=False)   # the step's log lines, made when asked for

    @property
    def log_lines(self) -> tuple[str, ...]:
        return tuple(self.lines())

    def identity(self) -> dict[str, Any]:
        """The `requestContext.identity` fields a key fills: `apiKey` and `apiKeyId` ([DOC]; [IMPL] LS-impl)."""
        return {"apiKey": self.api_key.value, "apiKeyId": self.api_key.id} if self.api_key else {}


class UsagePlans:
    def __init__(self, deployment: Deployment, limits: Limits | None = None) -> None:
        self.limits = limits if limits is not None else Limits()
        self._keys = {k.value: k for k in deployment.api_keys}
        self._plans = deployment.usage_plans

    def key_value(self, api: Api, request: HttpRequest, authorizer_key: str | None) -> str | None:
        return authorizer_key if api.api_key_source == "AUTHORIZER" else request.header(API_KEY_HEADER)

    def check(self, api: Api, resource: Resource, method: Method, request: HttpRequest, request_id: str,
              authorizer_key: str | None = None) -> KeyUse:
        stage = api.stage.name
        value = self.key_value(api, request, authorizer_key) or ""
        if not method.auth.api_key_required:
            # most requests: the lines are made only when a refusal or a reader needs them (the execution log
            # renders them from the record, observe/execution_log.py)
            def open_lines() -> list[str]:
                shown = mask(value)
                return [USAGE_PLAN_VERIFYING_LINE.format(request_id=request_id, key=shown, api_id=api.id, stage=stage),
                        API_KEY_NOT_REQUIRED_LINE.format(key=shown, method=f"{method.http_method} {resource.path}"),
                        USAGE_PLAN_SUCCEEDED_LINE.format(key=shown, api_id=api.id, stage=stage)]
            self._stage_throttle(api, resource, method, open_lines)
            return KeyUse(None, None, open_lines)
        shown = mask(value)
        described = f"{method.http_method} {resource.path}"
        lines = [USAGE_PLAN_VERIFYING_LINE.format(request_id=request_id, key=shown, api_id=api.id, stage=stage)]
        key = self._keys.get(value) if value else None
        plan = self._plan(key, api.id, stage) if key is not None and key.enabled else None
        if key is None or plan is None:
            lines.append(API_KEY_NO_USAGE_PLAN_LINE.format(key=shown, method=described, api_id=api.id, stage=stage))
            raise errors.forbidden(lines, self._why(api, value, key))
        per_method = dict(next(s.throttle for s in plan.stages if (s.api_id, s.stage) == (api.id, stage)))
        method_key = throttle_key(resource.path, method.http_method)
        throttle, bucket = ((per_method[method_key], ("plan", plan.id, key.id, method_key)) if method_key in per_method
                            else (plan.throttle, ("plan", plan.id, key.id)))
        if throttle is not None and not self.limits.throttle(bucket, throttle):
            lines.append(_throttle_line(api, resource, method, throttle.rate_limit, throttle.burst_limit))
            raise errors.too_many_requests(lines, f"usage plan {plan.name}: API key {key.name} is over its "
                                           f"throttle (rate {throttle.rate_limit}/s, burst {throttle.burst_limit})")
        counter = self.limits.quota(plan.id, key.id, plan.quota) if plan.quota is not None else None
        if counter is not None and not counter.take(self.limits.clock()):
            raise errors.limit_exceeded(lines, f"usage plan {plan.name}: API key {key.name} used its quota of "
                                        f"{counter.quota.limit} per {counter.quota.period.lower()}")
        try:
            self._stage_throttle(api, resource, method, lambda: lines)
        except errors.GatewayError:
            if counter is not None:
                counter.give_back()
            raise
        lines.append(USAGE_PLAN_SUCCEEDED_LINE.format(key=shown, api_id=api.id, stage=stage))
        return KeyUse(key, plan, lambda: lines)

    def _plan(self, key: ApiKey, api_id: str, stage: str) -> UsagePlan | None:
        return next((p for p in self._plans if key.id in p.key_ids and
                     any((s.api_id, s.stage) == (api_id, stage) for s in p.stages)), None)

    def _stage_throttle(self, api: Api, resource: Resource, method: Method,
                        lines: Callable[[], list[str]]) -> None:
        throttle = method_throttle(api.stage.method_settings, resource.path, method.http_method)
        if throttle is not None and not self.limits.throttle(("stage", api.id, api.stage.name, resource.path,
                                                              method.http_method), throttle):
            refused = [*lines(), _throttle_line(api, resource, method, throttle.rate_limit, throttle.burst_limit)]
            raise errors.too_many_requests(refused, f"stage {api.stage.name}: {method.http_method} {resource.path} "
                                           f"is over its throttle (rate {throttle.rate_limit}/s, burst "
                                           f"{throttle.burst_limit}, from MethodSettings)")

    def _why(self, api: Api, value: str, key: ApiKey | None) -> str:
        source = "the authorizer's usageIdentifierKey" if api.api_key_source == "AUTHORIZER" else \
            f"the {API_KEY_HEADER} header"
        if not value:
            return f"the method requires an API key and {source} is missing"
        if key is None:
            return f"{source} is no API key of this template"
        if not key.enabled:
            return f"API key {key.name} is disabled (Enabled: false; AWS::ApiGateway::ApiKey's default)"
        return f"API key {key.name} is in no usage plan of {api.id}/{api.stage.name}"


def throttle_key(resource_path: str, http_method: str) -> str:
    """A usage plan's per-method throttle key: `/<resource path>/<METHOD>` (`//GET` for the root)."""
    return f"{resource_path}/{http_method}" if resource_path != "/" else f"//{http_method}"


def _throttle_line(api: Api, resource: Resource, method: Method, rate: float | None, burst: int | None) -> str:
    return KEY_THROTTLE_LINE.format(api_id=api.id, stage=api.stage.name, resource_id=resource.id,
                                    http_method=method.http_method, limit=f"{rate or 0:.2f}", burst=burst or 0)


def startup_lines(deployment: Deployment) -> list[str]:
    """What `serve` prints about the API keys: each key's value (generated ones above all) and where it applies."""
    out = []
    for key in deployment.api_keys:
        plans = [p for p in deployment.usage_plans if key.id in p.key_ids]
        where = "; ".join(f"usage plan {p.name} ({', '.join(f'{s.api_id}/{s.stage}' for s in p.stages)})"
                          for p in plans) or "no usage plan"
        state = "" if key.enabled else " (disabled)"
        made = " (generated by lambdagate)" if key.generated else ""
        out.append(f"API key {key.name}{state}: {key.value}{made} -> {where}")
    return out


def unusable_methods(deployment: Deployment) -> list[tuple[Api, Resource, Method]]:
    """Methods that require an API key where no enabled key in a usage plan of their stage exists: every call
    answers 403 (a doctor finding)."""
    usable = {(s.api_id, s.stage) for p in deployment.usage_plans for s in p.stages
              if any(k.id in p.key_ids and k.enabled for k in deployment.api_keys)}
    return [(api, resource, method) for api in deployment.apis if (api.id, api.stage.name) not in usable
            for resource in api.resources for method in resource.methods.values() if method.auth.api_key_required]
