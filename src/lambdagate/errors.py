"""Every answer API Gateway gives instead of the function's own, in one place.

    LambdagateError     problems of lambdagate's own input (template, flags): exit codes, never HTTP
    +-- DefinitionError a template or definition that cannot be served (file, line, field)
    GatewayError        an answer of API Gateway's: status, body bytes, x-amzn-ErrorType, gateway response type
                        and the execution-log lines AWS writes for it. One factory function per case below:
                        missing_authentication_token (403), request_too_large (413), invocation_too_large (413),
                        unsupported_media_type (415), customer_function_error,
                        malformed_proxy_response, function_not_found (502), invalid_permissions, rate_exceeded,
                        configuration_error (500), integration_timeout (504); and lambdagate's own limitation (501).
                        Who may call (aws-auth.md §0.2): unauthorized, token_expired (401), explicit_deny,
                        implicit_deny, forbidden, missing_authentication_token, invalid_signature, signature_expired,
                        unrecognized_client, incomplete_signature (403), authorizer_configuration_error (500),
                        too_many_requests, limit_exceeded (429), missing_request_parameters, invalid_request_body
                        (400).

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
# A request or response that a non-proxy integration could not convert: a binary body (the method request logged as
# `[Binary Data]`) meeting a mapping template without contentHandling (fact sheet §10.13 [REC-ish]).
UNABLE_TO_TRANSFORM_REQUEST_LINE = CONFIGURATION_ERROR_PREFIX + "Unable to transform request"
UNABLE_TO_TRANSFORM_RESPONSE_LINE = CONFIGURATION_ERROR_PREFIX + "Unable to transform response"
METHOD_COMPLETED_LINE = "Method completed with status: {status}"
# `$context.integration.error` of a function error in access logs, no space after the colon (§10.10a [REC]).
CUSTOMER_FUNCTION_ERROR_ACCESS_LOG = "Lambda Customer Function Error:{error_message}"
# Stage or usage-plan throttling (§3 [REC] CWLOG-2019).
KEY_THROTTLE_LINE = ("Key throttle limit exceeded for RestApi {api_id}, Stage {stage}, Resource {resource_id}, "
                     "HttpMethod {http_method}. Limit: {limit} Burst: {burst}")
# -- who may call (aws-auth.md): the execution-log lines of the authorizer, API key and validator steps ----------
# §1.11 [REC] LOG-2017, LOG-2023, LOG-2026, CHALICE, EXPANSE, MIDDY. Masked values: one `*` per hidden character and
# the last 6 shown (`mask` in auth/masking.py).
AUTHORIZER_STARTING_LINE = "Starting authorizer: {authorizer_id} for request: {request_id}"
AUTHORIZER_INCOMING_IDENTITY_LINE = "Incoming identity: {identity}"
AUTHORIZER_UNAUTHORIZED_LINE = "Unauthorized request: {request_id}"
AUTHORIZER_ENDPOINT_URI_LINE = ("Endpoint request URI: https://lambda.{region}.amazonaws.com/2015-03-31/functions/"
                                "{function_arn}/invocations")
AUTHORIZER_ENDPOINT_HEADERS_LINE = ("Endpoint request headers: {{x-amzn-lambda-integration-tag={request_id}, "
                                    "Authorization={authorization}, X-Amz-Date={amz_date}, "
                                    "x-amzn-apigateway-api-id={api_id}, X-Amz-Source-Arn={source_arn}, "
                                    "Accept=application/json, User-Agent=AmazonAPIGateway_{api_id}, "
                                    "X-Amz-Security-Token={security_token}}}")
AUTHORIZER_REQUEST_BODY_LINE = "Endpoint request body after transformations: {body}"
AUTHORIZER_SENDING_LINE = ("Sending request to https://lambda.{region}.amazonaws.com/2015-03-31/functions/"
                           "{function_arn}/invocations")
AUTHORIZER_RESULT_LINE = "Authorizer result body before parsing: {body}"
AUTHORIZER_POLICY_LINE = "Using valid authorizer policy for principal: {principal}"
AUTHORIZER_COMPLETED_LINE = "Successfully completed authorizer execution"
AUTHORIZER_NOT_AUTHORIZED_LINE = "The client is not authorized to perform this operation."
AUTHORIZER_CONFIGURATION_EXCEPTION_LINE = "AuthorizerConfigurationException"
# the details after CONFIGURATION_ERROR_PREFIX: LOG-2023 (unknown field, role), EXPANSE (null result); the JSON
# syntax-error detail is [UNCERTAIN] (Jackson's message text is not recorded)
AUTHORIZER_UNRECOGNIZED_FIELD = 'Invalid JSON in response: Unrecognized field "{field}" , not marked as ignorable'
AUTHORIZER_INVALID_JSON = "Invalid JSON in response: {detail}"
AUTHORIZER_UNPARSEABLE_POLICY = "Could not parse policy"
AUTHORIZER_ERROR = "Authorizer error"
AUTHORIZER_ASSUME_ROLE = "API Gateway does not have permission to assume the provided role {role}"
GATEWAY_RESPONSE_TYPE_LINE = "Gateway response type: {response_type} with status code: {status}"
# §4.3 [REC] LOG-2017: an empty key leaves two spaces (`API Key:  API Stage`, `API Key  authorized`).
USAGE_PLAN_VERIFYING_LINE = "Verifying Usage Plan for request: {request_id}. API Key: {key} API Stage: {api_id}/{stage}"
API_KEY_NOT_REQUIRED_LINE = ("API Key {key} authorized because method '{method}' does not require API Key. "
                             "Request will not contribute to throttle or quota limits")
USAGE_PLAN_SUCCEEDED_LINE = "Usage Plan check succeeded for API Key {key} and API Stage {api_id}/{stage}"
API_KEY_NO_USAGE_PLAN_LINE = ("API Key {key} not authorized because method '{method}' requires API Key and API Key "
                              "is not associated with a Usage Plan for API Stage {api_id}/{stage}: No Usage Plan "
                              "found for key and API Stage")
# §5 [REC] 2021 console capture: the body's failure; the parameters' line is [UNCERTAIN] and not written.
REQUEST_BODY_MISMATCH_LINE = "Request body does not match model schema for content type {content_type}: [{errors}]"
UNKNOWN_BODY_ERROR = "Unknown error parsing request body"
MISSING_PARAMETERS_MESSAGE = "Missing required request parameters: [{names}]"

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
    # `$context.error.validationErrorString` of a request validator's 400 (AGDG; aws-auth.md §5)
    validation_error: str = ""

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


def customer_function_error(error_message: str, lambda_request_id: str, hint: str = "") -> GatewayError:
    """Fact sheet §3 row 1: the function raised, timed out, failed to init or answered too much."""
    return GatewayError(
        502, INTERNAL_SERVER_ERROR_BODY, INTERNAL_SERVER_ERROR_TYPE, "INTEGRATION_FAILURE",
        [CUSTOMER_FUNCTION_ERROR_LINE.format(error_message=error_message, lambda_request_id=lambda_request_id)],
        integration_error=CUSTOMER_FUNCTION_ERROR_ACCESS_LOG.format(error_message=error_message), hint=hint,
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


# -- who may call (aws-auth.md §0.2): the default answers, byte for byte ----------------------------------------
UNAUTHORIZED_BODY = b'{"message":"Unauthorized"}'                       # 26 bytes [REC] LOIGE
# Lambda authorizer denies: a fixed shape with a capital M, not the gateway response template [REC] LOIGE, CHALICE
EXPLICIT_DENY_BODY = b'{"Message":"User is not authorized to access this resource with an explicit deny"}'
IMPLICIT_DENY_BODY = b'{"Message":"User is not authorized to access this resource"}'
AUTHORIZER_CONFIGURATION_ERROR_BODY = b'{"message":null}'                # 16 bytes, null unquoted [REC] LOIGE
FORBIDDEN_BODY = b'{"message":"Forbidden"}'
TOO_MANY_REQUESTS_BODY = b'{"message":"Too Many Requests"}'
LIMIT_EXCEEDED_BODY = b'{"message":"Limit Exceeded"}'
# §2 [UNCERTAIN]: reported in the wild for an expired Cognito token, not captured raw
TOKEN_EXPIRED_BODY = b'{"message":"The incoming token has expired"}'
# §0.2: the validator bodies come from the default template, so no space after the colon [UNCERTAIN: spacing]
INVALID_REQUEST_BODY_BODY = b'{"message":"Invalid request body"}'
# §3 [REC] 2020 execute-api capture; §3 [REC] public captures (2016 format, seen again 2026)
SIGNATURE_MISMATCH_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this "
    "request should have been\n'{canonical_request}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n")
SIGNATURE_EXPIRED_MESSAGE = "Signature expired: {request_date} is now earlier than {earliest} ({now} - 5 min.)"
SIGNATURE_NOT_YET_CURRENT_MESSAGE = ("Signature not yet current: {request_date} is still later than {latest} "
                                     "({now} + 5 min.)")
UNRECOGNIZED_CLIENT_MESSAGE = "The security token included in the request is invalid."
MISSING_EQUAL_SIGN_MESSAGE = ("{token} not a valid key=value pair (missing equal-sign) in Authorization header: "
                              "'{header}'")


def _message_body(message: str) -> bytes:
    """`{"message":$context.error.messageString}`, the default gateway response template (no space)."""
    return b'{"message":' + json.dumps(message).encode() + b"}"


def unauthorized(log_lines: list[str] | None = None, hint: str = "") -> GatewayError:
    """401 UNAUTHORIZED: no or an empty identity, a failed validation expression, an authorizer that failed with
    exactly `Unauthorized`, or a Cognito token that does not pass (aws-auth.md §0.2 [REC])."""
    return GatewayError(401, UNAUTHORIZED_BODY, "UnauthorizedException", "UNAUTHORIZED", log_lines or [],
                        hint=hint)


def token_expired(hint: str = "") -> GatewayError:
    """401 for an expired Cognito token (aws-auth.md §2 [UNCERTAIN] body)."""
    return GatewayError(401, TOKEN_EXPIRED_BODY, "UnauthorizedException", "UNAUTHORIZED", hint=hint)


def explicit_deny(log_lines: list[str] | None = None, hint: str = "") -> GatewayError:
    """403 ACCESS_DENIED: a statement of the authorizer's policy denies the methodArn (§0.2 [REC], 82 bytes)."""
    return GatewayError(403, EXPLICIT_DENY_BODY, "AccessDeniedException", "ACCESS_DENIED", log_lines or [],
                        hint=hint)


