"""The error catalogue (fact sheet §3, §5.1, §10.2, §10.10): exact bytes on the wire, the execution-log lines that
the terminal shows, and a server that keeps serving afterwards."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from harness import Reply, RunningGateway

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
INTERNAL_ERROR = b'{"message": "Internal server error"}'          # §2.2 [REC]: one space, 36 bytes
TIMED_OUT = b'{"message": "Endpoint request timed out"}'          # §3 [REC]: 41 bytes
MISSING_TOKEN = b'{"message":"Missing Authentication Token"}'       # §3 [REC]: no space, 42 bytes
TOO_LARGE = b"HTTP content length exceeded 10485760 bytes."         # §10.2a [REC]: plain text, 44 bytes
ISE = "InternalServerErrorException"


@dataclass(frozen=True)
class Failure:
    status: int
    body: bytes
    error_type: str
    # regular expressions, each matching one execution-log line in full, in this order; the last line is always
    # `Method completed with status: <status>` (§4.1 [REC])
    log: list[str] = field(default_factory=list)
    # for a customer function error: the errorType the runtime reported (seen in "Endpoint response body ...")
    function_error_type: str | None = None


def function_error(message: str, error_type: str, *, message_is_regex: bool = False) -> Failure:
    """§3 row 1 [REC]: 502 and `Lambda execution failed with status 200 due to customer function error:
    <errorMessage>. Lambda request id: <id>`."""
    text = message if message_is_regex else re.escape(message)
    return Failure(502, INTERNAL_ERROR, ISE, [
        rf"Lambda execution failed with status 200 due to customer function error: {text}\. "
        rf"Lambda request id: (?P<lambda_id>{UUID})"], function_error_type=error_type)


def runtime_exit(reason: str) -> Failure:
    """§5.1 [REC]: `RequestId: <id> Error: <reason>`, the id being the invocation's."""
    return function_error(rf"RequestId: (?P<invocation_id>{UUID}) Error: {re.escape(reason)}", "Runtime.ExitError",
                          message_is_regex=True)


MALFORMED = Failure(502, INTERNAL_ERROR, ISE,
                    ["Execution failed due to configuration error: Malformed Lambda proxy response"])


def case(id: str, target: str, expected: Failure, method: str = "GET", body: str | None = None,
         marks: tuple[pytest.MarkDecorator, ...] = ()) -> object:
    return pytest.param(method, target, body, expected, id=id, marks=marks)


INTEGRATION_FAILURES = [
    case("sec3-REC-function-raised", "/raise", function_error("the handler failed on purpose", "ValueError")),
    case("sec5.1-REC-init-error-in-module-code", "/init-fails",
         function_error("configuration missing at import time", "RuntimeError")),
    case("sec5.1-IMPL-ImportModuleError-not-vendored-yaml", "/needs-yaml",
         function_error("Unable to import module 'needs_yaml': No module named 'yaml'", "Runtime.ImportModuleError")),
    case("sec5.1-IMPL-ImportModuleError-missing-module", "/missing-module",
         function_error("Unable to import module 'nowhere': No module named 'nowhere'", "Runtime.ImportModuleError")),
    case("sec5.1-IMPL-HandlerNotFound", "/missing-handler",
         function_error("Handler 'handle' missing on module 'echo'", "Runtime.HandlerNotFound")),
    # the SyntaxError text itself is the local interpreter's
    case("sec5.1-IMPL-UserCodeSyntaxError", "/syntax-error",
         function_error(r"Syntax error in module 'syntax_error': [^\n]+", "Runtime.UserCodeSyntaxError",
                        message_is_regex=True)),
    case("sec5.1-DOC-MarshalError", "/unmarshallable",
         function_error("Unable to marshal response: Object of type set is not JSON serializable",
                        "Runtime.MarshalError")),
    # §10.10a [REC] error text. The log line's text is [INFERRED] in §10.10a and shows a single period; the [REC]
    # rule of §3 (`<errorMessage>. Lambda request id`) applied to this message, which ends in a period, gives two.
    # lambdagate applies the §3 rule; unverified.
    case("sec10.10a-REC-ResponseSizeTooLarge", "/big",
         function_error("Response payload size exceeded maximum allowed payload size (6291556 bytes).",
                        "Function.ResponseSizeTooLarge")),
    case("sec5.1-REC-ExitError-no-reason", "/exit?how=zero", runtime_exit("Runtime exited without providing a reason")),
    case("sec5.1-REC-ExitError-sys-exit-status", "/exit?how=sys",
         runtime_exit("Runtime exited with error: exit status 3")),
    case("sec5.1-REC-ExitError-exit-status", "/exit?how=other",
         runtime_exit("Runtime exited with error: exit status 7")),
    # the wording for a signal is Go's os.ProcessState text (lambdagate's choice); unverified against AWS
    case("sec5.1-UNVERIFIED-ExitError-killed", "/exit?how=kill",
         runtime_exit("Runtime exited with error: signal: killed")),
    case("sec5.1-REC-Sandbox.Timedout", "/sleep?seconds=3",
         function_error(rf"RequestId: (?P<invocation_id>{UUID}) Error: Task timed out after 1\.00 seconds",
                        "Sandbox.Timedout", message_is_regex=True), marks=(pytest.mark.slow,)),
    case("sec3-REC-malformed-proxy-response", "/respond", MALFORMED, method="POST", body='"Bad response"'),
    case("sec3-REC-10.10c-invalid-permissions", "/defined/unpermitted", Failure(500, INTERNAL_ERROR, ISE, [
        "Execution failed due to configuration error: Invalid permissions on Lambda function"])),
    case("sec3-REC-rate-exceeded", "/throttled", Failure(500, INTERNAL_ERROR, ISE, [
        rf"Lambda invocation failed with status: 429\. Lambda request id: {UUID}",
        r"Execution failed due to configuration error: Rate Exceeded\."])),
    case("sec10.10b-REC-function-not-found", "/defined/ghost", Failure(502, INTERNAL_ERROR, ISE, [
        r"Execution failed due to configuration error: Function not found: "
        r"arn:aws:lambda:us-east-1:123456789012:function:ghost"])),
    case("sec3-REC-integration-timeout", "/defined/slow",
         Failure(504, TIMED_OUT, ISE, ["Execution failed due to a timeout error"]), marks=(pytest.mark.slow,)),
    # status and body [REC]; the log line is [UNCERTAIN], so only the closing line is checked
    case("sec3-REC-integration-httpMethod-not-POST", "/defined/get-integration", Failure(500, INTERNAL_ERROR, ISE)),
    # §10.4b [REC]: a mapping onto one of these request headers fails every call, even for AWS_PROXY
    case("sec10.4b-REC-mapped-Content-Length-fails", "/defined/mapped-content-length",
         Failure(500, INTERNAL_ERROR, ISE)),
    case("sec10.4b-REC-mapped-Authorization-fails", "/defined/mapped-authorization", Failure(500, INTERNAL_ERROR, ISE)),
]


