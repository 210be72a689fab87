"""Access logs: the stage's `AccessLogSetting.Format` (or CLF) filled with `$context` variables.

Variables and the CLF format are AWS's (AGDG set-up-access-logging.md, api-gateway-variables-for-access-logging.md);
a variable with no value is written `-`, as API Gateway writes it.
"""

from __future__ import annotations

import json
import re

from ..events import request_time
from ..gateway import Exchange

# The console's "CLF" example, character for character (no space between `]` and `"`).
CLF = ('$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime]'
       '"$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength '
       '$context.requestId $context.extendedRequestId')
_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)")



def context_variables(exchange: Exchange, account_id: str) -> dict[str, str]:
    """`$context` for one request, the names as AWS spells them."""
    r, trace, error = exchange.request, exchange.trace, exchange.error
    match = trace.match
    host = r.header("Host") or ""
    user_agent = r.header("User-Agent")
    out = {
        "requestId": trace.ids.request_id,
        "extendedRequestId": trace.ids.extended_request_id,
        "httpMethod": r.method,
        "protocol": "HTTP/1.1",
        "requestTime": request_time(r.received_at),
        "requestTimeEpoch": str(int(r.received_at * 1000)),
        "status": str(exchange.response.status),
        "responseLength": str(len(exchange.response.body)),
        "responseLatency": str(round(exchange.latency_ms)),
        "domainName": host,
        "domainPrefix": host.split(":")[0].split(".")[0],
        "accountId": account_id,
        "identity.sourceIp": r.source_ip,
        "xrayTraceId": trace.ids.trace_id.removeprefix("Root="),
    }
    if user_agent is not None:
        out["identity.userAgent"] = user_agent
    if match is not None:
        out.update({"resourcePath": match.resource.path, "resourceId": match.resource.id,
                    "stage": match.api.stage.name, "apiId": match.api.id,
                    "deploymentId": match.api.stage.deployment_id, "path": f"/{match.api.stage.name}{r.raw_path}"})
    if trace.sent:
        latency = str(trace.integration_latency_ms or 0)
        out.update({"integrationLatency": latency, "integration.latency": latency})
    if trace.lambda_request_id:
        out.update({"integration.requestId": trace.lambda_request_id, "integrationStatus": "200",
                    "integration.status": "200", "integration.integrationStatus": "200"})
    if error is not None:
        message = _error_message(error.body)
        out.update({"error.message": message, "error.messageString": f'"{message}"',
                    "error.responseType": error.response_type})
        if error.integration_error:
            out["integration.error"] = error.integration_error
    return out


def _error_message(body: bytes) -> str:
    """`$context.error.message`: the text of the gateway response's `{"message": ...}` (or its plain body)."""
    try:
        data = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")
    return str(data.get("message", "")) if isinstance(data, dict) else str(data)


def render(log_format: str, variables: dict[str, str]) -> str:
    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        while name not in variables and "." in name:  # `$context.status.` ends a sentence, not a name
            trimmed = name.rsplit(".", 1)[0]
            if trimmed in variables:
                return variables[trimmed] + m.group(1)[len(trimmed):]
            name = trimmed
        return variables.get(name, "-")

    return _VARIABLE.sub(value, log_format)
