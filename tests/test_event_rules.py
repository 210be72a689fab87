"""`explain` reads the traceback and the event, not only the failure line: each rule of explain/event_rules.py on a
pasted log, Lambda log excerpts alone, the console test's permission failure and `Unable to transform request`.

The logs are written in the shapes AWS writes (fact sheet §4.1 execution log lines with the `(<requestId>) ` prefix,
§4.2 console test stamps, §5.3 Lambda log lines with U+00A0 indented tracebacks, `aws logs tail` prefixes).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambdagate.explain import explain_text
from lambdagate.explain.diagnosis import Verdict

RID = "8a3f2c1d-5b6e-4f70-8a9b-0c1d2e3f4a5b"        # API Gateway's request id
LID = "6f2b8c1d-4e3a-4b5c-9d8e-7f6a5b4c3d2e"        # Lambda's request id
NBSP = "\u00a0"
TAIL = "2026-01-12T09:14:03.118000+00:00 2026/01/12/[$LATEST]3f1c9e0d8a7b4c2e9f6a5b4c3d2e1f0a "


def python_lambda_log(error: str, frames: list[tuple[str, int, str]], tail: bool = False) -> str:
    """START, the runtime's `[ERROR]` record with its traceback, END, REPORT (§5.3); `tail`: as `aws logs tail`."""
    prefix = TAIL if tail else ""
    lines = [f"{prefix}START RequestId: {LID} Version: $LATEST", f"{prefix}[ERROR] {error}",
             "Traceback (most recent call last):"]
    for file, number, code in frames:
        lines += [f'{NBSP * 2}File "{file}", line {number}, in lambda_handler', f"{NBSP * 4}{code}"]
    lines += [f"{prefix}END RequestId: {LID}",
              f"{prefix}REPORT RequestId: {LID}\tDuration: 2.05 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\t"
              "Max Memory Used: 38 MB\t"]
    return "\n".join(lines) + "\n"


def execution_log(verb: str, path: str, request: dict[str, str], error: dict[str, object], status: int = 502) -> str:
    """A CloudWatch execution log with data tracing (§4.1): the method request, the function's error answer and the
    customer-function-error line."""
    lines = ["Starting execution for request: " + RID, f"HTTP Method: {verb}, Resource Path: {path}",
             f"Method request path: {request.get('path', '{}')}",
             f"Method request query string: {request.get('query', '{}')}",
             f"Method request headers: {request.get('headers', '{Accept=*/*, Host=abc.execute-api}')}",
             f"Method request body before transformations: {request.get('body', '')}",
             "Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:"
             "us-east-1:111122223333:function:orders/invocations",
             "Received response. Status: 200, Integration latency: 31 ms",
             "Endpoint response body before transformations: " + json.dumps(error),
             f"Lambda execution failed with status 200 due to customer function error: {error['errorMessage']}. "
             f"Lambda request id: {LID}",
             f"Method completed with status: {status}"]
    return "\n".join(f"({RID}) {line}" for line in lines) + "\n"


def python_error(kind: str, message: str, file: str, number: int, code: str) -> dict[str, object]:
    """The runtime's answer for an unhandled error (§5.1)."""
    return {"errorMessage": message, "errorType": kind, "requestId": LID,
            "stackTrace": [f'  File "{file}", line {number}, in lambda_handler\n    {code}\n']}


def only_failure(text: str) -> Verdict:
    explanation = explain_text(text)
    assert explanation.reading.unplaced == [], explanation.reading.unplaced
    [verdict] = explanation.failed
    return verdict


def detail_text(verdict: Verdict) -> str:
    return "\n".join(d for f in verdict.findings for d in f.details) + "\n" + verdict.findings[0].summary