def assert_common_error_headers(reply: Reply, expected: Failure) -> str:
    """§3 [REC]: Content-Type, Content-Length, x-amzn-RequestId, x-amz-apigw-id, x-amzn-ErrorType on every error,
    in the HTTP/1.1 casings of §2.2; X-Amzn-Trace-Id on 5xx (CURL-2025)."""
    assert reply.status == expected.status, reply.body
    assert reply.body == expected.body
    assert reply.all("Content-Length") == [str(len(expected.body))]
    assert reply.all("Content-Type") == ["application/json"]
    assert ("x-amzn-ErrorType", expected.error_type) in reply.headers
    assert len(reply.all("x-amzn-ErrorType")) == 1
    request_id = dict(reply.headers).get("x-amzn-RequestId")
    assert request_id and UUID4.match(request_id), reply.headers
    apigw_id = dict(reply.headers).get("x-amz-apigw-id")
    assert apigw_id and re.fullmatch(r"[A-Za-z0-9_-]{15}=", apigw_id), reply.headers
    if expected.status >= 500:
        assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}", dict(reply.headers).get("X-Amzn-Trace-Id", "")), \
            reply.headers
    return request_id


def assert_log(gateway: RunningGateway, request_id: str, expected: Failure) -> list[re.Match[str]]:
    """The expected lines appear in order among the request's lines, and the last line closes the method."""
    lines = gateway.log_lines(request_id)
    assert lines, gateway.console[-3000:]
    assert lines[-1] == f"Method completed with status: {expected.status}"
    matches = []
    position = 0
    for pattern in expected.log:
        for i in range(position, len(lines)):
            m = re.fullmatch(pattern, lines[i])
            if m:
                matches.append(m)
                position = i + 1
                break
        else:
            pytest.fail(f"no line matching {pattern!r} after line {position} in:\n" + "\n".join(lines))
    if expected.log:
        # nothing between the error line(s) and `Method completed` (§4.1 error tails)
        assert position == len(lines) - 1, lines
    return matches


def assert_still_serving(gateway: RunningGateway) -> None:
    reply = gateway.request("GET", "/hardcoded")
    assert reply.status == 200


@pytest.mark.parametrize("method, target, body, expected", INTEGRATION_FAILURES)
def test_integration_failure(gateway: RunningGateway, method: str, target: str, body: str | None,
                             expected: Failure) -> None:
    reply = gateway.request(method, target, headers=[("Content-Type", "application/json")] if body else [],
                            body=body)
    request_id = assert_common_error_headers(reply, expected)
    matches = assert_log(gateway, request_id, expected)
    if expected.function_error_type is not None:
        m = matches[0]
        lambda_id = m.group("lambda_id")
        assert lambda_id != request_id  # Lambda's request id, not API Gateway's
        if "invocation_id" in m.groupdict():
            assert m.group("invocation_id") == lambda_id
        # the function's error payload, as the terminal shows it (§4.1 "Endpoint response body before
        # transformations" [REC]), carries the runtime's errorType (§5.1)
        lines = gateway.log_lines(request_id)
        bodies = [line for line in lines if line.startswith("Endpoint response body before transformations: ")]
        assert bodies and f'"errorType": "{expected.function_error_type}"' in bodies[-1], lines
        assert f"START RequestId: {lambda_id} Version: $LATEST" in gateway.console
    assert_still_serving(gateway)


