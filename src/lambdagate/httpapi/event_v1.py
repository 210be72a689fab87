"""Payload format 1.0 on an HTTP API: REST's proxy event shape (events.py) with the differences recorded in
docs/aws-http-api.md §4 ([REC] DOTNET-2025, the same requests sent to a REST API and to HTTP APIs; EVT1-2022):

- `version: "1.0"` first; `path` raw (percent-encoding kept) with a named stage's segment; `resource` the route's
  path; `pathParameters` and `requestContext.path` decoded; `requestContext.resourceId` the route key;
  `requestId` the 16-character id, equal to `extendedRequestId` and `apigw-requestid`; no `deploymentId`;
  `identity.cognitoAmr: null` and `userAgent: ""` without a User-Agent;
- header names canonical for the headers API Gateway itself handles, others as sent; `Content-Length` and `Cookie`
  kept; the body base64-encoded by content type as in 2.0.

Where AWS's key order is not recorded, REST's is kept. `requestContext.authorizer` without an authorizer: the doc
example shows `{"claims": null, "scopes": null}`, recordings show none ([UNCERTAIN] §4): omitted.
"""

from __future__ import annotations

from typing import Any

from ..events import request_time
from ..exchange import HttpRequest
from .request import HttpApiIds, body, domain, forwarded, gathered_headers, query_pairs
from .routing import RouteMatch

# §4 [REC] EVT1-2022: canonical even when an HTTP/2 client sent them in lower case.
CANONICAL = {name.lower(): name for name in (
    "Content-Length", "Content-Type", "Host", "User-Agent", "X-Amzn-Trace-Id", "X-Forwarded-For", "X-Forwarded-Port",
    "X-Forwarded-Proto", "Authorization")}


def build_event_v1(request: HttpRequest, match: RouteMatch, request_ids: HttpApiIds, account_id: str,
                   authorizer: dict[str, Any] | None = None,
                   identity: dict[str, Any] | None = None) -> dict[str, Any]:
    """`authorizer`: `requestContext.authorizer` of a route with an authorizer; `identity`: the caller's fields of an
    `AWS_IAM` route (accessKey, accountId, caller, user, userArn), set in `requestContext.identity` as REST does."""
    gathered = gathered_headers(request)
    forwarded(gathered, request, request_ids)
    names = {lowered: CANONICAL.get(lowered) or next((n for n, _ in request.headers if n.lower() == lowered),
                                                     lowered) for lowered in gathered}
    multi_query: dict[str, list[str]] = {}
    for key, value in query_pairs(request.raw_query):
        multi_query.setdefault(key, []).append(value)
    text, is_base64 = body(request)
    domain_name, domain_prefix = domain(request)
    user_agent = request.header("User-Agent")
    route = match.route
    context: dict[str, Any] = {
        "resourceId": route.route_key,
        "resourcePath": route.path or route.route_key,
        "httpMethod": request.method,
        "extendedRequestId": request_ids.request_id,
        "requestTime": request_time(request.received_at),
        "path": match.path,
        "accountId": account_id,
        "protocol": "HTTP/1.1",
        "stage": match.stage.name,
        "domainPrefix": domain_prefix,
        "requestTimeEpoch": int(request.received_at * 1000),
        "requestId": request_ids.request_id,
        "identity": {"cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None, "caller": None,
                     "sourceIp": request.source_ip, "principalOrgId": None, "accessKey": None,
                     "cognitoAuthenticationType": None, "cognitoAuthenticationProvider": None, "userArn": None,
                     "userAgent": user_agent or "", "user": None, "cognitoAmr": None},
        "domainName": domain_name,
        "apiId": match.api.id,
    }
    if identity:
        context["identity"].update(identity)
    if authorizer is not None:
        context["authorizer"] = authorizer
    return {
        "version": "1.0",
        "resource": route.path or route.route_key,
        "path": request.raw_path,
        "httpMethod": request.method,
        "headers": {names[k]: v[-1] for k, v in gathered.items()},
        "multiValueHeaders": {names[k]: list(v) for k, v in gathered.items()},
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} if multi_query else None,
        "multiValueQueryStringParameters": multi_query if multi_query else None,
        "pathParameters": dict(match.path_parameters) if match.path_parameters else None,
        "stageVariables": dict(match.stage.variables) if match.stage.variables else None,
        "requestContext": context,
        "body": text,
        "isBase64Encoded": is_base64,
    }