APP = "/var/task/app.py"
CASES = [
    # -- Lambda log group excerpts alone: a failed request with a cause ------------------------------------------
    pytest.param(python_lambda_log("TypeError: 'NoneType' object is not subscriptable",
                                   [(APP, 9, 'item_id = event["pathParameters"]["id"]')], tail=True),
                 "event.path-parameters-null", "pathParameters was null", id="sec1.1-REC-path-parameters-null-tail"),
    pytest.param(python_lambda_log("KeyError: 'Records'",
                                   [("/var/task/lambda_function.py", 7, "for record in event['Records']:")]),
                 "event.records-missing", "no Records", id="sec1.1-REC-records-s3-handler"),
    pytest.param(python_lambda_log("KeyError: 'http'",
                                   [(APP, 4, 'method = event["requestContext"]["http"]["method"]')]),
                 "event.payload-v2", "only HTTP APIs send", id="sec8-DOC-payload-v2-on-rest"),
    pytest.param(python_lambda_log("KeyError: 'httpMethod'", [(APP, 3, 'verb = event["httpMethod"]')]),
                 "event.not-a-proxy-event", "a key every Lambda proxy event has", id="sec1.1-REC-not-a-proxy-event"),
    pytest.param(python_lambda_log("TypeError: 'NoneType' object is not subscriptable",
                                   [(APP, 6, 'table = event["stageVariables"]["table"]')]),
                 "event.stage-variables-null", "the stage has none", id="sec1.1-REC-stage-variables-null"),
    pytest.param(python_lambda_log("TypeError: the JSON object must be str, bytes or bytearray, not NoneType",
                                   [(APP, 5, 'data = json.loads(event["body"])'),
                                    ("/var/lang/lib/python3.12/json/__init__.py", 339, "raise TypeError(")]),
                 "event.body-null", "body was null", id="sec1.1-REC-body-null-json-loads"),
    # -- the failing line and the logged method request explain each other ---------------------------------------
    pytest.param(execution_log("GET", "/orders", {"query": "{}"}, python_error(
        "TypeError", "'NoneType' object is not subscriptable", APP, 11,
        'limit = int(event["queryStringParameters"]["limit"])')),
                 "event.query-string-null", "Method request query string: {}", id="sec1.1-REC-query-string-null"),
    pytest.param(execution_log("GET", "/orders", {"query": "{page=2}"}, python_error(
        "KeyError", "'limit'", APP, 11, 'limit = int(event["queryStringParameters"]["limit"])')),
                 "event.query-parameter-missing", "query string was {page=2}", id="sec1.1-REC-query-parameter-missing"),
    pytest.param(execution_log("POST", "/orders", {"body": '{"name": "tea", "qty": 2}',
                                                    "headers": "{Content-Type=application/json}"}, python_error(
        "KeyError", "'name'", APP, 8, 'name = event["name"]')),
                 "event.body-is-a-string", "the request body {\"name\": \"tea\", \"qty\": 2} holds 'name'",
                 id="sec1.1-REC-body-fields-read-from-the-event"),
    pytest.param(execution_log("POST", "/orders", {"body": '{"name": "tea"}'}, python_error(
        "TypeError", "string indices must be integers, not 'str'", APP, 8, 'name = event["body"]["name"]')),
                 "event.body-is-a-string", "body is the request body as a string",
                 id="sec1.1-REC-body-indexed-as-a-dict"),
    pytest.param(execution_log("POST", "/upload", {"body": "[Binary Data]"}, python_error(
        "JSONDecodeError", "Expecting value: line 1 column 1 (char 0)", APP, 5, 'data = json.loads(event["body"])')),
                 "event.body-not-json", "[Binary Data]", id="sec1.3-DOC-body-base64-binary-media-type"),
    pytest.param(execution_log("GET", "/me", {"headers": "{Accept=*/*, Content-Type=application/json, Host=x}"},
                               python_error("KeyError", "'content-type'", APP, 4,
                                            'kind = event["headers"]["content-type"]')),
                 "event.header-case", "sent it as 'Content-Type'", id="sec1.1-REC-header-casing-kept"),
    pytest.param(execution_log("GET", "/orders/42", {"path": "{id=42}"}, python_error(
        "KeyError", "'orderId'", APP, 12, "order = event['pathParameters']['orderId']")),
                 "event.path-parameter-name", "names its variable {id}", id="sec1.1-REC-path-parameter-name"),
]


@pytest.mark.parametrize(("text", "cause", "detail"), CASES)
def test_rule_on_pasted_log(text: str, cause: str, detail: str) -> None:
    verdict = only_failure(text)
    assert verdict.findings[0].cause.id == cause, verdict.findings
    assert detail in detail_text(verdict)
    assert any("raised at /var/task/" in d for d in verdict.findings[0].details)


