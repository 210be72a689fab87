"""The proxy event (payload format 1.0) that API Gateway sends to the function, field for field (fact sheet §1)."""

from __future__ import annotations

import base64
import time
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_plus

import orjson

from .definition.model.restapi import Api
from .exchange import TEST_INVOKE_STAGE, HttpRequest, RequestIds
from .media import matches_binary_type
from .routing import Match

# fact sheet §10.4b: removed before the event is built (recorded against AWS_PROXY).
DROPPED_REQUEST_HEADERS = frozenset(h.lower() for h in (
    "Connection", "Content-Length", "Content-MD5", "Expect", "Max-Forwards", "Proxy-Authenticate", "Server",
    "TE", "Trailer", "Transfer-Encoding", "Upgrade", "WWW-Authenticate"))
# fact sheet §1.1: these two arrive in canonical casing whatever the client sent.
CANONICAL_NAMES = {"authorization": "Authorization", "user-agent": "User-Agent"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def request_time(epoch: float) -> str:
    """`dd/MMM/yyyy:HH:mm:ss +0000` in UTC with English month names (fact sheet §1.2)."""
    return _request_time(int(epoch))


@lru_cache(maxsize=4)
def _request_time(second: int) -> str:
    t = time.gmtime(second)
    return f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


def event_headers(request: HttpRequest, ids: RequestIds) -> list[tuple[str, list[str]]]:
    """Header names with all their values in arrival order, as the event's multiValueHeaders has them.

    A regional API adds X-Amzn-Trace-Id, X-Forwarded-For, X-Forwarded-Port and X-Forwarded-Proto (§10.4b).
    """
    merged = _gathered(request)
    if "x-amzn-trace-id" not in merged:
        merged["x-amzn-trace-id"] = ("X-Amzn-Trace-Id", [ids.trace_id])
    forwarded = merged.get("x-forwarded-for")
    if forwarded:
        forwarded[1][-1] = f"{forwarded[1][-1]}, {request.source_ip}"
    else:
        merged["x-forwarded-for"] = ("X-Forwarded-For", [request.source_ip])
    merged["x-forwarded-port"] = ("X-Forwarded-Port", [str(request.server_port)])
    merged["x-forwarded-proto"] = ("X-Forwarded-Proto", ["http"])
    return list(merged.values())


def given_headers(request: HttpRequest) -> list[tuple[str, list[str]]]:
    """A console test's headers: only those given (§10.7)."""
    return list(_gathered(request).values())


def _gathered(request: HttpRequest) -> dict[str, tuple[str, list[str]]]:
    """{lower-case name: (name as sent, values in arrival order)}, without the headers API Gateway drops and with
    Authorization/User-Agent in canonical casing (§1.1, §10.4b)."""
    merged: dict[str, tuple[str, list[str]]] = {}
    for name, value in request.headers:
        lowered = name.lower()
        if lowered in DROPPED_REQUEST_HEADERS:
            continue
        entry = merged.get(lowered)
        if entry is None:
            merged[lowered] = (CANONICAL_NAMES.get(lowered, name), [value])
        else:
            entry[1].append(value)
    return merged


def _drops_authorization(request: HttpRequest, match: Match) -> bool:
    """"The Authorization header is dropped if it contains a Signature Version 4 signature or if AWS_IAM
    authorization is used" (fact sheet §10.4a [DOC], the reserved-headers table's note)."""
    if match.method.auth.authorization_type == "AWS_IAM":
        return True
    value = request.header("Authorization")
    return value is not None and value.startswith("AWS4-HMAC-SHA256 ")


def query_parameters(raw_query: str | None) -> list[tuple[str, str]]:
    """`a=1&a=2&b=x+y` -> [("a","1"), ("a","2"), ("b","x y")]: decoded, `+` as space (fact sheet §1.1)."""
    if not raw_query:
        return []
    out = []
    for part in raw_query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        out.append((unquote_plus(key), unquote_plus(value)))
    return out


def request_body(request: HttpRequest, api: Api) -> tuple[str | None, bool]:
    """The body as the event carries it: base64 when the Content-Type is a binary media type (§10.6)."""
    if not request.body:
        return None, False
    content_type = request.header("Content-Type")
    if content_type and matches_binary_type(content_type, api.binary_media_types):
        return base64.b64encode(request.body).decode("ascii"), True
    return request.body.decode("utf-8", errors="replace"), False


def test_invoke_identity(account_id: str, user_agent: str | None) -> dict[str, Any]:
    """The console Test panel's caller (§10.7 [REC]: apiKey `test-invoke-api-key`, filled caller fields, in this
    order); the caller is the account's root here, with AWS's documented example access key."""
    return {"cognitoIdentityPoolId": None, "cognitoIdentityId": None, "apiKey": "test-invoke-api-key",
            "principalOrgId": None, "cognitoAuthenticationType": None, "userArn": f"arn:aws:iam::{account_id}:root",
            "apiKeyId": "test-invoke-api-key-id", "userAgent": user_agent, "accountId": account_id,
            "caller": account_id, "sourceIp": "test-invoke-source-ip", "accessKey": "AKIAIOSFODNN7EXAMPLE",
            "cognitoAuthenticationProvider": None, "user": account_id}


# The identity's key order when it holds an API key: the console test's, the one capture with `apiKey` (§10.7 [REC]).
API_KEY_IDENTITY_ORDER = ("cognitoIdentityPoolId", "cognitoIdentityId", "apiKey", "principalOrgId",
                          "cognitoAuthenticationType", "userArn", "apiKeyId", "userAgent", "accountId", "caller",
                          "sourceIp", "accessKey", "cognitoAuthenticationProvider", "user")


def identity_with_key(identity: dict[str, Any], key: dict[str, Any]) -> dict[str, Any]:
    """`requestContext.identity` with the `apiKey` and `apiKeyId` of the key the usage plan accepted (aws-auth.md
    §1.9, §4), in the order AWS writes such an identity."""
    merged = {**identity, **key}
    ordered = {name: merged[name] for name in API_KEY_IDENTITY_ORDER if name in merged}
    return {**ordered, **{k: v for k, v in merged.items() if k not in ordered}}


def build_event(request: HttpRequest, match: Match, ids: RequestIds, account_id: str,
                test_invoke: bool = False) -> dict[str, Any]:
    """The event as a dict whose key order is AWS's wire order (§10.7). A console test (`test_invoke`) carries only
    the headers given, stage `test-invoke-stage` and domain prefix `testPrefix` (§10.7)."""
    api = match.api
    stage = api.stage
    stage_name = TEST_INVOKE_STAGE if test_invoke else stage.name
    raw_path = request.raw_path if match.path is None else match.path   # after the stage, when the URL names it
    path = "/" + raw_path.lstrip("/")
    headers = given_headers(request) if test_invoke else event_headers(request, ids)
    if _drops_authorization(request, match):
        headers = [(name, values) for name, values in headers if name != "Authorization"]
    query = query_parameters(request.raw_query)
    multi_query: dict[str, list[str]] = {}
    for key, value in query:
        multi_query.setdefault(key, []).append(value)
    host = request.header("Host") or ("testPrefix.testDomainName" if test_invoke else "")
    user_agent = request.header("User-Agent")
    body, is_base64 = request_body(request, api)
    epoch_ms = int(request.received_at * 1000)
    return {
        "resource": match.resource.path,
        "path": path,
        "httpMethod": request.method,
        "headers": {name: values[-1] for name, values in headers} if headers else None,
        "multiValueHeaders": {name: list(values) for name, values in headers} if headers else None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} if multi_query else None,
        "multiValueQueryStringParameters": multi_query if multi_query else None,
        "pathParameters": match.path_parameters,
        "stageVariables": dict(stage.variables) if stage.variables and not test_invoke else None,
        "requestContext": {
            "resourceId": match.resource.id,
            "resourcePath": match.resource.path,
            "httpMethod": request.method,
            "extendedRequestId": ids.extended_request_id,
            "requestTime": request_time(request.received_at),
            "path": f"/{stage_name}{raw_path}",
            "accountId": account_id,
            "protocol": "HTTP/1.1",
            "stage": stage_name,
            "domainPrefix": host.split(":")[0].split(".")[0],
            "requestTimeEpoch": epoch_ms,
            "requestId": ids.request_id,
            "identity": test_invoke_identity(account_id, user_agent) if test_invoke else {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": request.source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": user_agent,
                "user": None,
            },
            "domainName": host,
            "deploymentId": stage.deployment_id,
            "apiId": api.id,
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def encode_event(event: dict[str, Any]) -> bytes:
    """Compact JSON, non-ASCII kept as UTF-8, as the execution log's request body line shows it."""
    return orjson.dumps(event)
