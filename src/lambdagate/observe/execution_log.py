"""API Gateway's execution log for one request, line for line (fact sheet §4.1), rendered only when wanted.

The gateway fills a Trace while it works (cheap: references only); `render` turns it into the lines that
CloudWatch would hold under `API-Gateway-Execution-Logs_<apiId>/<stage>`, each without the `(<requestId>) `
prefix, which `prefixed` adds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..errors import METHOD_COMPLETED_LINE
from ..events import RequestIds
from ..exchange import HttpRequest
from ..routing import Match

TRUNCATE_AT = 1024  # "Long values are cut at about 1 KB and end with ` [TRUNCATED]`" (§4.1)


@dataclass
class Trace:
    request: HttpRequest
    ids: RequestIds
    region: str
    match: Match | None = None
    function_arn: str | None = None
    source_arn: str | None = None
    event: bytes | None = None
    sent: bool = False                      # the request reached "Sending request to ..."
    lambda_request_id: str | None = None
    integration_latency_ms: int | None = None
    function_error: bool = False
    result: bytes | None = None             # the Lambda's answer ("Endpoint response body ...")
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes | None = None
    error_lines: list[str] = field(default_factory=list)
    status: int = 0
    received_response: bool = False
    mock: tuple[str, str] | None = None     # a MOCK integration's (request template, response template)


def truncate(text: str) -> str:
    return text if len(text) <= TRUNCATE_AT else text[:TRUNCATE_AT] + " [TRUNCATED]"


def java_map(pairs: list[tuple[str, str]] | dict[str, str] | None) -> str:
    """`{k=v, k2=v2}`; repeated names joined with `,` (§4.1)."""
    if not pairs:
        return "{}"
    items = pairs.items() if isinstance(pairs, dict) else pairs
    joined: dict[str, list[str]] = {}
    for k, v in items:
        joined.setdefault(k, []).append(v)
    return "{" + ", ".join(f"{k}={','.join(v)}" for k, v in joined.items()) + "}"


def _rfc1123(epoch: float) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(epoch))


def render(trace: Trace) -> list[str]:
    """Every line of the execution log for this request, with data tracing on."""
    r, ids = trace.request, trace.ids
    m = trace.match
    if m is None:
        return []  # no method was reached: AWS writes no execution log (§3, 403 row)
    api, stage = m.api, m.api.stage.name
    endpoint = (f"https://lambda.{trace.region}.amazonaws.com/2015-03-31/functions/{trace.function_arn}"
                f"/invocations")
    lines = [
        f"Extended Request Id: {ids.extended_request_id}",
        f"Verifying Usage Plan for request: {ids.request_id}. API Key:  API Stage: {api.id}/{stage}",
        f"API Key authorized because method '{m.method.http_method} {m.resource.path}' does not require API Key. "
        "Request will not contribute to throttle or quota limits",
        f"Usage Plan check succeeded for API Key  and API Stage {api.id}/{stage}",
        f"Starting execution for request: {ids.request_id}",
        f"HTTP Method: {r.method}, Resource Path: {'/' + r.raw_path.lstrip('/')}",
        f"Method request path: {java_map(m.path_parameters)}",
        f"Method request query string: {java_map(_query(r))}",
        truncate(f"Method request headers: {java_map(list(r.headers))}"),
        truncate(f"Method request body before transformations: {r.body.decode('utf-8', 'replace')}"),
    ]
    if trace.mock is not None and not trace.error_lines:
        return lines + [
            truncate(f"Endpoint request body after transformations: {trace.mock[0]}"),
            truncate(f"Method response body after transformations: {trace.mock[1]}"),
            truncate(f"Method response headers: {java_map(trace.response_headers)}"),
            "Successfully completed execution", METHOD_COMPLETED_LINE.format(status=trace.status)]
    if trace.function_arn is None:
        return lines + trace.error_lines + [METHOD_COMPLETED_LINE.format(status=trace.status)]
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(r.received_at))
    lines += [
        f"Endpoint request URI: {endpoint}",
        truncate(f"Endpoint request headers: {{x-amzn-lambda-integration-tag={ids.request_id}, "
                 f"Authorization=************************************************************************************"
                 f"****************************************************************************************fa1b2c, "
                 f"X-Amz-Date={amz_date}, x-amzn-apigateway-api-id={api.id}, X-Amz-Source-Arn={trace.source_arn}, "
                 f"Accept=application/json, User-Agent=AmazonAPIGateway_{api.id}, "
                 f"X-Amz-Security-Token=IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD}}"),
        truncate("Endpoint request body after transformations: " +
                 (trace.event or b"").decode("utf-8", "replace")),
    ]
    if not trace.sent:
        return lines + trace.error_lines + [METHOD_COMPLETED_LINE.format(status=trace.status)]
    lines.append(f"Sending request to {endpoint}")
    if trace.received_response and trace.lambda_request_id:
        result = trace.result or b""
        headers = [("Date", _rfc1123(r.received_at)), ("Content-Type", "application/json"),
                   ("Content-Length", str(len(result))), ("Connection", "keep-alive"),
                   ("x-amzn-RequestId", trace.lambda_request_id)]
        if trace.function_error:
            headers.append(("X-Amz-Function-Error", "Unhandled"))
        headers += [("x-amzn-Remapped-Content-Length", "0"), ("X-Amz-Executed-Version", "$LATEST"),
                    ("X-Amzn-Trace-Id", _lambda_trace(ids.trace_id))]
        lines += [
            f"Received response. Status: 200, Integration latency: {trace.integration_latency_ms or 0} ms",
            truncate(f"Endpoint response headers: {java_map(headers)}"),
            truncate("Endpoint response body before transformations: " + result.decode("utf-8", "replace")),
        ]
    lines += trace.error_lines
    if not trace.error_lines and trace.response_body is not None:
        lines += [
            truncate("Method response body after transformations: " +
                     trace.response_body.decode("utf-8", "replace")),
            truncate(f"Method response headers: {java_map(trace.response_headers)}"),
            "Successfully completed execution",
        ]
    lines.append(METHOD_COMPLETED_LINE.format(status=trace.status))
    if trace.lambda_request_id and trace.received_response:
        lines += [f"AWS Integration Endpoint RequestId : {trace.lambda_request_id}",
                  f"X-ray Tracing ID : {ids.trace_id.removeprefix('Root=')}"]
    return lines


# Lines that only data tracing writes: the payloads and headers of the request and the response.
DATA_TRACE = ("Method request path:", "Method request query string:", "Method request headers:",
              "Method request body before transformations:", "Endpoint request headers:",
              "Endpoint request body after transformations:", "Endpoint response headers:",
              "Endpoint response body before transformations:", "Method response body after transformations:",
              "Method response headers:")
ERROR_LINES = ("Lambda execution failed", "Lambda invocation failed", "Execution failed")
LEVELS = ("off", "error", "info", "full")


def at_level(lines: list[str], level: str, failed: bool) -> list[str]:
    """The lines a stage's logging level keeps: `full` is INFO with data tracing (lambdagate's default), `info`
    drops the data-trace lines, `error` keeps a failed request's error lines and its status line."""
    if level == "full":
        return lines
    if level == "info":
        return [line for line in lines if not line.startswith(DATA_TRACE)]
    if level == "error" and failed:
        return [line for line in lines if line.startswith(ERROR_LINES + ("Method completed with status",))]
    return []


