"""auth/api_keys.py and auth/throttling.py: the key of a request, its usage plan, throttle (token bucket), quota and
the stage's method throttling, with an injected clock (aws-auth.md §4)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lambdagate import errors
from lambdagate.auth.api_keys import UsagePlans, startup_lines, unusable_methods
from lambdagate.auth.throttling import Limits, period_start
from lambdagate.definition.model.auth import ApiKey, MethodAuth, Quota, Throttle, UsagePlan, UsagePlanStage
from lambdagate.definition.model.deployment import Deployment
from lambdagate.definition.model.restapi import Api, Integration, Method, MethodSetting, Resource, Stage
from lambdagate.exchange import HttpRequest

VALUE = "abcdefghij0123456789KEY"
KEY = ApiKey("key1234567", "tester", VALUE)
GET = Method("GET", Integration("aws_proxy", ""), auth=MethodAuth(api_key_required=True))
OPEN = Method("GET", Integration("aws_proxy", ""))
ITEMS = Resource("res123", "/items", {"GET": GET})
API = Api("Api", "api", "abcdef1234", Stage("prod", "d"), (ITEMS,))
PLAN = UsagePlan("plan01", "gold", (UsagePlanStage("abcdef1234", "prod"),), key_ids=(KEY.id,))


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0   # Tue 2023-11-14 22:13:20 UTC

    def __call__(self) -> float:
        return self.now


def plans(*plan: UsagePlan, keys: tuple[ApiKey, ...] = (KEY,), clock: Clock | None = None) -> UsagePlans:
    deployment = Deployment((API,), {}, (), "us-east-1", "123456789012", api_keys=keys, usage_plans=plan)
    return UsagePlans(deployment, Limits(clock or Clock()))


def request(key: str | None = VALUE, name: str = "x-api-key") -> HttpRequest:
    headers = ((name, key),) if key is not None else ()
    return HttpRequest("GET", "/items", None, headers, b"", "127.0.0.1", 3000, 0.0)


def test_a_valid_key_in_a_plan_of_the_stage_passes_with_aws_s_log_lines() -> None:
    use = plans(PLAN).check(API, ITEMS, GET, request(name="X-API-Key"), "rid")
    assert use.identity() == {"apiKey": VALUE, "apiKeyId": KEY.id}
    assert use.log_lines == (
        "Verifying Usage Plan for request: rid. API Key: *****************789KEY API Stage: abcdef1234/prod",
        "Usage Plan check succeeded for API Key *****************789KEY and API Stage abcdef1234/prod")


def test_a_method_without_api_key_required_logs_as_log_2017() -> None:
    """sec4.3-REC-LOG-2017: an empty key leaves two spaces."""
    use = plans(PLAN).check(API, replace(ITEMS, methods={"GET": OPEN}), OPEN, request(None), "rid")
    assert use.api_key is None and use.log_lines == (
        "Verifying Usage Plan for request: rid. API Key:  API Stage: abcdef1234/prod",
        "API Key  authorized because method 'GET /items' does not require API Key. Request will not contribute to "
        "throttle or quota limits",
        "Usage Plan check succeeded for API Key  and API Stage abcdef1234/prod")


@pytest.mark.parametrize(("key", "keys", "plan", "why"), [
    (None, (KEY,), PLAN, "is missing"),
    ("x" * 25, (KEY,), PLAN, "is no API key"),
    (VALUE, (replace(KEY, enabled=False),), PLAN, "disabled"),
    (VALUE, (KEY,), replace(PLAN, key_ids=()), "in no usage plan"),
    (VALUE, (KEY,), replace(PLAN, stages=(UsagePlanStage("abcdef1234", "dev"),)), "in no usage plan"),
], ids=["sec4.1-REC-missing", "sec4.1-REC-unknown", "sec4.1-REC-disabled", "sec4.1-DOC-key-not-in-plan",
        "sec4.1-DOC-plan-of-another-stage"])
def test_forbidden(key: str | None, keys: tuple[ApiKey, ...], plan: UsagePlan, why: str) -> None:
    with pytest.raises(errors.GatewayError) as info:
        plans(plan, keys=keys).check(API, ITEMS, GET, request(key), "rid")
    error = info.value
    assert (error.status, error.body, error.error_type, error.response_type) == (
        403, b'{"message":"Forbidden"}', "ForbiddenException", "INVALID_API_KEY")
    assert why in error.hint and error.log_lines[-1].endswith("No Usage Plan found for key and API Stage")


def test_authorizer_source_ignores_the_header() -> None:
    """sec4.1-REC-SAM-INT: with apiKeySource AUTHORIZER only usageIdentifierKey counts."""
    api = replace(API, api_key_source="AUTHORIZER")
    checker = plans(PLAN)
    with pytest.raises(errors.GatewayError):
        checker.check(api, ITEMS, GET, request(), "rid")
    assert checker.check(api, ITEMS, GET, request(None), "rid", authorizer_key=VALUE).api_key == KEY


def test_token_bucket_throttle_answers_429_and_refills() -> None:
    """sec4.2: rate 2/s, burst 1 ([REC] LS-snap-common values)."""
    clock = Clock()
    checker = plans(replace(PLAN, throttle=Throttle(2.0, 1)), clock=clock)
    checker.check(API, ITEMS, GET, request(), "rid")
    with pytest.raises(errors.GatewayError) as info:
        checker.check(API, ITEMS, GET, request(), "rid")
    assert (info.value.status, info.value.body, info.value.error_type, info.value.response_type) == (
        429, b'{"message":"Too Many Requests"}', "TooManyRequestsException", "THROTTLED")
    assert info.value.log_lines[-1] == ("Key throttle limit exceeded for RestApi abcdef1234, Stage prod, Resource "
                                        "res123, HttpMethod GET. Limit: 2.00 Burst: 1")
    clock.now += 0.5
    checker.check(API, ITEMS, GET, request(), "rid")


def test_a_clock_that_goes_back_neither_refills_nor_drains_the_bucket() -> None:
    clock = Clock()
    checker = plans(replace(PLAN, throttle=Throttle(1.0, 2)), clock=clock)
    checker.check(API, ITEMS, GET, request(), "rid")
    clock.now -= 100
    checker.check(API, ITEMS, GET, request(), "rid")   # the second token of the burst is still there
    with pytest.raises(errors.GatewayError):
        checker.check(API, ITEMS, GET, request(), "rid")


def test_per_method_plan_throttle_beats_the_plan_s() -> None:
    stage = UsagePlanStage("abcdef1234", "prod", (("/items/GET", Throttle(1.0, 0)),))
    with pytest.raises(errors.GatewayError) as info:
        plans(replace(PLAN, stages=(stage,), throttle=Throttle(100.0, 100))).check(API, ITEMS, GET, request(), "r")
    assert info.value.status == 429


def test_quota_per_day_with_offset_and_refused_requests_do_not_count() -> None:
    """sec4.2-REC: the 3rd request with limit 2 answers Limit Exceeded; the next day starts again."""
    clock = Clock()
    checker = plans(replace(PLAN, quota=Quota(3, "DAY", offset=1)), clock=clock)
    for _ in range(2):
        checker.check(API, ITEMS, GET, request(), "rid")
    for _ in range(2):
        with pytest.raises(errors.GatewayError) as info:
            checker.check(API, ITEMS, GET, request(), "rid")
        assert (info.value.status, info.value.body, info.value.error_type, info.value.response_type) == (
            429, b'{"message":"Limit Exceeded"}', "LimitExceededException", "QUOTA_EXCEEDED")
    clock.now += 86400
    for _ in range(3):
        checker.check(API, ITEMS, GET, request(), "rid")


def test_stage_method_throttling_applies_to_every_request() -> None:
    """sec4.2-DOC: MethodSettings throttling, the most specific entry winning, each method its own bucket."""
    settings = (MethodSetting("/*", "*", throttling_burst_limit=5, throttling_rate_limit=5.0),
                MethodSetting("/items", "GET", throttling_burst_limit=1, throttling_rate_limit=0.5))
    api = replace(API, stage=replace(API.stage, method_settings=settings))
    open_items = replace(ITEMS, methods={"GET": OPEN})
    checker = plans(PLAN)
    checker.check(api, open_items, OPEN, request(None), "rid")
    with pytest.raises(errors.GatewayError) as info:
        checker.check(api, open_items, OPEN, request(None), "rid")
    assert info.value.status == 429 and "MethodSettings" in info.value.hint


@pytest.mark.parametrize(("period", "start"), [("DAY", "2023-11-14"), ("WEEK", "2023-11-13"), ("MONTH", "2023-11-01")])
def test_quota_periods_are_utc_calendar_periods(period: str, start: str) -> None:
    import time

    assert time.strftime("%Y-%m-%d %H:%M", time.gmtime(period_start(period, 1_700_000_000.0))) == f"{start} 00:00"


def test_startup_lines_and_unusable_methods() -> None:
    deployment = Deployment((API,), {}, (), "us-east-1", "123456789012",
                            api_keys=(replace(KEY, generated=True),), usage_plans=(PLAN,))
    assert startup_lines(deployment) == [f"API key tester: {VALUE} (generated by lambdagate) -> usage plan gold "
                                         "(abcdef1234/prod)"]
    assert unusable_methods(deployment) == []
    lonely = replace(deployment, usage_plans=())
    assert [(api.id, resource.path, method.http_method) for api, resource, method in unusable_methods(lonely)] == [
        ("abcdef1234", "/items", "GET")]
