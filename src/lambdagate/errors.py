"""Every answer API Gateway gives instead of the function's own, in one place.

    LambdagateError                 problems of lambdagate's own input (template, flags): exit codes, never HTTP
    +-- DefinitionError             a template or definition that cannot be served (file, line, field)
    GatewayError                    an answer of API Gateway's: status, body bytes, x-amzn-ErrorType,
    |                               gateway response type and the execution-log lines AWS writes for it
    +-- MissingAuthenticationToken  403, no resource or no method for the request
    +-- RequestTooLarge             413, plain text, not a gateway response
    +-- IntegrationError            the Lambda integration failed: 500/502/504 (see the fact sheet §3, §10.10)

The gateway turns a GatewayError into HTTP in exactly one place (`gateway.Gateway.handle`); the CLI turns a
LambdagateError into an exit code in exactly one place (`cli.main`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# fact sheet §2.2: 5xx bodies carry one space after the colon (36 bytes); §3: the 403 body has none.
INTERNAL_SERVER_ERROR_BODY = b'{"message": "Internal server error"}'
ENDPOINT_TIMED_OUT_BODY = b'{"message": "Endpoint request timed out"}'
MISSING_TOKEN_BODY = b'{"message":"Missing Authentication Token"}'
# fact sheet §10.2a: the > 10 MB answer is plain text and no gateway response.
REQUEST_TOO_LARGE_BODY = b"HTTP content length exceeded 10485760 bytes."

INTERNAL_SERVER_ERROR_TYPE = "InternalServerErrorException"


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


def customer_function_error(error_message: str, lambda_request_id: str) -> GatewayError:
    """Fact sheet §3 row 1: the function raised, timed out, failed to init or answered too much."""
    return GatewayError(
        502, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "INTEGRATION_FAILURE",
        [f"Lambda execution failed with status 200 due to customer function error: {error_message}. "
         f"Lambda request id: {lambda_request_id}"],
        integration_error=f"Lambda Customer Function Error:{error_message}",
    )


def malformed_proxy_response(reason: str) -> GatewayError:
    """Fact sheet §2: the function's result is not a valid proxy result."""
    line = "Execution failed due to configuration error: Malformed Lambda proxy response"
    return GatewayError(502, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "INTEGRATION_FAILURE",
                        [line], integration_error=line, hint=reason)


def invalid_permissions(hint: str) -> GatewayError:
    """Fact sheet §3 and §10.10c: no resource policy lets this API invoke the function: 500."""
    line = "Execution failed due to configuration error: Invalid permissions on Lambda function"
    return GatewayError(500, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "API_CONFIGURATION_ERROR",
                        [line], integration_error=line, hint=hint)


def rate_exceeded(lambda_request_id: str, hint: str) -> GatewayError:
    """Fact sheet §3: Lambda answered 429 (reserved concurrency exhausted): 500."""
    line = "Execution failed due to configuration error: Rate Exceeded."
    return GatewayError(500, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "INTEGRATION_FAILURE",
                        [f"Lambda invocation failed with status: 429. Lambda request id: {lambda_request_id}",
                         line], integration_error=line, hint=hint)


def function_not_found(function_arn: str, hint: str) -> GatewayError:
    """Fact sheet §10.10b: the integration names a function Lambda does not have: 502."""
    line = f"Execution failed due to configuration error: Function not found: {function_arn}"
    return GatewayError(502, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "INTEGRATION_FAILURE",
                        [line], integration_error=line, hint=hint)


def integration_timeout() -> GatewayError:
    """Fact sheet §3: the integration timeout (29 s by default) passed before Lambda answered: 504."""
    line = "Execution failed due to a timeout error"
    return GatewayError(504, ENDPOINT_TIMED_OUT_BODY, INTERNAL_SERVER_ERROR_TYPE, "INTEGRATION_TIMEOUT",
                        [line], integration_error=line)


def configuration_error(hint: str, log_line: str | None = None) -> GatewayError:
    """A 500 API_CONFIGURATION_ERROR whose AWS log text is not recorded (e.g. invalid base64, §10.2c)."""
    return GatewayError(500, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "API_CONFIGURATION_ERROR",
                        [log_line] if log_line else [], hint=hint)
