"""The payload format 2.0 event, field for field (docs/aws-http-api.md §3): keys in AWS's order, and a key with
nothing to carry is omitted, never `null` (§3.1 [REC] EVT-2023, EVT-2020)."""

from __future__ import annotations

from typing import Any, TypedDict

from ..events import request_time
from ..exchange import HttpRequest
from .request import HttpApiIds, body, cookies, domain, forwarded, gathered_headers, joined_query
from .routing import RouteMatch


class HttpContext(TypedDict):
    method: str
    path: str
    protocol: str
    sourceIp: str
    userAgent: str


class RequestContextV2(TypedDict, total=False):
    accountId: str
    apiId: str
    authorizer: dict[str, Any]
    domainName: str
    domainPrefix: str
    http: HttpContext
    requestId: str
    routeKey: str
    stage: str
    time: str
    timeEpoch: int


class EventV2(TypedDict, total=False):
    version: str
    routeKey: str
    rawPath: str
    rawQueryString: str
    cookies: list[str]
    headers: dict[str, str]
    queryStringParameters: dict[str, str]
    requestContext: RequestContextV2
    body: str
    pathParameters: dict[str, str]
    isBase64Encoded: bool
    stageVariables: dict[str, str]


def build_event_v2(request: HttpRequest, match: RouteMatch, request_ids: HttpApiIds, account_id: str,
                   authorizer: dict[str, Any] | None = None) -> EventV2:
    """`authorizer` is `requestContext.authorizer` (`{"jwt": ...}`, `{"lambda": ...}`, `{"iam": ...}`, §9), present
    only when the route has an authorizer."""
    headers = gathered_headers(request)
    cookie_values = headers.pop("cookie", [])
    forwarded(headers, request, request_ids)
    query = joined_query(request.raw_query)
    text, is_base64 = body(request)
    domain_name, domain_prefix = domain(request)
    context: RequestContextV2 = {"accountId": account_id, "apiId": match.api.id}
    if authorizer is not None:
        context["authorizer"] = authorizer
    context.update({
        "domainName": domain_name,
        "domainPrefix": domain_prefix,
        "http": {"method": request.method, "path": match.path, "protocol": "HTTP/1.1", "sourceIp": request.source_ip,
                 "userAgent": request.header("User-Agent") or ""},
        "requestId": request_ids.request_id,
        "routeKey": match.route.route_key,
        "stage": match.stage.name,
        "time": request_time(request.received_at),
        "timeEpoch": int(request.received_at * 1000),
    })
    event: EventV2 = {"version": "2.0", "routeKey": match.route.route_key, "rawPath": match.path,
                      "rawQueryString": request.raw_query or ""}
    if cookie_values:
        event["cookies"] = cookies(cookie_values)
    event["headers"] = {name: ",".join(values) for name, values in headers.items()}
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = context
    if text is not None:
        event["body"] = text
    if match.path_parameters:
        event["pathParameters"] = dict(match.path_parameters)
    event["isBase64Encoded"] = is_base64
    if match.stage.variables:
        event["stageVariables"] = dict(match.stage.variables)
    return event
