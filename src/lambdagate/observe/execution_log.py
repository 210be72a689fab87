"""API Gateway's execution log for one request, line for line (fact sheet §4.1), rendered only when read.

A request is kept as a compact record (`record`): the values the log needs, long ones cut where the log cuts them.
`render_record` turns a record into the lines CloudWatch would hold under `API-Gateway-Execution-Logs_<apiId>/<stage>`
(each without the `(<requestId>) ` prefix that `prefixed` adds), the same lines whether the record is fresh (the
terminal, test-invoke, the dashboard) or read back from the log store after a restart (`lambdagate logs`).

Each line's head is spelled once here; `explain` reads with the same names.
"""

from __future__ import annotations

import time
from typing import Any

from ..definition.model.restapi import Method, MethodSetting, Stage
from ..errors import (
    API_KEY_NOT_REQUIRED_LINE,
    AUTHORIZER_CONFIGURATION_EXCEPTION_LINE,
    AUTHORIZER_INCOMING_IDENTITY_LINE,
    AUTHORIZER_NOT_AUTHORIZED_LINE,
    AUTHORIZER_RESULT_LINE,
    AUTHORIZER_UNAUTHORIZED_LINE,
    GATEWAY_RESPONSE_TYPE_LINE,
    KEY_THROTTLE_LINE,
    METHOD_COMPLETED_LINE,
    REQUEST_BODY_MISMATCH_LINE,
    USAGE_PLAN_SUCCEEDED_LINE,
    USAGE_PLAN_VERIFYING_LINE,
)
from ..events import query_parameters
from ..exchange import Exchange, Reached

TRUNCATE_AT = 1024  # "Long values are cut at about 1 KB and end with ` [TRUNCATED]`" (§4.1)
LEVELS = ("off", "error", "info", "full")
# The record's shape: 2 since the authorizer and usage-plan steps (Reached.ROUTED); a record without "v" is of 1,
# whose `reached` counted from METHOD = 1.
RECORD_VERSION = 2

# The heads of the lines, in the order AWS writes them.
EXTENDED_REQUEST_ID = "Extended Request Id: "
STARTING_EXECUTION = "Starting execution for request: "
METHOD_REQUEST_PATH = "Method request path: "
METHOD_REQUEST_QUERY = "Method request query string: "
METHOD_REQUEST_HEADERS = "Method request headers: "
METHOD_REQUEST_BODY = "Method request body before transformations: "
ENDPOINT_REQUEST_URI = "Endpoint request URI: "
ENDPOINT_REQUEST_HEADERS = "Endpoint request headers: "
ENDPOINT_REQUEST_BODY = "Endpoint request body after transformations: "
SENDING_REQUEST = "Sending request to "
RECEIVED_RESPONSE = "Received response. "
ENDPOINT_RESPONSE_HEADERS = "Endpoint response headers: "
ENDPOINT_RESPONSE_BODY = "Endpoint response body before transformations: "
METHOD_RESPONSE_BODY = "Method response body after transformations: "
METHOD_RESPONSE_HEADERS = "Method response headers: "
SUCCESSFULLY_COMPLETED = "Successfully completed execution"
METHOD_COMPLETED = METHOD_COMPLETED_LINE.split("{", 1)[0]
INTEGRATION_ENDPOINT_REQUEST_ID = "AWS Integration Endpoint RequestId : "
XRAY_TRACING_ID = "X-ray Tracing ID : "

# The authorizer's and the usage plan's heads (aws-auth.md §1.11, §4.3), spelled in errors.py.
INCOMING_IDENTITY = AUTHORIZER_INCOMING_IDENTITY_LINE.split("{", 1)[0]
AUTHORIZER_RESULT = AUTHORIZER_RESULT_LINE.split("{", 1)[0]
GATEWAY_RESPONSE_TYPE = GATEWAY_RESPONSE_TYPE_LINE.split("{", 1)[0]

# Lines that only data tracing writes: the payloads and headers of the request and the response.
DATA_TRACE = (METHOD_REQUEST_PATH, METHOD_REQUEST_QUERY, METHOD_REQUEST_HEADERS, METHOD_REQUEST_BODY,
              ENDPOINT_REQUEST_HEADERS, ENDPOINT_REQUEST_BODY, ENDPOINT_RESPONSE_HEADERS, ENDPOINT_RESPONSE_BODY,
              METHOD_RESPONSE_BODY, METHOD_RESPONSE_HEADERS, INCOMING_IDENTITY, AUTHORIZER_RESULT)