def implicit_deny(log_lines: list[str] | None = None, hint: str = "") -> GatewayError:
    """403 ACCESS_DENIED: no statement of the authorizer's policy allows the methodArn (§0.2 [REC], 60 bytes)."""
    return GatewayError(403, IMPLICIT_DENY_BODY, "AccessDeniedException", "ACCESS_DENIED", log_lines or [],
                        hint=hint)


def authorizer_configuration_error(log_lines: list[str] | None = None, hint: str = "") -> GatewayError:
    """500 AUTHORIZER_CONFIGURATION_ERROR `{"message":null}`: the authorizer failed, answered no policy, or could not
    be invoked (§1.10 [REC])."""
    return GatewayError(500, AUTHORIZER_CONFIGURATION_ERROR_BODY, "AuthorizerConfigurationException",
                        "AUTHORIZER_CONFIGURATION_ERROR", log_lines or [], hint=hint)


def forbidden(log_lines: list[str] | None = None, hint: str = "") -> GatewayError:
    """403 INVALID_API_KEY: the method requires an API key and none valid for this stage was given (§4.1 [REC])."""
    return GatewayError(403, FORBIDDEN_BODY, "ForbiddenException", "INVALID_API_KEY", log_lines or [], hint=hint)


def too_many_requests(log_lines: list[str] | None = None, hint: str = "") -> GatewayError:
    """429 THROTTLED: a usage plan's, a stage's or a method's throttle (§4.2)."""
    return GatewayError(429, TOO_MANY_REQUESTS_BODY, "TooManyRequestsException", "THROTTLED", log_lines or [],
                        hint=hint)