def test_console_test_without_headers_has_headers_null() -> None:
    """§4.2: the console's Test sends only the headers typed into it: headers is null."""
    log = ("Execution log for request 3e6a9b7c-2f1d-4d55-9a0e-6c1f2b8e4a10\n" + "\n".join(
        f"Tue Mar 15 10:21:07 UTC 2022 : {line}" for line in [
            "Starting execution for request: 3e6a9b7c-2f1d-4d55-9a0e-6c1f2b8e4a10",
            "HTTP Method: GET, Resource Path: /me", "Method request path: {}", "Method request query string: {}",
            "Method request headers: {}", "Method request body before transformations: ",
            "Endpoint response body before transformations: " + json.dumps(python_error(
                "TypeError", "'NoneType' object is not subscriptable", APP, 3,
                'token = event["headers"]["Authorization"]')),
            f"Lambda execution failed with status 200 due to customer function error: 'NoneType' object is not "
            f"subscriptable. Lambda request id: {LID}", "Method completed with status: 502"]))
    verdict = only_failure(log)
    assert verdict.findings[0].cause.id == "event.headers-null"
    assert "Method request headers: {}" in detail_text(verdict)
    # the gateway's own reading follows as a second finding
    assert [f.cause.id for f in verdict.findings][1:] == ["customer-function-error"]


def test_node_null_read_names_the_null_fields_of_the_request() -> None:
    """Node.js logs no source line; the execution log shows which fields of the event were null."""
    trace = ["TypeError: Cannot read properties of null (reading 'id')",
             "    at Runtime.handler (file:///var/task/index.mjs:4:38)",
             "    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)"]
    record = {"errorType": "TypeError", "errorMessage": "Cannot read properties of null (reading 'id')",
              "trace": trace}
    text = execution_log("GET", "/items", {"path": "{}", "query": "{q=tea}"}, record)
    verdict = only_failure(text)
    assert verdict.findings[0].cause.id == "event.null-field"
    assert "in this request pathParameters, body were null" in detail_text(verdict)
    assert "raised at /var/task/index.mjs:4 in Runtime.handler" in verdict.findings[0].details


def test_node_invoke_error_in_a_lambda_log_alone() -> None:
    line = (f"2026-01-12T09:14:03.121Z\t{LID}\tERROR\tInvoke Error \t" + json.dumps({
        "errorType": "Error", "errorMessage": "upstream refused", "stack": [
            "Error: upstream refused", "    at callUpstream (/var/task/src/client.js:21:11)",
            "    at Runtime.handler (/var/task/src/index.js:9:18)"]}))
    text = "\n".join([f"START RequestId: {LID} Version: $LATEST", line, f"END RequestId: {LID}",
                      f"REPORT RequestId: {LID}\tDuration: 12.00 ms\tBilled Duration: 12 ms\tMemory Size: 512 MB\t"
                      "Max Memory Used: 70 MB\t"])
    verdict = only_failure(text)
    assert verdict.status is None
    assert verdict.findings[0].cause.id == "unhandled-error"
    assert verdict.findings[0].summary == "the function raised Error: upstream refused"
    assert "raised at /var/task/src/client.js:21 in callUpstream" in verdict.findings[0].details


def test_a_python_error_no_rule_knows_is_the_function_raising() -> None:
    verdict = only_failure(python_lambda_log("ValueError: invalid literal for int() with base 10: 'x'",
                                             [(APP, 14, "count = int(params['count'])")], tail=True))
    assert [f.cause.id for f in verdict.findings] == ["unhandled-error"]
    assert verdict.findings[0].details == ("raised at /var/task/app.py:14 in lambda_handler: count = "
                                           "int(params['count'])",)
    assert "API Gateway answers 502" in verdict.findings[0].cause.explanation


def test_json_log_format_record() -> None:
    """LDG monitoring-cloudwatchlogs-advanced: the JSON log format writes the error as a JSON record."""
    record = {"timestamp": "2026-01-12T09:14:03Z", "level": "ERROR", "requestId": LID, "message": {
        "errorMessage": "'Records'", "errorType": "KeyError", "requestId": LID, "stackTrace": [
            '  File "/var/task/app.py", line 7, in lambda_handler\n    for record in event["Records"]:\n']}}
    text = "\n".join([f"START RequestId: {LID} Version: $LATEST", json.dumps(record), f"END RequestId: {LID}"])
    verdict = only_failure(text)
    assert verdict.findings[0].cause.id == "event.records-missing"