ERROR_LINES = ("Lambda execution failed", "Lambda invocation failed", "Execution failed", GATEWAY_RESPONSE_TYPE,
               AUTHORIZER_UNAUTHORIZED_LINE.split("{", 1)[0], AUTHORIZER_CONFIGURATION_EXCEPTION_LINE,
               AUTHORIZER_NOT_AUTHORIZED_LINE, KEY_THROTTLE_LINE.split("{", 1)[0],
               REQUEST_BODY_MISMATCH_LINE.split("{", 1)[0])
# What the terminal shows of a failed request: the function's (or the authorizer's) answer, the error, the status.
ERROR_TAIL = (ENDPOINT_RESPONSE_BODY, AUTHORIZER_RESULT, "Lambda ", "Execution failed", METHOD_COMPLETED,
              GATEWAY_RESPONSE_TYPE)
# A stand-in for the SigV4 signature API Gateway's log shows masked (§4.1).
_MASKED_AUTHORIZATION = "*" * 172 + "fa1b2c"
_SECURITY_TOKEN = "IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD"


def truncate(text: str) -> str:
    return text if len(text) <= TRUNCATE_AT else text[:TRUNCATE_AT] + " [TRUNCATED]"


def _cut(data: bytes | str | None) -> str:
    """A payload as the log shows it: UTF-8 with replacements, no more of it than a line can hold."""
    if data is None:
        return ""
    if isinstance(data, bytes):
        data = data[: 4 * (TRUNCATE_AT + 1)].decode("utf-8", "replace")
    return data[: TRUNCATE_AT + 1]


def java_map(pairs: list[tuple[str, str]] | list[list[str]] | dict[str, str] | None) -> str:
    """`{k=v, k2=v2}`; repeated names joined with `,` (§4.1)."""
    if not pairs:
        return "{}"
    items = pairs.items() if isinstance(pairs, dict) else pairs
    joined: dict[str, list[str]] = {}
    for k, v in items:
        joined.setdefault(k, []).append(v)
    return "{" + ", ".join(f"{k}={','.join(v)}" for k, v in joined.items()) + "}"


def record(x: Exchange, level: str = "full") -> dict[str, Any]:
    """What the execution log of this request needs, as JSON-ready values (the log store keeps this)."""
    r = x.request
    out: dict[str, Any] = {"v": RECORD_VERSION, "reached": int(x.reached), "status": x.response.status,
                           "level": level, "requestId": x.ids.request_id,
                           "extendedRequestId": x.ids.extended_request_id, "traceId": x.ids.trace_id,
                           "receivedAt": r.received_at}
    match = x.match
    if match is None:
        return out
    out.update({"apiId": match.api.id, "stage": match.api.stage.name, "verb": match.method.http_method,
                "resourcePath": match.resource.path, "pathParameters": match.path_parameters,
                "method": r.method, "path": "/" + (r.raw_path if match.path is None else match.path).lstrip("/"),
                "query": dict(query_parameters(r.raw_query)), "headers": r.headers, "body": _cut(r.body),
                # before "Starting execution" the failure's lines are its step's (authorizer, usage plan)
                "errorLines": x.error.log_lines if x.error is not None and x.reached >= Reached.METHOD else []})
    out.update(_checks(x))
    if x.mock is not None:
        out["mock"] = (x.mock.request_template, x.mock.response_template)
    call = x.call
    if call is not None and x.reached >= Reached.INTEGRATION:
        out.update({"region": x.region, "functionArn": call.function_arn, "sourceArn": call.source_arn,
                    "event": _cut(call.event)})
        if x.reached >= Reached.ANSWERED:
            out.update({"lambdaRequestId": call.lambda_request_id, "integrationLatency": call.latency_ms,
                        "functionError": call.function_error, "result": _cut(call.result),
                        "resultLength": len(call.result or b"")})
    if x.reached >= Reached.RESPONDED:
        out.update({"responseHeaders": x.method_response_headers, "responseBody": _cut(x.response.body)})
    return out


def _checks(x: Exchange) -> dict[str, Any]:
    """The authorizer's lines (each cut as the log cuts it), the usage plan's (only the key's mask when they are the
    three lines of a method that needs no key), and the gateway response of a request refused by either."""
    out: dict[str, Any] = {}
    if x.authorization is not None and x.authorization.log_lines:
        out["authorizerLines"] = [_cut(line) for line in x.authorization.log_lines]
    plan = x.usage_plan
    if plan is not None and (plan.required or plan.refused):
        out["usagePlanLines"] = list(plan.log_lines)
    elif plan is not None and plan.key_shown:
        out["apiKey"] = plan.key_shown
    if x.error is not None and x.reached < Reached.METHOD:
        out["responseType"] = x.error.response_type
    return out


