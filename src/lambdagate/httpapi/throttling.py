"""Stage and route throttling of HTTP APIs (docs/aws-http-api.md §10.3 [DOC] AGDG http-api-throttling): a token
bucket per route with `ThrottlingRateLimit` tokens a second and room for `ThrottlingBurstLimit`; the route's
`RouteSettings` override the stage's `DefaultRouteSettings`; over it -> 429. A limit of 0 answers every request
429 ([REC-ish] terraform-aws-modules/terraform-aws-apigateway-v2#59). The account-level limit (10,000/s, burst
5,000) is not emulated: no local run reaches it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..definition.model.httpapi import HttpStage, RouteSettings


class Throttle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, str, str], tuple[float, float]] = {}   # key -> (tokens, last refill)

    def admit(self, api_id: str, stage: HttpStage, route_key: str) -> bool:
        settings = _settings(stage, route_key)
        rate, burst = settings.throttling_rate_limit, settings.throttling_burst_limit
        if rate is None and burst is None:
            return True
        rate = rate if rate is not None else float("inf")
        capacity = float(burst) if burst is not None else max(rate, 1.0)
        if rate <= 0 or capacity <= 0:
            return False
        key = (api_id, stage.name, route_key)
        now = self._clock()
        tokens, last = self._buckets.get(key, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1, now)
        return True


def _settings(stage: HttpStage, route_key: str) -> RouteSettings:
    default = stage.default_route_settings
    route = dict(stage.route_settings).get(route_key)
    if route is None:
        return default
    return RouteSettings(
        route.throttling_burst_limit if route.throttling_burst_limit is not None else default.throttling_burst_limit,
        route.throttling_rate_limit if route.throttling_rate_limit is not None else default.throttling_rate_limit,
        route.detailed_metrics_enabled)
