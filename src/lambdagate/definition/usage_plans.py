"""API keys and usage plans (aws-auth.md §4.1, §4.4), from CloudFormation and from SAM's `Auth.UsagePlan`.

- `AWS::ApiGateway::ApiKey`: `Name`, `Value` (20-128 characters; absent: API Gateway generates one, lambdagate a
  stable one printed at start-up), `Enabled` (default false, as CloudFormation's schema says). `Ref` is its id.
- `AWS::ApiGateway::UsagePlan`: `ApiStages` [{ApiId, Stage, Throttle: {"/<path>/<METHOD>": {BurstLimit,
  RateLimit}}}], `Throttle` {BurstLimit, RateLimit}, `Quota` {Limit, Offset, Period DAY|WEEK|MONTH},
  `UsagePlanName`. `Ref` is its id.
- `AWS::ApiGateway::UsagePlanKey`: `KeyId`, `KeyType` API_KEY, `UsagePlanId`.
- SAM `Auth.UsagePlan.CreateUsagePlan`: PER_API makes `<Api>UsagePlan`, `<Api>ApiKey` (enabled) and
  `<Api>UsagePlanKey` for the API's stage; SHARED one `ServerlessUsagePlan`, `ServerlessApiKey` and
  `ServerlessUsagePlanKey` for every API that asks for it; NONE nothing ([REC] SAMT api_generator.py).
"""

from __future__ import annotations

from typing import Any

from .model.auth import ApiKey, Quota, Throttle, UsagePlan, UsagePlanStage
from .openapi import InvalidDefinition
from .resource_ids import api_key_id, api_key_value, usage_plan_id
from .stack import Keys, Stack

API_KEY = "AWS::ApiGateway::ApiKey"
USAGE_PLAN = "AWS::ApiGateway::UsagePlan"
USAGE_PLAN_KEY = "AWS::ApiGateway::UsagePlanKey"
PERIODS = ("DAY", "WEEK", "MONTH")


def ref(stack: Stack, logical_id: str) -> str | None:
    kind = stack.type_of(logical_id)
    if kind == API_KEY:
        return api_key_id(stack.o.stack_name, logical_id)
    if kind == USAGE_PLAN:
        return usage_plan_id(stack.o.stack_name, logical_id)
    return None


def throttle(value: Any, keys: Keys) -> Throttle | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidDefinition(keys, "a throttle is {BurstLimit, RateLimit}")
    try:
        return Throttle(None if value.get("RateLimit") is None else float(value["RateLimit"]),
                        None if value.get("BurstLimit") is None else int(value["BurstLimit"]))
    except (TypeError, ValueError):
        raise InvalidDefinition(keys, f"RateLimit is a number and BurstLimit a whole number, got {value!r}") from None


def quota(value: Any, keys: Keys) -> Quota | None:
    if value is None:
        return None
    if not isinstance(value, dict) or "Limit" not in value or "Period" not in value:
        raise InvalidDefinition(keys, "a quota is {Limit, Period: DAY|WEEK|MONTH, Offset}")
    period = str(value["Period"]).upper()
    if period not in PERIODS:
        raise InvalidDefinition(keys + ("Period",), f"Period is DAY, WEEK or MONTH, got {value['Period']!r}")
    try:
        return Quota(int(value["Limit"]), period, int(value.get("Offset") or 0))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidDefinition(keys, f"Limit and Offset are whole numbers, got {value!r}") from None


def api_key(stack: Stack, logical_id: str, props: dict[str, Any], enabled_default: bool = False) -> ApiKey:
    keys: Keys = ("Resources", logical_id, "Properties")
    value = props.get("Value")
    if value is not None and not 20 <= len(str(value)) <= 128:
        raise InvalidDefinition(keys + ("Value",), f"an API key value is 20 to 128 characters, got {len(str(value))}")
    enabled = props.get("Enabled", enabled_default)
    return ApiKey(api_key_id(stack.o.stack_name, logical_id), str(props.get("Name") or logical_id),
                  str(value) if value is not None else api_key_value(stack.o.stack_name, logical_id),
                  enabled is True or str(enabled).lower() == "true", value is None,
                  stack.location("Resources", logical_id))


def usage_plan(stack: Stack, logical_id: str, props: dict[str, Any], key_ids: tuple[str, ...]) -> UsagePlan:
    keys: Keys = ("Resources", logical_id, "Properties")
    stages = []
    entries = props.get("ApiStages") or []
    if not isinstance(entries, list):
        raise InvalidDefinition(keys + ("ApiStages",), "ApiStages is a list of {ApiId, Stage, Throttle}")
    for i, entry in enumerate(entries):
        skeys = keys + ("ApiStages", i)
        if not isinstance(entry, dict) or "ApiId" not in entry or "Stage" not in entry:
            raise InvalidDefinition(skeys, "an API stage is {ApiId, Stage, Throttle}")
        per_method = entry.get("Throttle") or {}
        if not isinstance(per_method, dict):
            raise InvalidDefinition(skeys + ("Throttle",), "expected {\"/<path>/<METHOD>\": {BurstLimit, RateLimit}}")
        limits = []
        for path, spec in per_method.items():
            found = throttle(spec, skeys + ("Throttle", path))
            if found is not None:
                limits.append((str(path), found))
        stages.append(UsagePlanStage(str(entry["ApiId"]), str(entry["Stage"]), tuple(limits)))
    return UsagePlan(usage_plan_id(stack.o.stack_name, logical_id), str(props.get("UsagePlanName") or logical_id),
                     tuple(stages), throttle(props.get("Throttle"), keys + ("Throttle",)),
                     quota(props.get("Quota"), keys + ("Quota",)), key_ids, stack.location("Resources", logical_id))


def cloudformation(stack: Stack) -> tuple[list[ApiKey], list[UsagePlan]]:
    """The template's API keys and usage plans with their keys."""
    try:
        keys = [api_key(stack, i, stack.resolve(stack.properties(i), ("Resources", i, "Properties")))
                for i in stack.logical_ids(API_KEY)]
        members: dict[str, list[str]] = {}
        for i in stack.logical_ids(USAGE_PLAN_KEY):
            pkeys: Keys = ("Resources", i, "Properties")
            props = stack.properties(i)
            for required in ("KeyId", "KeyType", "UsagePlanId"):
                if required not in props:
                    raise InvalidDefinition(pkeys, f"an AWS::ApiGateway::UsagePlanKey needs {required}")
            if stack.string(props["KeyType"], pkeys + ("KeyType",)) != "API_KEY":
                raise InvalidDefinition(pkeys + ("KeyType",), "KeyType must be API_KEY")
            plan = stack.logical_id_of(props["UsagePlanId"], (USAGE_PLAN,), pkeys + ("UsagePlanId",))
            key = stack.logical_id_of(props["KeyId"], (API_KEY,), pkeys + ("KeyId",))
            members.setdefault(plan, []).append(api_key_id(stack.o.stack_name, key))
        plans = [usage_plan(stack, i, stack.resolve(stack.properties(i), ("Resources", i, "Properties")),
                            tuple(members.get(i, []))) for i in stack.logical_ids(USAGE_PLAN)]
    except InvalidDefinition as e:
        raise stack.t.error(e.keys, e.message) from None
    return keys, plans