def render(x: Exchange) -> list[str]:
    """Every line of the execution log for this request, with data tracing on."""
    return render_record(record(x))


def render_record(rec: dict[str, Any]) -> list[str]:
    """The lines of a record, in AWS's order and words (§4.1)."""
    reached = _reached(rec)
    if reached < Reached.ROUTED:
        return []  # no method was reached: AWS writes no execution log (§3, 403 row)
    request_id, api_id, stage = rec["requestId"], rec["apiId"], rec["stage"]
    lines = [EXTENDED_REQUEST_ID + rec["extendedRequestId"]]
    lines += [truncate(line) for line in rec.get("authorizerLines", [])]
    if "usagePlanLines" in rec:
        lines += rec["usagePlanLines"]
    elif reached >= Reached.METHOD:
        key = rec.get("apiKey", "")
        lines += [USAGE_PLAN_VERIFYING_LINE.format(request_id=request_id, key=key, api_id=api_id, stage=stage),
                  API_KEY_NOT_REQUIRED_LINE.format(key=key, method=f"{rec['verb']} {rec['resourcePath']}"),
                  USAGE_PLAN_SUCCEEDED_LINE.format(key=key, api_id=api_id, stage=stage)]
    if reached < Reached.METHOD:   # refused by the authorizer or the usage plan: a gateway response ([REC] MIDDY)
        return lines + [GATEWAY_RESPONSE_TYPE_LINE.format(response_type=rec.get("responseType"),
                                                          status=rec["status"])]
    lines += [
        STARTING_EXECUTION + request_id,
        f"HTTP Method: {rec['method']}, Resource Path: {rec['path']}",
        METHOD_REQUEST_PATH + java_map(rec["pathParameters"]),
        METHOD_REQUEST_QUERY + java_map(rec["query"]),
        truncate(METHOD_REQUEST_HEADERS + java_map(rec["headers"])),
        truncate(METHOD_REQUEST_BODY + rec["body"]),
    ]
    completed = METHOD_COMPLETED_LINE.format(status=rec["status"])
    errors: list[str] = rec["errorLines"]
    mock = rec.get("mock")
    if mock is not None and reached >= Reached.RESPONDED:
        return lines + [
            truncate(ENDPOINT_REQUEST_BODY + mock[0]),
            truncate(METHOD_RESPONSE_BODY + mock[1]),
            truncate(METHOD_RESPONSE_HEADERS + java_map(rec["responseHeaders"])),
            SUCCESSFULLY_COMPLETED, completed]
    if reached < Reached.INTEGRATION:
        return lines + errors + [completed]
    endpoint = (f"https://lambda.{rec['region']}.amazonaws.com/2015-03-31/functions/{rec['functionArn']}"
                f"/invocations")
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(rec["receivedAt"]))
    lines += [
        ENDPOINT_REQUEST_URI + endpoint,
        truncate(f"{ENDPOINT_REQUEST_HEADERS}{{x-amzn-lambda-integration-tag={request_id}, "
                 f"Authorization={_MASKED_AUTHORIZATION}, X-Amz-Date={amz_date}, x-amzn-apigateway-api-id={api_id}, "
                 f"X-Amz-Source-Arn={rec['sourceArn']}, Accept=application/json, "
                 f"User-Agent=AmazonAPIGateway_{api_id}, X-Amz-Security-Token={_SECURITY_TOKEN}}}"),
        truncate(ENDPOINT_REQUEST_BODY + rec["event"]),
    ]
    if reached < Reached.SENT:
        return lines + errors + [completed]
    lines.append(SENDING_REQUEST + endpoint)
    answered = reached >= Reached.ANSWERED and rec.get("lambdaRequestId")
    if answered:
        headers = [("Date", _rfc1123(rec["receivedAt"])), ("Content-Type", "application/json"),
                   ("Content-Length", str(rec["resultLength"])), ("Connection", "keep-alive"),
                   ("x-amzn-RequestId", rec["lambdaRequestId"])]
        if rec["functionError"]:
            headers.append(("X-Amz-Function-Error", "Unhandled"))
        headers += [("x-amzn-Remapped-Content-Length", "0"), ("X-Amz-Executed-Version", "$LATEST"),
                    ("X-Amzn-Trace-Id", _lambda_trace(rec["traceId"]))]
        lines += [
            f"{RECEIVED_RESPONSE}Status: 200, Integration latency: {rec['integrationLatency'] or 0} ms",
            truncate(ENDPOINT_RESPONSE_HEADERS + java_map(headers)),
            truncate(ENDPOINT_RESPONSE_BODY + rec["result"]),
        ]
    lines += errors
    if not errors and reached >= Reached.RESPONDED:
        lines += [truncate(METHOD_RESPONSE_BODY + rec["responseBody"]),
                  truncate(METHOD_RESPONSE_HEADERS + java_map(rec["responseHeaders"])),
                  SUCCESSFULLY_COMPLETED]
    lines.append(completed)
    if answered:
        lines += [INTEGRATION_ENDPOINT_REQUEST_ID + rec["lambdaRequestId"],
                  XRAY_TRACING_ID + rec["traceId"].removeprefix("Root=")]
    return lines