def limit_exceeded(log_lines: list[str] | None = None, hint: str = "") -> GatewayError:
    """429 QUOTA_EXCEEDED: the key's usage-plan quota for the period is used up (§4.2 [REC]; its own log line is
    [UNCERTAIN] and not written)."""
    return GatewayError(429, LIMIT_EXCEEDED_BODY, "LimitExceededException", "QUOTA_EXCEEDED", log_lines or [],
                        hint=hint)


def invalid_signature(message: str, hint: str = "") -> GatewayError:
    """403 INVALID_SIGNATURE: an AWS_IAM method's SigV4 signature does not match or is out of date (§3 [REC])."""
    return GatewayError(403, _message_body(message), "InvalidSignatureException", "INVALID_SIGNATURE", hint=hint)


def unrecognized_client(hint: str = "") -> GatewayError:
    """403 for an access key lambdagate has no secret for (§3 [REC-ish]); the response type is [UNCERTAIN]."""
    return GatewayError(403, _message_body(UNRECOGNIZED_CLIENT_MESSAGE), "UnrecognizedClientException",
                        "INVALID_SIGNATURE", hint=hint)


def incomplete_signature(message: str, response_type: str = "INVALID_SIGNATURE", hint: str = "") -> GatewayError:
    """403 for an Authorization header that is not a SigV4 one (§3 [REC] ERRMAP); on an unknown route it replaces
    Missing Authentication Token (response type MISSING_AUTHENTICATION_TOKEN there; elsewhere [UNCERTAIN])."""
    return GatewayError(403, _message_body(message), "IncompleteSignatureException", response_type, hint=hint)


def missing_request_parameters(names: list[str], hint: str = "") -> GatewayError:
    """400 BAD_REQUEST_PARAMETERS (§5 [REC] LS-snap-common): all missing names in one message."""
    message = MISSING_PARAMETERS_MESSAGE.format(names=", ".join(names))
    return GatewayError(400, _message_body(message), "BadRequestException", "BAD_REQUEST_PARAMETERS",
                        hint=hint, validation_error=message)


def invalid_request_body(content_type: str, errors: str, hint: str = "") -> GatewayError:
    """400 BAD_REQUEST_BODY (§5 [REC]) with the console's log line naming what the model refused."""
    line = REQUEST_BODY_MISMATCH_LINE.format(content_type=content_type, errors=errors)
    return GatewayError(400, INVALID_REQUEST_BODY_BODY, "BadRequestException", "BAD_REQUEST_BODY", [line],
                        hint=hint, validation_error=line.split(": ", 1)[1])
