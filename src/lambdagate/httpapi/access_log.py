"""HTTP APIs have no execution logs, only access logs (docs/aws-http-api.md §7 [DOC] AGDG http-api-vs-rest): the
`$context` variables of an HTTP API request (AGDG http-api-logging-variables.md) and the stage's access-log line.

- A request that matched no stage writes no line (§2.1 [DOC] AGDG-live).
- A variable with no value prints `-` ([REC-ish] DT-DOC).
- `integrationStatus` is the status of the Lambda Invoke call (200), `integration.status` the function's
  `statusCode`; `integrationErrorMessage` (= `integration.error`) is the text of §6's table.
"""

from __future__ import annotations

import json

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


def context_variables(x: HttpApiExchange, account_id: str) -> dict[str, str]:
    request = x.request
    host = request.header("Host") or ""
    out = {
        "accountId": account_id,
        "domainName": host,
        "domainPrefix": host.split(":", 1)[0].split(".", 1)[0],
        "requestId": x.ids.request_id,
        "extendedRequestId": x.ids.request_id,
        "requestTime": request_time(request.received_at),
        "requestTimeEpoch": str(int(request.received_at * 1000)),
        "httpMethod": request.method,
        "path": request.raw_path,
        "protocol": "HTTP/1.1",
        "identity.sourceIp": request.source_ip,
        "responseLatency": str(round(x.latency_ms)),
    }
    user_agent = request.header("User-Agent")
    if user_agent is not None:
        out["identity.userAgent"] = user_agent
    if x.match is not None:
        out.update({"apiId": x.match.api.id, "stage": x.match.stage.name, "routeKey": x.match.route.route_key})
    if x.response is not None:
        length = str(len(x.response.body))
        out.update({"status": str(x.response.status), "responseLength": length,
                    "dataProcessed": str(len(request.body) + len(x.response.body))})
    if x.reached >= Reached.SENT and x.integration_latency_ms is not None:
        latency = str(x.integration_latency_ms)
        out.update({"integrationLatency": latency, "integration.latency": latency})
    if x.lambda_request_id is not None:
        out.update({"integrationStatus": "200", "integration.integrationStatus": "200",
                    "integration.requestId": x.lambda_request_id, "awsEndpointRequestId": x.lambda_request_id})
    if x.integration_status is not None:
        out["integration.status"] = str(x.integration_status)
    if x.error is not None:
        out.update({"error.message": x.error.message, "error.messageString": json.dumps(x.error.message)})
        if x.error.integration_error:
            out.update({"integrationErrorMessage": x.error.integration_error,
                        "integration.error": x.error.integration_error})
        if x.error.authorizer_error:
            out["authorizer.error"] = x.error.authorizer_error
    for key, value in x.authorizer.items():
        out[f"authorizer.{key}"] = str(value)
    return out


# lambdagate's own line for a stage without AccessLogSettings: the console's CLF preset plus the one variable that
# says why an integration failed (the troubleshooting recipe of AGDG http-api-troubleshooting-lambda, §7.2).
LAMBDAGATE_FORMAT = CLF_FORMAT + " $context.integrationErrorMessage"


def access_log_line(x: HttpApiExchange, account_id: str, fallback: str | None = None) -> str | None:
    """The stage's access-log line in its `AccessLogSettings.Format`, else in `fallback`; None when no stage matched
    (AWS writes nothing then) or there is no format."""
    if x.match is None:
        return None
    log_format = x.match.stage.access_log_format or fallback
    if log_format is None:
        return None
    return render(log_format, context_variables(x, account_id), x.match.stage.variables)
