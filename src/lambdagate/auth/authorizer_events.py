"""What a Lambda authorizer is invoked with (aws-auth.md §1.3-§1.5).

- TOKEN: exactly `type`, `methodArn`, `authorizationToken` (the header value verbatim, `Bearer ` included; key
  order as captured in 2023, [REC] LOG-2023).
- REQUEST: the proxy event (payload 1.0) of the request without `body` and `isBase64Encoded`, with `type` and
  `methodArn` first, and a `requestContext` without `authorizer` ([DOC] AGDG input page). REST v1 REQUEST events
  carry no `identitySource` or `authorizationToken` (SAM CLI and serverless-offline add them; AWS does not).
- methodArn: `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<verb>/<path>` with the client's real verb
  (also on ANY methods) and the real request path, not the resource template ([REC] LOG-2017); the root path ends
  with `/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypedDict

import orjson

from ..arns import execute_api_arn

MAX_METHOD_ARN_BYTES = 1600   # longer: 414 Request URI too long (AGDG output page)


class TokenEvent(TypedDict):
    type: Literal["TOKEN"]
    methodArn: str
    authorizationToken: str


def method_arn(region: str, account_id: str, api_id: str, stage: str, verb: str, raw_path: str) -> str:
    return execute_api_arn(region, account_id, api_id, stage, verb, raw_path)


def token_event(token: str, arn: str) -> TokenEvent:
    return {"type": "TOKEN", "methodArn": arn, "authorizationToken": token}


def request_event(proxy_event: Mapping[str, Any], arn: str) -> dict[str, Any]:
    """The REQUEST event from the request's proxy event (events.build_event), keys in the proxy event's order."""
    event: dict[str, Any] = {"type": "REQUEST", "methodArn": arn}
    for key, value in proxy_event.items():
        if key in ("body", "isBase64Encoded"):
            continue
        if key == "requestContext" and isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k != "authorizer"}
        event[key] = value
    return event


def encode(event: Mapping[str, Any]) -> bytes:
    return orjson.dumps(event)
