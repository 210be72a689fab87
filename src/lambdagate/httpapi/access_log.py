"""HTTP APIs have no execution logs, only access logs (docs/aws-http-api.md §7 [DOC] AGDG http-api-vs-rest): the
`$context` variables of an HTTP API request (AGDG http-api-logging-variables.md) and the stage's access-log line.

- A request that matched no stage writes no line (§2.1 [DOC] AGDG-live).
- A variable with no value prints `-` ([REC-ish] DT-DOC).
- `integrationStatus` is the status of the Lambda Invoke call (200), `integration.status` the function's
  `statusCode`; `integrationErrorMessage` (= `integration.error`) is the text of §6's table.

As for REST (observe/access_log.py), a request is kept as a compact record of raw values (`record`) and its line
rendered when read (`stored_lines`), so that serving does not render what nobody reads.
"""

from __future__ import annotations

import json
from typing import Any

from ..context_variables import render
from ..events import request_time
from .record import HttpApiExchange, Reached

# The console's presets (§7.2 [DOC] AGDG http-api-logging).
CLF_FORMAT = ('$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.routeKey '
              '$context.protocol" $context.status $context.responseLength $context.requestId')
JSON_FORMAT = ('{ "requestId":"$context.requestId", "ip": "$context.identity.sourceIp", '
               '"requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod",'
               '"routeKey":"$context.routeKey", "status":"$context.status","protocol":"$context.protocol", '
               '"responseLength":"$context.responseLength" }')
# lambdagate's own line for a stage without AccessLogSettings: the console's CLF preset plus the one variable that
# says why an integration failed (the troubleshooting recipe of AGDG http-api-troubleshooting-lambda, §7.2).
LAMBDAGATE_FORMAT = CLF_FORMAT + " $context.integrationErrorMessage"


def context_record(x: HttpApiExchange, account_id: str) -> dict[str, Any]:
    """The raw values behind the variables, JSON-ready."""
    request = x.request
    rec: dict[str, Any] = {"accountId": account_id, "host": request.header("Host") or "", "requestId": x.request_id,
                           "receivedAt": request.received_at, "method": request.method, "path": request.raw_path,
                           "sourceIp": request.source_ip, "userAgent": request.header("User-Agent"),
                           "latency": round(x.latency_ms)}
    reached = x.api_stage
    if reached is not None:
        rec["match"] = (reached[0].id, reached[1].name, x.match.route.route_key if x.match is not None else None)
    if x.response.status:
        rec["response"] = (x.response.status, len(x.response.body), len(request.body) + len(x.response.body))
    if x.reached >= Reached.SENT and x.integration_latency_ms is not None:
        rec["integrationLatency"] = x.integration_latency_ms
    if x.lambda_request_id is not None:
        rec["lambdaRequestId"] = x.lambda_request_id
    if x.integration_status is not None:
        rec["integrationStatus"] = x.integration_status
    if x.error is not None:
        rec["error"] = (x.error.message, x.error.integration_error, x.error.authorizer_error)
    if x.authorizer:
        rec["authorizer"] = {key: str(value) for key, value in x.authorizer.items()}
    return rec


def variables(rec: dict[str, Any]) -> dict[str, str]:
    """`$context` variables from a context record, the names as AWS spells them."""
    host = rec["host"]
    out = {
        "accountId": rec["accountId"],
        "domainName": host,
        "domainPrefix": host.split(":", 1)[0].split(".", 1)[0],
        "requestId": rec["requestId"],
        "extendedRequestId": rec["requestId"],
        "requestTime": request_time(rec["receivedAt"]),
        "requestTimeEpoch": str(int(rec["receivedAt"] * 1000)),
        "httpMethod": rec["method"],
        "path": rec["path"],
        "protocol": "HTTP/1.1",
        "identity.sourceIp": rec["sourceIp"],
        "responseLatency": str(rec["latency"]),
    }
    if rec.get("userAgent") is not None:
        out["identity.userAgent"] = rec["userAgent"]
    if "match" in rec:
        api_id, stage, route_key = rec["match"]
        out.update({"apiId": api_id, "stage": stage})
        if route_key is not None:   # no route: `-` ([INFERRED] from "a variable with no value prints -")
            out["routeKey"] = route_key
    if "response" in rec:
        status, length, processed = rec["response"]
        out.update({"status": str(status), "responseLength": str(length), "dataProcessed": str(processed)})
    if "integrationLatency" in rec:
        latency = str(rec["integrationLatency"])
        out.update({"integrationLatency": latency, "integration.latency": latency})
    if "lambdaRequestId" in rec:
        out.update({"integrationStatus": "200", "integration.integrationStatus": "200",
                    "integration.requestId": rec["lambdaRequestId"], "awsEndpointRequestId": rec["lambdaRequestId"]})
    if "integrationStatus" in rec:
        out["integration.status"] = str(rec["integrationStatus"])
    if "error" in rec:
        message, integration_error, authorizer_error = rec["error"]
        out.update({"error.message": message, "error.messageString": json.dumps(message)})
        if integration_error:
            out.update({"integrationErrorMessage": integration_error, "integration.error": integration_error})
        if authorizer_error:
            out["authorizer.error"] = authorizer_error
    for key, value in (rec.get("authorizer") or {}).items():
        out[f"authorizer.{key}"] = value
    return out


def context_variables(x: HttpApiExchange, account_id: str) -> dict[str, str]:
    return variables(context_record(x, account_id))


def record(x: HttpApiExchange, account_id: str, log_format: str) -> dict[str, Any]:
    """What the request's access-log line needs, JSON-ready, for the log store (rendered by `stored_lines`)."""
    rec = context_record(x, account_id)
    rec["format"] = log_format
    reached = x.api_stage
    if reached is not None and reached[1].variables:
        rec["stageVariables"] = dict(reached[1].variables)
    return rec


def stored_lines(rec: dict[str, Any]) -> list[str]:
    return [render(rec["format"], variables(rec), rec.get("stageVariables"))]


def access_log_line(x: HttpApiExchange, account_id: str, fallback: str | None = None) -> str | None:
    """The stage's access-log line in its `AccessLogSettings.Format`, else in `fallback`; None when no stage matched
    (AWS writes nothing then) or there is no format."""
    reached = x.api_stage
    if reached is None:
        return None
    log_format = reached[1].access_log_format or fallback
    if log_format is None:
        return None
    return render(log_format, context_variables(x, account_id), reached[1].variables)


def terminal_line(x: HttpApiExchange) -> str | None:
    """The request's line in lambdagate's format, whatever the stage's: what the terminal shows of a failure (the
    status, the request id and the integration's error message, which `explain` reads back)."""
    reached = x.api_stage
    if reached is None:
        return None
    return render(LAMBDAGATE_FORMAT, context_variables(x, ""), reached[1].variables)