@pytest.mark.parametrize("target", ["/exit?how=zero", "/init-fails", "/needs-yaml"],
                         ids=["sec5.1-exit-again", "sec5.1-init-error-again", "sec5.1-import-error-again"])
def test_failure_repeats_with_a_new_environment(gateway: RunningGateway, target: str) -> None:
    """A lost environment costs that one invocation; the next request fails the same way, not worse."""
    for _ in range(2):
        reply = gateway.request("GET", target)
        assert reply.status == 502
        assert reply.body == INTERNAL_ERROR
    assert_still_serving(gateway)


@pytest.mark.slow
def test_function_recovers_after_timeout(gateway: RunningGateway) -> None:
    """§5.1: after Sandbox.Timedout the next invocation gets a fresh environment and succeeds."""
    first = gateway.request("GET", "/sleep?seconds=3")
    assert first.status == 502
    second = gateway.request("GET", "/sleep?seconds=0")
    assert second.status == 200
    assert second.body == b"slept"


# --------------------------------------------------------------------------------------------------------------
# 403 Missing Authentication Token: no resource, or no method for the verb (§3 [REC])
# --------------------------------------------------------------------------------------------------------------
MISSING = Failure(403, MISSING_TOKEN, "MissingAuthenticationTokenException")


# StrictApi (stage strict) has no greedy resource at its root, which would answer these (§10.12).
@pytest.mark.parametrize("method, target", [
    pytest.param("POST", "/", id="sec3-REC-no-method-on-root"),
    pytest.param("POST", "/strict/", id="sec3-REC-no-method-on-root-stage-form"),
    pytest.param("GET", "/strict/items/", id="sec3-REC-no-resource-items-slash"),
    pytest.param("GET", "/strict/items", id="sec3-REC-resource-without-methods"),
    pytest.param("GET", "/strict/files/", id="sec3-REC-greedy-needs-a-segment"),
    pytest.param("GET", "/strict/post-only", id="sec3-REC-wrong-method-GET"),
    pytest.param("POST", "/strict/hardcoded", id="sec3-REC-wrong-method-POST"),
    pytest.param("DELETE", "/strict/items/5", id="sec3-REC-wrong-method-DELETE"),
])
def test_missing_authentication_token(gateway: RunningGateway, method: str, target: str) -> None:
    reply = gateway.request(method, target)
    request_id = assert_common_error_headers(reply, MISSING)
    assert len(reply.body) == 42
    # §3 [REC]: no execution log, the request never reaches a method
    assert gateway.log_lines(request_id) == []
    assert_still_serving(gateway)


def test_missing_authentication_token_for_head(gateway: RunningGateway) -> None:
    """HEAD on a resource without a HEAD (or ANY) method: 403 like any other verb (§3 [REC]); no body on HEAD."""
    reply = gateway.request("HEAD", "/strict/hardcoded")
    assert reply.status == 403
    assert reply.body == b""
    assert ("x-amzn-ErrorType", "MissingAuthenticationTokenException") in reply.headers
    assert reply.all("Content-Length") == ["42"]
    assert_still_serving(gateway)


# --------------------------------------------------------------------------------------------------------------
# 413 (§10.2a [REC]): plain text, not a gateway response
# --------------------------------------------------------------------------------------------------------------
def test_request_body_over_10_mb_declared(gateway: RunningGateway) -> None:
    """A Content-Length over 10485760 is refused before the body is read: the test sends only the head, so the
    answer arrives on a quiet connection."""
    reply = gateway.raw(b"POST /respond HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 10485761\r\n\r\n")
    assert reply.status == 413
    assert reply.body == TOO_LARGE and len(reply.body) == 44
    assert reply.all("Content-Length") == ["44"]
    # exact Content-Type is [UNCERTAIN] (§10.2a): a text/... type
    assert (reply.header("Content-Type") or "").startswith("text/")
    # whether x-amzn-ErrorType / x-amzn-RequestId are present is [UNCERTAIN] (§10.2a): not checked
    assert_still_serving(gateway)


def test_request_body_over_10_mb_sent(gateway: RunningGateway) -> None:
    """The body sent with chunked encoding (no declared length): 413 as soon as byte 10485761 arrives. The stream
    stops right after that byte, so the server has read everything the client sent when it answers and closes."""
    chunk = b"x" * (1 << 20)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(10)) + b"1\r\ny"
    reply = gateway.raw(b"POST /hardcoded HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks,
                        timeout=20)
    assert reply.status == 413
    assert reply.body == TOO_LARGE
    assert_still_serving(gateway)


def test_request_body_of_exactly_10_mb_is_accepted(gateway: RunningGateway) -> None:
    """10485760 bytes is within the limit: the request goes on to routing (POST /strict/hardcoded: 403)."""
    reply = gateway.request("POST", "/strict/hardcoded", body=b"x" * 10485760)
    assert reply.status == 403
    assert reply.body == MISSING_TOKEN