def test_an_initialisation_traceback_before_start_is_placed() -> None:
    """Module code that fails at import: the traceback comes before START; its source lines are not noise."""
    text = "\n".join([
        "INIT_START Runtime Version: python:3.12.v38\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:0f6f",
        "[ERROR] KeyError: 'TABLE_NAME'", "Traceback (most recent call last):",
        f'{NBSP * 2}File "/var/lang/lib/python3.12/importlib/__init__.py", line 90, in import_module',
        f"{NBSP * 4}return _bootstrap._gcd_import(name[level:], package, level)",
        f'{NBSP * 2}File "/var/task/app.py", line 4, in <module>', f'{NBSP * 4}TABLE = os.environ["TABLE_NAME"]',
        f"START RequestId: {LID} Version: $LATEST", f"END RequestId: {LID}",
        f"REPORT RequestId: {LID}\tDuration: 131.20 ms\tBilled Duration: 132 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 36 MB\tStatus: error\tError Type: Runtime.Unknown"])
    verdict = only_failure(text)
    assert verdict.findings[0].cause.id == "unhandled-error"
    assert "raised at /var/task/app.py:4 in <module>: TABLE = os.environ[\"TABLE_NAME\"]" in \
        verdict.findings[0].details


# ---------------------------------------------------------------------------------------------------------------
# A console test's permission failure: the SourceArn's stage is test-invoke-stage (fact sheet §4.2, §10.3)
# ---------------------------------------------------------------------------------------------------------------
SOURCE_ARN = "arn:aws:execute-api:eu-west-1:111122223333:a1b2c3d4e5/test-invoke-stage/GET/orders/{id}"


def console_permission_log(with_source_arn: bool) -> str:
    headers = (f"Endpoint request headers: {{x-amzn-apigateway-api-id=a1b2c3d4e5, X-Amz-Source-Arn={SOURCE_ARN}, "
               "User-Agent=AmazonAPIGateway_a1b2c3d4e5}" if with_source_arn else "Method request headers: {}")
    lines = ["Starting execution for request: 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
             "HTTP Method: GET, Resource Path: /orders/42", "Method request path: {id=42}",
             "Endpoint request URI: https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:"
             "eu-west-1:111122223333:function:orders-fn/invocations", headers,
             "Execution failed due to configuration error: Invalid permissions on Lambda function",
             "Method completed with status: 500"]
    return "Execution log for request 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f\n" + "\n".join(
        f"Wed Aug 03 08:10:00 UTC 2022 : {line}" for line in lines)


def test_console_test_permission_failure_names_test_invoke_stage() -> None:
    verdict = only_failure(console_permission_log(with_source_arn=True))
    assert verdict.status == 500
    [finding] = verdict.findings
    assert finding.cause.id == "invalid-permissions"
    assert "test-invoke-stage" in finding.summary
    text = detail_text(verdict)
    assert f"SourceArn {SOURCE_ARN}" in text
    # SAM's rule for the statement: every stage, `*` for the path variable (arns.sam_permission_arn)
    assert ('--function-name orders-fn' in text and
            '--source-arn "arn:aws:execute-api:eu-west-1:111122223333:a1b2c3d4e5/*/GET/orders/*"' in text)


def test_console_test_permission_failure_without_source_arn_header() -> None:
    verdict = only_failure(console_permission_log(with_source_arn=False))
    text = detail_text(verdict)
    assert "test-invoke-stage" in verdict.findings[0].summary
    assert "arn:aws:execute-api:eu-west-1:111122223333:<api-id>/test-invoke-stage/GET/" in text
    assert "the SourceArn holds the resource template" in text


def test_a_deployed_stage_permission_failure_is_not_called_a_console_test() -> None:
    lines = ["Starting execution for request: " + RID, "HTTP Method: GET, Resource Path: /orders",
             "Execution failed due to configuration error: Invalid permissions on Lambda function",
             "Method completed with status: 500"]
    verdict = only_failure("\n".join(f"({RID}) {line}" for line in lines))
    assert "console test" not in detail_text(verdict)
    assert "add-permission" in detail_text(verdict)


# ---------------------------------------------------------------------------------------------------------------
# `Execution failed due to configuration error: Unable to transform request` (fact sheet §10.13)
# ---------------------------------------------------------------------------------------------------------------
PREFLIGHT = "53c17c18-a7ad-11e8-a099-4b78be23626d"