def test_invoke_log(trace: Trace) -> str:
    """The console Test panel's `log` (fact sheet §4.2): a heading, then the method lines from "Starting execution"
    to "Method completed", each stamped `EEE MMM dd HH:mm:ss UTC yyyy : `, ending with a newline."""
    lines = render(trace)
    if lines:
        start = next((i for i, line in enumerate(lines) if line.startswith("Starting execution")), 0)
        end = next((i for i, line in enumerate(lines) if line.startswith("Method completed")), len(lines) - 1)
        lines = lines[start:end + 1]
    stamp = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(trace.request.received_at))
    return "".join([f"Execution log for request {trace.ids.request_id}\n"] + [f"{stamp} : {line}\n" for line in lines])


def error_tail(trace: Trace) -> list[str]:
    """What the terminal shows for a failed request: the function's answer (if any), the error, the status."""
    return [line for line in render(trace)
            if line.startswith(("Endpoint response body before transformations", "Lambda ", "Execution failed",
                                "Method completed with status"))]


def prefixed(request_id: str, lines: list[str]) -> list[str]:
    return [f"({request_id}) {line}" for line in lines]


def _query(r: HttpRequest) -> dict[str, str]:
    from ..events import query_parameters

    return dict(query_parameters(r.raw_query))


def _lambda_trace(trace_id: str) -> str:
    return "root=" + trace_id.removeprefix("Root=") + ";sampled=0"