def _reached(rec: dict[str, Any]) -> int:
    """`reached` in this version's numbering; a version-1 record counted METHOD as 1 (no ROUTED step)."""
    reached = int(rec["reached"])
    return reached + 1 if rec.get("v", 1) == 1 and reached >= 1 else reached


def method_log_level(stage: Stage, resource_path: str, method: Method, default: str) -> str:
    """The execution-log level the stage's MethodSettings give a method (CloudFormation AWS::ApiGateway::Stage
    MethodSetting: LoggingLevel OFF/ERROR/INFO, DataTraceEnabled for the full requests and responses), the most
    specific setting first (`/resource` + verb over `/*` + `*`); `default` where no setting says."""
    def rank(s: MethodSetting) -> int:
        return (s.resource_path == resource_path) * 2 + (s.http_method.upper() == method.http_method)

    matching = [s for s in stage.method_settings
                if s.resource_path in ("/*", "*", resource_path) and s.http_method in ("*", method.http_method)]
    matching.sort(key=rank, reverse=True)
    level = next((s.logging_level for s in matching if s.logging_level is not None), None)
    data_trace = next((s.data_trace_enabled for s in matching if s.data_trace_enabled is not None), None)
    if level is None and data_trace is None:
        return default
    level = (level or ("INFO" if data_trace else "OFF")).upper()
    if level == "INFO":
        return "full" if data_trace else "info"
    return "error" if level == "ERROR" else "off"


def at_level(lines: list[str], level: str, failed: bool) -> list[str]:
    """The lines a stage's logging level keeps: `full` is INFO with data tracing (lambdagate's default), `info`
    drops the data-trace lines, `error` keeps a failed request's error lines and its status line."""
    if level == "full":
        return lines
    if level == "info":
        return [line for line in lines if not line.startswith(DATA_TRACE)]
    if level == "error" and failed:
        return [line for line in lines if line.startswith(ERROR_LINES + (METHOD_COMPLETED,))]
    return []


def stored_lines(rec: dict[str, Any]) -> list[str]:
    """A stored record's lines at the level it was recorded with, each with its `(<requestId>) ` prefix."""
    lines = at_level(render_record(rec), rec.get("level", "full"), rec["status"] >= 400)
    return prefixed(str(rec["requestId"]), lines)


def test_invoke_log(x: Exchange) -> str:
    """The console Test panel's `log` (fact sheet §4.2): a heading, then the method lines from "Starting execution"
    to "Method completed", each stamped `EEE MMM dd HH:mm:ss UTC yyyy : `, ending with a newline."""
    lines = render(x)
    if lines:
        start = next((i for i, line in enumerate(lines) if line.startswith(STARTING_EXECUTION)), 0)
        end = next((i for i, line in enumerate(lines) if line.startswith(METHOD_COMPLETED)), len(lines) - 1)
        lines = lines[start:end + 1]
    stamp = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(x.request.received_at))
    return "".join([f"Execution log for request {x.ids.request_id}\n"] + [f"{stamp} : {line}\n" for line in lines])


def error_tail(x: Exchange) -> list[str]:
    """What the terminal shows for a failed request: the function's answer (if any), the error, the status."""
    return [line for line in render(x) if line.startswith(ERROR_TAIL)]


def prefixed(request_id: str, lines: list[str]) -> list[str]:
    return [f"({request_id}) {line}" for line in lines]


def _rfc1123(epoch: float) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(epoch))


def _lambda_trace(trace_id: str) -> str:
    return "root=" + trace_id.removeprefix("Root=") + ";sampled=0"
