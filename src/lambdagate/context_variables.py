"""`$context` variables (AGDG api-gateway-variables-for-access-logging.md) and their substitution in the templates
that use them: access log formats and gateway response templates and parameters."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from .events import request_time
from .exchange import Exchange, Reached

_VARIABLE = re.compile(r"\$(context|stageVariables)\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)")


def error_message(body: bytes) -> str | None:
    """`$context.error.message`: the text of a gateway response's `{"message": ...}` (or its plain body); None for
    the authorizer's `{"message":null}`; the Lambda authorizer's denies spell the key `Message` (aws-auth.md §0.2)."""
    try:
        data = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")
    if not isinstance(data, dict):
        return str(data)
    value = data.get("message", data.get("Message", ""))
    return None if value is None else str(value)


def request_context(x: Exchange, account_id: str) -> dict[str, str]:
    """The variables known before the response exists."""
    return variables(context_record(x, account_id))


def context_record(x: Exchange, account_id: str) -> dict[str, Any]:
    """The raw values behind the variables, JSON-ready: access logs keep this and render when read."""
    request, match, error = x.request, x.match, x.error
    rec: dict[str, Any] = {
        "requestId": x.ids.request_id, "extendedRequestId": x.ids.extended_request_id, "method": request.method,
        "receivedAt": request.received_at, "host": request.header("Host") or "", "accountId": account_id,
        "sourceIp": request.source_ip, "traceId": x.ids.trace_id, "userAgent": request.header("User-Agent"),
    }
    if match is not None:
        rec["match"] = (match.resource.path, match.resource.id, match.api.stage.name, match.api.id,
                        match.api.stage.deployment_id, request.raw_path if match.path is None else match.path)
    if x.reached >= Reached.SENT:
        rec["integrationLatency"] = x.integration_latency_ms or 0
    if x.lambda_request_id:
        rec["lambdaRequestId"] = x.lambda_request_id
    if error is not None:
        rec["error"] = (error.body.decode("utf-8", "replace"), error.response_type, error.integration_error,
                        error.validation_error)
    rec.update(_caller(x))
    return rec


def _caller(x: Exchange) -> dict[str, Any]:
    """`$context.authorizer.*` (principalId, integrationLatency, a Lambda authorizer's context keys, Cognito's
    `claims.<name>`) and the `$context.identity.*` an authorizer or an API key fills (AGDG; aws-auth.md §1.9)."""
    out: dict[str, Any] = {}
    authorization, plan = x.authorization, x.usage_plan
    if authorization is not None and authorization.context:
        flat: dict[str, str] = {}
        for key, value in authorization.context.items():
            if isinstance(value, dict):
                flat.update({f"{key}.{k}": str(v) for k, v in value.items()})
            elif value is not None:
                flat[key] = str(value)
        out["authorizer"] = flat
    identity = dict(authorization.identity) if authorization is not None else {}
    if plan is not None and plan.key_value is not None:
        identity.update({"apiKey": plan.key_value, "apiKeyId": plan.key_id})
    if identity:
        out["identity"] = {k: str(v) for k, v in identity.items() if v is not None}
    return out


def variables(rec: dict[str, Any]) -> dict[str, str]:
    """`$context` variables from a context record, the names as AWS spells them."""
    host = rec["host"]
    out = {
        "requestId": rec["requestId"],
        "extendedRequestId": rec["extendedRequestId"],
        "httpMethod": rec["method"],
        "protocol": "HTTP/1.1",
        "requestTime": request_time(rec["receivedAt"]),
        "requestTimeEpoch": str(int(rec["receivedAt"] * 1000)),
        "domainName": host,
        "domainPrefix": host.split(":")[0].split(".")[0],
        "accountId": rec["accountId"],
        "identity.sourceIp": rec["sourceIp"],
        "xrayTraceId": rec["traceId"].removeprefix("Root="),
    }
    if rec.get("userAgent") is not None:
        out["identity.userAgent"] = rec["userAgent"]
    if "match" in rec:
        resource_path, resource_id, stage, api_id, deployment_id, raw_path = rec["match"]
        out.update({"resourcePath": resource_path, "resourceId": resource_id, "stage": stage, "apiId": api_id,
                    "deploymentId": deployment_id, "path": f"/{stage}{raw_path}"})
    if "integrationLatency" in rec:
        latency = str(rec["integrationLatency"])
        out.update({"integrationLatency": latency, "integration.latency": latency})
    if rec.get("lambdaRequestId"):
        out.update({"integration.requestId": rec["lambdaRequestId"], "integrationStatus": "200",
                    "integration.status": "200", "integration.integrationStatus": "200"})
    out.update({f"authorizer.{k}": v for k, v in rec.get("authorizer", {}).items()})
    out.update({f"identity.{k}": v for k, v in rec.get("identity", {}).items()})
    if "error" in rec:
        body, response_type, integration_error, *more = rec["error"]
        validation_error = more[0] if more else None
        message = error_message(body.encode("utf-8"))
        out.update({"error.message": message or "", "error.messageString": json.dumps(message),
                    "error.responseType": response_type})
        if validation_error:
            out["error.validationErrorString"] = validation_error
        if integration_error:
            out["integration.error"] = integration_error
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