def preflight_log(reason: str) -> str:
    """The shape of aws/serverless-application-model#553 and clebert/aws-simple#167: a CORS preflight on an API whose
    binaryMediaTypes holds `*/*`."""
    lines = [f"Starting execution for request: {PREFLIGHT}", "HTTP Method: OPTIONS, Resource Path: /bff",
             "Method request path: {}", "Method request query string: {}",
             "Method request headers: {Accept=*/*, Origin=https://app.example.com, Access-Control-Request-Method=POST}",
             "Method request body before transformations: [Binary Data]",
             f"Execution failed due to configuration error: {reason}",
             "Gateway response type: API_CONFIGURATION_ERROR with status code: 500",
             "Method completed with status: 500"]
    return "\n".join(f"({PREFLIGHT}) {line}" for line in lines)


@pytest.mark.parametrize(("reason", "cause"), [
    ("Unable to transform request", "unable-to-transform-request"),
    ("Unable to transform response", "unable-to-transform-response"),
], ids=["sec10.13-REC-request", "sec10.13-REC-response"])
def test_unable_to_transform_is_explained(reason: str, cause: str) -> None:
    verdict = only_failure(preflight_log(reason))
    assert verdict.status == 500
    assert [f.cause.id for f in verdict.findings] == [cause]
    text = detail_text(verdict)
    assert "a CORS preflight" in text and "[Binary Data]" in text
    assert "CONVERT_TO_TEXT" in verdict.findings[0].cause.fix
    assert "configuration error whose reason is cut off" not in verdict.findings[0].summary


def test_unable_to_transform_request_on_a_custom_integration() -> None:
    """serverless/serverless#4628: a Lambda custom integration with a template for a binary type."""
    text = preflight_log("Unable to transform request").replace("HTTP Method: OPTIONS", "HTTP Method: PUT")
    verdict = only_failure(text)
    assert "a method with a non-proxy integration" in detail_text(verdict)


def test_a_cut_line_with_status_500_lists_unable_to_transform_request() -> None:
    text = f"({RID}) Execution failed due to configuration error:\n({RID}) Method completed with status: 500"
    verdict = only_failure(text)
    assert "Unable to transform request" in detail_text(verdict)


@pytest.mark.parametrize(("name", "cause", "status"), [
    ("sam-553-preflight.txt", "unable-to-transform-request", 500),      # aws/serverless-application-model#553
    ("bref-922-preflight.txt", "unable-to-transform-request", 500),     # brefphp/bref#922
    ("serverless-7243-preflight.txt", "unable-to-transform-response", None),  # serverless/serverless#7243
], ids=["sec10.13-REC-sam-553", "sec10.13-REC-bref-922", "sec10.13-REC-serverless-7243"])
def test_the_reported_logs_as_pasted(name: str, cause: str, status: int | None) -> None:
    """The lines as the issues show them, with their `<stream> <time>` or `<time>` prefixes."""
    verdict = only_failure((Path(__file__).parent / "logs" / name).read_text())
    assert (verdict.findings[0].cause.id, verdict.status) == (cause, status)


@pytest.mark.parametrize(("name", "cause", "detail"), [
    # vrtdev/aws-cloudfront-authorizer#54: `Traceback` glued to the [ERROR] line, a vendored library's frame first
    ("vrtdev-authorizer-54.txt", "event.query-string-null", "at /var/task/authorize.py:29 in handler"),
    # jlhood/github-codebuild-logs#31: .get('queryStringParameters', {}) returns None
    ("codebuild-logs-31.txt", "event.query-string-null", ".get('queryStringParameters', {}) does not help"),
    # aws/serverless-application-model#263: Node.js's older format, `at` frames on their own lines
    ("sam-263-node.txt", "unhandled-error", "raised at /var/task/products.js:5 in exports.handler"),
], ids=["sec1.1-REC-vrtdev-54", "sec1.1-REC-codebuild-31", "sec5.3-REC-sam-263"])
def test_lambda_log_excerpts_from_public_issues(name: str, cause: str, detail: str) -> None:
    verdict = only_failure((Path(__file__).parent / "logs" / name).read_text())
    assert verdict.findings[0].cause.id == cause
    assert detail in detail_text(verdict)
