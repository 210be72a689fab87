"""Every answer API Gateway gives instead of the function's own, in one place.

    LambdagateError     problems of lambdagate's own input (template, flags): exit codes, never HTTP
    +-- DefinitionError a template or definition that cannot be served (file, line, field)
    GatewayError        an answer of API Gateway's: status, body bytes, x-amzn-ErrorType, gateway response type
                        and the execution-log lines AWS writes for it. One factory function per case below:
                        missing_authentication_token (403), request_too_large (413), invocation_too_large (413),
                        unsupported_media_type (415), customer_function_error,
                        malformed_proxy_response, function_not_found (502), invalid_permissions, rate_exceeded,
                        configuration_error (500), integration_timeout (504); and lambdagate's own limitation (501).

The gateway turns a GatewayError into HTTP in exactly one place (`gateway.ApiGateway.handle`); the CLI turns a
LambdagateError into an exit code in exactly one place (`cli.main`).
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, field

# fact sheet §2.2: 5xx bodies carry one space after the colon (36 bytes); §3: the 403 body has none.
INTERNAL_SERVER_ERROR_BODY = b'{"message": "Internal server error"}'
ENDPOINT_TIMED_OUT_BODY = b'{"message": "Endpoint request timed out"}'
MISSING_TOKEN_BODY = b'{"message":"Missing Authentication Token"}'
# fact sheet §10.2a: the > 10 MB answer is plain text and no gateway response.
REQUEST_TOO_LARGE_BODY = b"HTTP content length exceeded 10485760 bytes."
# fact sheet §10.10d: an event over Lambda's 6 MB synchronous invocation payload (31 bytes, a space after the colon).
REQUEST_TOO_LONG_BODY = b'{"message": "Request Too Long"}'
# fact sheet §10.2e: a Content-Encoding API Gateway cannot decode (the default UNSUPPORTED_MEDIA_TYPE template).
UNSUPPORTED_MEDIA_TYPE_BODY = b'{"message":"Unsupported Media Type"}'

INTERNAL_SERVER_ERROR_TYPE = "InternalServerErrorException"

# -- the messages: what `serve` writes and `explain` reads, one spelling each -----------------------------------
# API Gateway's execution-log lines for a failed Lambda proxy call (fact sheet §3, §4.1, §10.10; [REC]).
CUSTOMER_FUNCTION_ERROR_LINE = ("Lambda execution failed with status 200 due to customer function error: "
                                "{error_message}. Lambda request id: {lambda_request_id}")
CONFIGURATION_ERROR_PREFIX = "Execution failed due to configuration error: "
MALFORMED_PROXY_RESPONSE_LINE = CONFIGURATION_ERROR_PREFIX + "Malformed Lambda proxy response"
INVALID_PERMISSIONS_LINE = CONFIGURATION_ERROR_PREFIX + "Invalid permissions on Lambda function"
LAMBDA_THROTTLED_LINE = "Lambda invocation failed with status: 429. Lambda request id: {lambda_request_id}"
# §10.10d [INFERRED from the 429 line]: Lambda refused the call (413 RequestEntityTooLargeException).
LAMBDA_TOO_LARGE_LINE = "Lambda invocation failed with status: 413. Lambda request id: {lambda_request_id}"
RATE_EXCEEDED_LINE = CONFIGURATION_ERROR_PREFIX + "Rate Exceeded."
FUNCTION_NOT_FOUND_LINE = CONFIGURATION_ERROR_PREFIX + "Function not found: {function_arn}"
INTEGRATION_TIMEOUT_LINE = "Execution failed due to a timeout error"
METHOD_COMPLETED_LINE = "Method completed with status: {status}"
# `$context.integration.error` of a function error in access logs, no space after the colon (§10.10a [REC]).
CUSTOMER_FUNCTION_ERROR_ACCESS_LOG = "Lambda Customer Function Error:{error_message}"
# Stage or usage-plan throttling (§3 [REC] CWLOG-2019).
KEY_THROTTLE_LINE = ("Key throttle limit exceeded for RestApi {api_id}, Stage {stage}, Resource {resource_id}, "
                     "HttpMethod {http_method}. Limit: {limit} Burst: {burst}")
# Lambda's own error messages for runtime-level failures (§5.1 [REC] LS-snap-lambdafn).
TASK_TIMED_OUT_MESSAGE = "RequestId: {request_id} Error: Task timed out after {seconds} seconds"
RUNTIME_EXITED_MESSAGE = "RequestId: {request_id} Error: Runtime exited {reason}"
RESPONSE_TOO_LARGE_MESSAGE = "Response payload size exceeded maximum allowed payload size ({limit} bytes)."
# awslambdaric's fault messages (§5.1 [IMPL] PYRIC bootstrap.py `_get_handler`, `to_json`).
IMPORT_MODULE_ERROR_MESSAGE = "Unable to import module '{module}': {detail}"
HANDLER_NOT_FOUND_MESSAGE = "Handler '{function}' missing on module '{module}'"
SYNTAX_ERROR_MESSAGE = "Syntax error in module '{module}': {detail}"
MALFORMED_HANDLER_MESSAGE = "Bad handler '{handler}': {detail}"
MARSHAL_ERROR_MESSAGE = "Unable to marshal response: {detail}"
# An unreadable file as Python and Node.js report it (§10.9; LDG troubleshooting-deployment.md).
PYTHON_PERMISSION_DENIED_MESSAGE = "[Errno 13] Permission denied: '{path}'"
NODE_PERMISSION_DENIED_MESSAGE = "EACCES: permission denied, open '{path}'"


def message_pattern(template: str, **groups: str) -> re.Pattern[str]:
    """A regular expression for a message template: the literal text exactly, each `{field}` as the named group
    given (default: any text), so that the reader of a log and its writer share one spelling."""
    parts = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name:
            parts.append(f"(?P<{name}>{groups.get(name, '.*?')})")
    return re.compile("".join(parts))


class LambdagateError(Exception):
    """An error in what the user gave lambdagate; becomes a message and an exit code in the CLI."""

    exit_code = 2


class DefinitionError(LambdagateError):
    """A template that cannot be served. The message names the file, the line and the field."""

    def __init__(self, file: str, line: int | None, where: str, message: str) -> None:
        self.file = file
        self.line = line
        self.where = where
        self.message = message
        location = f"{file}:{line}" if line else file
        super().__init__(f"{location}: {where}: {message}" if where else f"{location}: {message}")


@dataclass
class GatewayError(Exception):
    """An answer that API Gateway writes itself."""

    status: int
    body: bytes
    error_type: str | None
    response_type: str
    log_lines: list[str] = field(default_factory=list)
    content_type: str = "application/json"
    # what `$context.error.message` / `$context.integration.error` would hold (access logs, issue 4)
    integration_error: str = ""
    # a lambdagate remark for the terminal, never part of the answer or of AWS's log lines
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.status} {self.response_type}"


def missing_authentication_token() -> GatewayError:
    """Fact sheet §3: no resource matches, or the resource has no method for the verb (no 405 in REST)."""
    return GatewayError(403, MISSING_TOKEN_BODY, "MissingAuthenticationTokenException",
                        "MISSING_AUTHENTICATION_TOKEN")


def request_too_large() -> GatewayError:
    """Fact sheet §10.2a: 413 plain text, the Lambda is not called, no method log lines."""
    return GatewayError(413, REQUEST_TOO_LARGE_BODY, None, "REQUEST_TOO_LARGE",
                        content_type="text/plain")


def invocation_too_large(lambda_request_id: str, size: int, limit: int) -> GatewayError:
    """Fact sheet §10.10d: the event is larger than Lambda's synchronous invocation payload (Lambda answers 413
    RequestEntityTooLargeException, "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
    API Gateway answers 413 `{"message": "Request Too Long"}`, BadRequestException. The function never runs."""
    line = LAMBDA_TOO_LARGE_LINE.format(lambda_request_id=lambda_request_id)
    return GatewayError(413, REQUEST_TOO_LONG_BODY, "BadRequestException", "REQUEST_TOO_LARGE", [line],
                        integration_error=line,
                        hint=f"the event is {size} bytes, over Lambda's {limit}-byte limit for a synchronous "
                             "invocation (a body this large needs an upload to S3 instead)")


def unsupported_media_type(encoding: str) -> GatewayError:
    """Fact sheet §10.2e: a request body in a Content-Encoding API Gateway does not support (gzip, deflate and
    identity are), or not in the encoding it claims: 415 UNSUPPORTED_MEDIA_TYPE, before any method is reached."""
    return GatewayError(415, UNSUPPORTED_MEDIA_TYPE_BODY, "BadRequestException", "UNSUPPORTED_MEDIA_TYPE",
                        hint=f"the body could not be decoded as Content-Encoding: {encoding} (API Gateway decodes "
                             "gzip, deflate and identity)")


def customer_function_error(error_message: str, lambda_request_id: str) -> GatewayError:
    """Fact sheet §3 row 1: the function raised, timed out, failed to init or answered too much."""
    return GatewayError(
        502, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "INTEGRATION_FAILURE",
        [CUSTOMER_FUNCTION_ERROR_LINE.format(error_message=error_message, lambda_request_id=lambda_request_id)],
        integration_error=CUSTOMER_FUNCTION_ERROR_ACCESS_LOG.format(error_message=error_message),
    )


def malformed_proxy_response(reason: str) -> GatewayError:
    """Fact sheet §2: the function's result is not a valid proxy result."""
    line = MALFORMED_PROXY_RESPONSE_LINE
    return GatewayError(502, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "INTEGRATION_FAILURE",
                        [line], integration_error=line, hint=reason)


