"""The identity of a Lambda or Cognito authorizer, checked before anything is invoked (aws-auth.md §1.1, §1.2).

- An identity source is `method.request.header.<Name>`, `method.request.querystring.<name>`, `stageVariables.<name>`
  or `context.<name>` (no `method.` prefix on the last two; SDK-CreateAuthorizer). TOKEN and Cognito authorizers
  have exactly one header source; path parameters cannot be identity sources ([DOC] AGDG input page).
- Every configured source must be present and non-empty, else 401 without invoking; an empty string is the same as
  a missing value ([DOC] KC-401, AGDG). A REQUEST authorizer with caching off still enforces the sources it lists
  ([REC] SAM-INT `api_with_authorizers_max`); with none listed it is invoked for every request.
- Header names match case-insensitively ([REC-ish]); query-string names exactly.
- A TOKEN authorizer's `identityValidationExpression` must match the token, else 401 without invoking ([DOC]). It is
  a Java regular expression; lambdagate takes it to match the whole token (Java's `matches()`) [UNCERTAIN: whole
  vs partial match not recorded]. For Cognito it is matched against the token's `aud` (cognito.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from ..definition.identity_sources import (
    IdentitySource,
    check_expression,
    parse_identity_source,
    split_identity_sources,
)
from ..events import query_parameters
from ..exchange import HttpRequest

__all__ = ["IdentitySource", "check_expression", "identity", "parse_identity_source", "passes_validation",
           "split_identity_sources", "value_of"]

def value_of(source: IdentitySource, request: HttpRequest, stage_variables: Mapping[str, str],
             context: Mapping[str, str]) -> str | None:
    """The source's value in this request (a header's or query string's last value, as the single-value view of
    the event has it), or None."""
    if source.kind == "header":
        return request.header(source.name)
    if source.kind == "querystring":
        values = [v for k, v in query_parameters(request.raw_query) if k == source.name]
        return values[-1] if values else None
    if source.kind == "stageVariables":
        return stage_variables.get(source.name)
    return context.get(source.name)


def identity(sources: tuple[str, ...], request: HttpRequest, stage_variables: Mapping[str, str],
             context: Mapping[str, str]) -> tuple[str, ...] | None:
    """The values of all sources, in order (the cache key of a REQUEST authorizer), or None when one is missing or
    empty: the 401 that API Gateway answers without invoking the authorizer."""
    values = []
    for text in sources:
        value = value_of(parse_identity_source(text), request, stage_variables, context)
        if not value:
            return None
        values.append(value)
    return tuple(values)


@lru_cache(maxsize=256)
def passes_validation(expression: str | None, value: str) -> bool:
    """`identityValidationExpression` matches the whole value (see the module's note); no expression passes all."""
    if not expression:
        return True
    try:
        return _compiled(expression).fullmatch(value) is not None
    except re.error:
        return False


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
