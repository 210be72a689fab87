"""Token buckets and quotas (aws-auth.md §4.2; AGDG api-gateway-request-throttling).

- A throttle is a token bucket: `burstLimit` tokens at most, refilled at `rateLimit` per second; a request takes one
  token or is throttled (429 Too Many Requests). The bucket starts full. AWS applies its limits "best effort";
  lambdagate applies them exactly.
- Limits apply in this order, the first exhausted one answering: a usage plan's per-method throttle (else the
  plan's own) per API key, then the stage's method throttling from MethodSettings per method.
- A quota counts a key's requests per DAY, WEEK or MONTH (UTC calendar periods [UNCERTAIN]: captures suggest
  rolling windows); `offset` requests are taken off the limit of the first period (QuotaSettings.offset). A
  request refused with 429 does not count.
- A MethodSettings entry with a resource path and verb beats one with a wildcard verb, which beats `/*` `*` (the
  stage's default, applied to each method on its own).
The clock is injected (seconds since the epoch) so that tests can move time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..definition.model.auth import Quota, Throttle
from ..definition.model.restapi import MethodSetting

Clock = Callable[[], float]


class TokenBucket:
    def __init__(self, throttle: Throttle, now: float) -> None:
        self.rate = throttle.rate_limit
        self.burst = throttle.burst_limit
        self.tokens = float(self.burst if self.burst is not None else 1)
        self.updated = now

    def take(self, now: float) -> bool:
        if self.rate is None and self.burst is None:
            return True
        capacity = float(self.burst) if self.burst is not None else max(self.rate or 0.0, 1.0)
        if self.rate is not None:   # a clock that went back refills nothing (and takes nothing)
            self.tokens = min(capacity, self.tokens + max(0.0, now - self.updated) * self.rate)
        self.updated = max(self.updated, now)
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def period_start(period: str, now: float) -> float:
    """The start of the UTC calendar period holding `now` (weeks start on Monday) [UNCERTAIN]."""
    day = datetime.fromtimestamp(now, tz=timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "WEEK":
        day -= timedelta(days=day.weekday())
    elif period == "MONTH":
        day = day.replace(day=1)
    return day.timestamp()


@dataclass
class QuotaCounter:
    quota: Quota
    first_period: float
    period: float = -1.0
    used: int = 0

    def take(self, now: float) -> bool:
        start = period_start(self.quota.period, now)
        if start != self.period:
            self.period, self.used = start, 0
        limit = self.quota.limit - (self.quota.offset if start == self.first_period else 0)
        if self.used >= limit:
            return False
        self.used += 1
        return True

    def give_back(self) -> None:
        """A request counted and then refused by a later limit does not count."""
        self.used = max(0, self.used - 1)


def method_throttle(settings: tuple[MethodSetting, ...], resource_path: str, http_method: str) -> Throttle | None:
    """The stage's throttle for one method (configured verb, resource template), or None when it has none."""
    best: tuple[int, MethodSetting] | None = None
    for s in settings:
        if s.throttling_rate_limit is None and s.throttling_burst_limit is None:
            continue
        path_hit = s.resource_path in ("/*", "*") or s.resource_path == resource_path
        verb_hit = s.http_method == "*" or s.http_method.upper() == http_method.upper()
        if not (path_hit and verb_hit):
            continue
        rank = (0 if s.resource_path in ("/*", "*") else 2) + (0 if s.http_method == "*" else 1)
        if best is None or rank >= best[0]:
            best = (rank, s)
    if best is None:
        return None
    return Throttle(best[1].throttling_rate_limit, best[1].throttling_burst_limit)


class Limits:
    """Every bucket and quota counter of one running deployment."""

    def __init__(self, clock: Clock = time.time) -> None:
        self.clock = clock
        self._buckets: dict[tuple[str, ...], TokenBucket] = {}
        self._quotas: dict[tuple[str, str], QuotaCounter] = {}
        self._started = clock()

    def throttle(self, key: tuple[str, ...], throttle: Throttle) -> bool:
        """Take a token from the bucket named `key`; False: throttled."""
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None or (bucket.rate, bucket.burst) != (throttle.rate_limit, throttle.burst_limit):
            bucket = self._buckets[key] = TokenBucket(throttle, now)
        return bucket.take(now)

    def quota(self, plan_id: str, key_id: str, quota: Quota) -> QuotaCounter:
        counter = self._quotas.get((plan_id, key_id))
        if counter is None or counter.quota != quota:
            counter = self._quotas[(plan_id, key_id)] = QuotaCounter(
                quota, period_start(quota.period, self._started))
        return counter