def invalid_permissions(hint: str) -> GatewayError:
    """Fact sheet §3 and §10.10c: no resource policy lets this API invoke the function: 500."""
    line = INVALID_PERMISSIONS_LINE
    return GatewayError(500, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "API_CONFIGURATION_ERROR",
                        [line], integration_error=line, hint=hint)


def rate_exceeded(lambda_request_id: str, hint: str) -> GatewayError:
    """Fact sheet §3: Lambda answered 429 (reserved concurrency exhausted): 500."""
    line = RATE_EXCEEDED_LINE
    return GatewayError(500, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "INTEGRATION_FAILURE",
                        [LAMBDA_THROTTLED_LINE.format(lambda_request_id=lambda_request_id), line],
                        integration_error=line, hint=hint)


def function_not_found(function_arn: str, hint: str) -> GatewayError:
    """Fact sheet §10.10b: the integration names a function Lambda does not have: 502."""
    line = FUNCTION_NOT_FOUND_LINE.format(function_arn=function_arn)
    return GatewayError(502, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "INTEGRATION_FAILURE",
                        [line], integration_error=line, hint=hint)


def integration_timeout() -> GatewayError:
    """Fact sheet §3: the integration timeout (29 s by default) passed before Lambda answered: 504."""
    line = INTEGRATION_TIMEOUT_LINE
    return GatewayError(504, ENDPOINT_TIMED_OUT_BODY, INTERNAL_SERVER_ERROR_TYPE, "INTEGRATION_TIMEOUT",
                        [line], integration_error=line)


def configuration_error(hint: str, log_line: str | None = None) -> GatewayError:
    """A 500 API_CONFIGURATION_ERROR whose AWS log text is not recorded (e.g. invalid base64, §10.2c)."""
    return GatewayError(500, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "API_CONFIGURATION_ERROR",
                        [log_line] if log_line else [], hint=hint)


LIMITATION = "LAMBDAGATE_LIMITATION"


def limitation(what: str) -> GatewayError:
    """Not an AWS answer: something lambdagate does not emulate, named, instead of a silent mis-answer."""
    body = json.dumps({"message": f"lambdagate does not emulate this: {what}"}).encode()
    return GatewayError(501, body, None, LIMITATION, hint=what)


def function_unavailable(hint: str) -> GatewayError:
    """The function is in the template but lambdagate cannot run its runtime here (reported at start-up)."""
    return GatewayError(502, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "INTEGRATION_FAILURE", hint=hint)


def unexpected(what: str) -> GatewayError:
    """Something lambdagate did not foresee went wrong: this request gets API Gateway's 500, the server goes on."""
    return GatewayError(500, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "API_CONFIGURATION_ERROR",
                        hint=f"lambdagate could not handle this request: {what}")
