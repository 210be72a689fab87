"""Authorizer results cached by identity for the authorizer's TTL (aws-auth.md §1.8).

- Caching is on when `authorizerResultTtlInSeconds` > 0 (default 300, at most 3600) [DOC].
- The key is the identity: the token of a TOKEN authorizer, the values of all identity sources of a REQUEST one
  (changing any one misses) [DOC]; the scope is taken as (API, stage, authorizer) [UNCERTAIN: exact scope].
- Only a returned policy is cached, Allow or Deny; 401 and 500 outcomes are not [UNCERTAIN]. A hit re-evaluates the
  cached policy against the new request's methodArn, which is why a policy naming only the first request's
  methodArn denies the same caller on other routes until the TTL passes [DOC] KC-cache.
- The clock is injected so that tests can move time.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from .authorizer_policy import AuthorizerOutput

Clock = Callable[[], float]
MAX_ENTRIES = 10000   # a local bound; AWS's cache size is not documented


@dataclass(frozen=True)
class CacheKey:
    api_id: str
    stage: str
    authorizer_id: str
    identity: tuple[str, ...]


class AuthorizerCache:
    def __init__(self, clock: Clock = time.monotonic, max_entries: int = MAX_ENTRIES) -> None:
        self._clock = clock
        self._max = max_entries
        self._entries: OrderedDict[CacheKey, tuple[float, AuthorizerOutput]] = OrderedDict()

    def get(self, key: CacheKey) -> AuthorizerOutput | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, output = entry
        if self._clock() >= expires:
            del self._entries[key]
            return None
        return output

    def put(self, key: CacheKey, output: AuthorizerOutput, ttl_seconds: int) -> None:
        if ttl_seconds <= 0:
            return
        self._entries[key] = (self._clock() + ttl_seconds, output)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Redeploying flushes the cache [UNCERTAIN]; a reload of the template calls this."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
