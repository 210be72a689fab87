"""`explain` reads HTTP API access-log lines (docs/aws-http-api.md §6, §7): the console's CLF preset with
`$context.integrationErrorMessage` appended (the troubleshooting recipe), and JSON formats with `authError`,
`integrationErrorMessage`, `integrationLatency`. The lines are recorded ones where the sheet has them."""

from __future__ import annotations

import json

import pytest

from lambdagate.explain import explain_text

CLF = '64.136.145.109 - - [15/Feb/2023:23:08:37 +0000] "{method} {route} HTTP/1.1" {status} {length} {rid}{message}'
PERMISSION = ("The IAM role configured on the integration or API Gateway doesn't have permissions to call the "
              "integration. Check the permissions and try again.")


def clf(status: int, message: str = "", route: str = "GET /items/{id}", rid: str = "AZzecgvEPHcEPew=",
        length: int = 35) -> str:
    method = route.split(" ")[0] if route.startswith(("GET ", "POST ")) else "GET"
    return CLF.format(method=method, route=route, status=status, length=length, rid=rid,
                      message=f" {message}" if message else "")


def access_json(**fields: object) -> str:
    base = {"requestId": "HvVuPgLmIAMEMfQ=", "ip": "203.0.113.9", "requestTime": "12/Oct/2021:10:00:00 +0000",
            "httpMethod": "GET", "routeKey": "GET /", "protocol": "HTTP/1.1"}
    return json.dumps({**base, **{k: str(v) for k, v in fields.items()}})


CASES = [
    pytest.param(clf(500, PERMISSION, route="$default"), 500, "http-no-permission", "",
                 id="sec1.7-REC-ACCESSLOG-2023-the-recorded-line"),
    pytest.param(clf(500, "The Lambda function returned the following error: something went wrong. Check your Lambda "
                     "function code and try again."), 500, "http-function-error", "something went wrong",
                 id="sec6-REC-ish-WORKSHOP-function-error"),
    pytest.param(clf(500, "The Lambda function returned the following error: RequestId: "
                     "4f1d2a3b-1111-4222-8333-444455556666 Error: Task timed out after 5.00 seconds. Check your Lambda "
                     "function code and try again."), 500, "task-timed-out", "5.00",
                 id="sec6-REC-ish-DT-DOC-lambda-timeout"),
    pytest.param(access_json(status=500, responseLength=35, authError="The response from the Lambda Authorizer "
                             "function doesn't match the format that API Gateway expects. Invalid json in authorizer "
                             "response"), 500, "http-authorizer-invalid-response", "Invalid json",
                 id="sec9-REC-mantil-52-authorizer-answer"),
    pytest.param(access_json(status=500,
                             integrationErrorMessage='Lambda body contains the wrong type for field "body"'), 500,
                 "http-malformed-result", "", id="sec5.6-REC-ish-body-type"),
    pytest.param(access_json(status=503, integrationLatency=30012), 503, "http-integration-timeout", "",
                 id="sec10.1-REC-503-at-30-s-is-the-timeout"),
    pytest.param(access_json(status=503, integrationLatency=12), 503, "http-lambda-throttled", "",
                 id="sec6-REC-quick-503-is-throttling"),
    pytest.param(clf(503, length=33), 503, "http-integration-timeout", "or: Lambda throttled",
                 id="sec6-REC-503-without-latency-names-both"),
    pytest.param(clf(404, route="-", length=23), 404, "http-not-found", "", id="sec2.4-DOC-no-route"),
    pytest.param(clf(401, length=26), 401, "http-unauthorized", "", id="sec9-REC-401"),
    pytest.param(clf(403, "The request for the IAM Authorizer doesn't match the format that API Gateway expects."), 403,
                 "http-iam-unsigned", "", id="sec9-REC-ish-iam-unsigned"),
    pytest.param(clf(429, length=31), 429, "http-route-throttled", "", id="sec10.3-DOC-429"),
    pytest.param(clf(500), 500, "http-malformed-result", "or: the Lambda authorizer",
                 id="sec5.6-REC-CURL-HTTP-2025-500-without-message"),
]


@pytest.mark.parametrize(("line", "status", "cause", "said"), CASES)
def test_an_http_api_access_line_names_its_cause(line: str, status: int, cause: str, said: str) -> None:
    explanation = explain_text(line + "\n")
    (verdict,) = explanation.verdicts
    assert verdict.failed and verdict.status == status
    first = verdict.findings[0]
    assert first.cause.id == cause, [f.cause.id for f in verdict.findings]
    assert said in first.summary + " ".join(first.details)
    assert verdict.story.key in line


def test_a_successful_line_is_not_a_failure() -> None:
    explanation = explain_text(clf(200, length=12) + "\n" + access_json(status=200) + "\n")
    assert [v.failed for v in explanation.verdicts] == [False, False] and explanation.failed == []


def test_rest_clf_lines_are_still_rest() -> None:
    rest = ('203.0.113.9 - - [12/Oct/2021:10:00:00 +0000]"GET /items HTTP/1.1" 403 42 '
            "11111111-2222-4333-8444-555555555555 abcdEF1234567890=")
    (verdict,) = explain_text(rest + "\n").verdicts
    assert verdict.findings[0].cause.id == "missing-authentication-token"
    assert not verdict.story.http_api
