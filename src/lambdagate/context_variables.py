"""`$context` variables (AGDG api-gateway-variables-for-access-logging.md) and their substitution in the templates
that use them: access log formats and gateway response templates and parameters."""

from __future__ import annotations

import json
import re
from functools import lru_cache

from .errors import GatewayError
from .events import request_time
from .exchange import HttpRequest
from .observe.execution_log import Trace

_VARIABLE = re.compile(r"\$(context|stageVariables)\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)")


def error_message(body: bytes) -> str:
    """`$context.error.message`: the text of a gateway response's `{"message": ...}` (or its plain body)."""
    try:
        data = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")
    return str(data.get("message", "")) if isinstance(data, dict) else str(data)


def request_context(request: HttpRequest, trace: Trace, account_id: str, error: GatewayError | None) -> dict[str, str]:
    """The variables known before the response exists."""
    match = trace.match
    host = request.header("Host") or ""
    out = {
        "requestId": trace.ids.request_id,
        "extendedRequestId": trace.ids.extended_request_id,
        "httpMethod": request.method,
        "protocol": "HTTP/1.1",
        "requestTime": request_time(request.received_at),
        "requestTimeEpoch": str(int(request.received_at * 1000)),
        "domainName": host,
        "domainPrefix": host.split(":")[0].split(".")[0],
        "accountId": account_id,
        "identity.sourceIp": request.source_ip,
        "xrayTraceId": trace.ids.trace_id.removeprefix("Root="),
    }
    user_agent = request.header("User-Agent")
    if user_agent is not None:
        out["identity.userAgent"] = user_agent
    if match is not None:
        out.update({"resourcePath": match.resource.path, "resourceId": match.resource.id,
                    "stage": match.api.stage.name, "apiId": match.api.id,
                    "deploymentId": match.api.stage.deployment_id,
                    "path": f"/{match.api.stage.name}{request.raw_path if match.path is None else match.path}"})
    if trace.sent:
        latency = str(trace.integration_latency_ms or 0)
        out.update({"integrationLatency": latency, "integration.latency": latency})
    if trace.lambda_request_id:
        out.update({"integration.requestId": trace.lambda_request_id, "integrationStatus": "200",
                    "integration.status": "200", "integration.integrationStatus": "200"})
    if error is not None:
        message = error_message(error.body)
        out.update({"error.message": message, "error.messageString": json.dumps(message),
                    "error.responseType": error.response_type})
        if error.integration_error:
            out["integration.error"] = error.integration_error
    return out


@lru_cache(maxsize=256)
def _parts(template: str) -> tuple[str | tuple[str, str], ...]:
    """The template split once into literal text and (table, name) references."""
    out: list[str | tuple[str, str]] = []
    last = 0
    for m in _VARIABLE.finditer(template):
        out += [template[last:m.start()], (m.group(1), m.group(2))]
        last = m.end()
    out.append(template[last:])
    return tuple(out)


def render(template: str, context: dict[str, str], stage_variables: dict[str, str] | None = None,
           missing: str = "-") -> str:
    """`$context.x` and `$stageVariables.x` replaced; an unknown variable becomes `missing`."""
    tables = {"context": context, "stageVariables": stage_variables or {}}
    out = []
    for part in _parts(template):
        if isinstance(part, str):
            out.append(part)
            continue
        table, name = tables[part[0]], part[1]
        value = table.get(name)
        while value is None and "." in name:  # `$context.status.` ends a sentence, not a name
            name = name.rsplit(".", 1)[0]
            if name in table:
                value = table[name] + part[1][len(name):]
        out.append(missing if value is None else value)
    return "".join(out)
