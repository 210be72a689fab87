"""What the method request held, as the execution log shows it, and so what the proxy event held (fact sheet §1.1,
§4.1): `HTTP Method: GET, Resource Path: /orders`, `Method request path: {id=42}`, `Method request query string:
{}`, `Method request headers: {...}`, `Method request body before transformations: ...` and, with data tracing,
`Endpoint request body after transformations: {"resource": ...}` (the event itself, cut at about 1 KB).

Maps are printed Java-style, `{k=v, k2=v2}`, `{}` when empty (§4.1). An empty path map means `pathParameters` was
null, an empty query map `queryStringParameters` null, an empty body `body` null (§1.1).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..observe.execution_log import ENDPOINT_REQUEST_BODY, METHOD_REQUEST_BODY
from .reading import LogLine

_HTTP_METHOD = re.compile(r"^HTTP Method: (?P<verb>[A-Z]+), Resource Path: (?P<path>\S*)")
_MAP_KEY = re.compile(r"(?:^|, )(?P<key>[^=,{}\s][^=,{}]*?)=")
_BODY_HEAD = METHOD_REQUEST_BODY.rstrip()
_EVENT_HEAD = ENDPOINT_REQUEST_BODY.rstrip()
_SOURCE_ARN = re.compile(r"X-Amz-Source-Arn=(?P<arn>arn:aws[\w-]*:execute-api:[^,\s]+)")
_RESOURCE_IN_EVENT = re.compile(r'"resource"\s*:\s*"(?P<resource>[^"]*)"')
BINARY_DATA = "[Binary Data]"    # what the log shows for a body API Gateway treats as binary


@dataclass
class MethodRequest:
    verb: str | None = None
    path: str | None = None                          # the request's path, as the log shows it
    resource: str | None = None                      # the resource template, from the logged event
    path_parameters: dict[str, str] | None = None    # None: not in the log; {}: pathParameters was null
    query: dict[str, str] | None = None
    headers: dict[str, str] | None = None
    body: str | None = None                          # "": no body (body null)
    source_arn: str | None = None                    # X-Amz-Source-Arn of the call to Lambda, when logged
    event: dict[str, Any] = field(default_factory=dict)   # the logged event, when it is whole
    lines: list[LogLine] = field(default_factory=list)

    @property
    def binary_body(self) -> bool:
        return (self.body or "").strip() == BINARY_DATA


def read(lines: list[LogLine]) -> MethodRequest:
    found = MethodRequest()
    for line in lines:
        text = line.text
        head = _HTTP_METHOD.match(text)
        if head:
            found.verb, found.path = head.group("verb"), head.group("path")
        elif text.startswith("Method request path:"):
            found.path_parameters = java_map(text.split(":", 1)[1])
        elif text.startswith("Method request query string:"):
            found.query = java_map(text.split(":", 1)[1])
        elif text.startswith("Method request headers:"):
            found.headers = java_map(text.split(":", 1)[1])
        elif text.startswith(_BODY_HEAD):
            found.body = text[len(_BODY_HEAD):].strip()
        elif text.startswith(_EVENT_HEAD):
            _event(found, text[len(_EVENT_HEAD):].strip())
        else:
            arn = _SOURCE_ARN.search(text)
            if arn and found.source_arn is None:
                value = arn.group("arn")
                while value.endswith("}") and value.count("}") > value.count("{"):
                    value = value[:-1]   # the map's closing brace, not the resource template's
                found.source_arn = value
            continue
        found.lines.append(line)
    return found


def java_map(text: str) -> dict[str, str] | None:
    """`{id=42, name=a b}` -> {"id": "42", "name": "a b"}; None when it is not such a map (e.g. cut)."""
    inner = text.strip()
    if not (inner.startswith("{") and inner.endswith("}")):
        return None
    inner = inner[1:-1]
    keys = list(_MAP_KEY.finditer(inner))
    out = {}
    for n, key in enumerate(keys):
        end = keys[n + 1].start() if n + 1 < len(keys) else len(inner)
        out[key.group("key").strip()] = inner[key.end():end]
    return out


def _event(found: MethodRequest, payload: str) -> None:
    try:
        data = json.loads(payload)
    except ValueError:
        resource = _RESOURCE_IN_EVENT.search(payload)   # cut at about 1 KB: its first fields are still there
        if resource:
            found.resource = resource.group("resource")
        return
    if isinstance(data, dict):
        found.event = data
        if isinstance(data.get("resource"), str):
            found.resource = data["resource"]
