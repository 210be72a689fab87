"""Every answer an HTTP API gives instead of the integration's own (docs/aws-http-api.md §6), with its bytes.

All are JSON `{"message":"<text>"}` without a space after the colon, `Content-Type: application/json`, and carry
only `apigw-requestid` of API Gateway's own headers: no `x-amzn-ErrorType`, no `x-amzn-RequestId`, no
`x-amz-apigw-id`, no `X-Amzn-Trace-Id` (REST's, §0 [REC] CURL-HTTP-2025, DOTNET-2025). HTTP APIs have no gateway
responses to customise ([DOC] AGDG http-api-vs-rest).

| factory | status | body | when |
|---|---|---|---|
| not_found | 404 | `{"message":"Not Found"}` (23 B) | no stage/route ([DOC] body, [INFERRED] status) |
| function_error, malformed_result, no_permission, ... | 500 | `{"message":"Internal Server Error"}` (35 B) | [REC] |
| throttled, integration_timeout | 503 | `{"message":"Service Unavailable"}` (33 B) | [REC] CURL-HTTP-2025 |
| unauthorized | 401 | `{"message":"Unauthorized"}` (26 B) | [REC] CURL-AUTH |
| forbidden | 403 | `{"message":"Forbidden"}` | authorizer denies: body [UNCERTAIN] |
| too_many_requests | 429 | `{"message":"Too Many Requests"}` | throttling: status [DOC], body [UNCERTAIN] |
| request_too_large | 413 | `{"message":"Request Entity Too Large"}` | over 10 MB: body [UNCERTAIN] |
| bad_request | 400 | `{"message":"Bad Request"}` | `%25done`: status [REC] VOKER-2026, body [UNCERTAIN] |

The [UNCERTAIN] bodies follow the pattern every recorded HTTP API error shows: the status's reason phrase as the
message ([INFERRED]).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

NOT_FOUND_BODY = b'{"message":"Not Found"}'
INTERNAL_SERVER_ERROR_BODY = b'{"message":"Internal Server Error"}'
SERVICE_UNAVAILABLE_BODY = b'{"message":"Service Unavailable"}'
UNAUTHORIZED_BODY = b'{"message":"Unauthorized"}'
FORBIDDEN_BODY = b'{"message":"Forbidden"}'
TOO_MANY_REQUESTS_BODY = b'{"message":"Too Many Requests"}'
REQUEST_TOO_LARGE_BODY = b'{"message":"Request Entity Too Large"}'
BAD_REQUEST_BODY = b'{"message":"Bad Request"}'

# `$context.integrationErrorMessage` (§6 [REC-ish] WORKSHOP, DT-DOC; [REC] ACCESSLOG-2023)
FUNCTION_ERROR_MESSAGE = ("The Lambda function returned the following error: {error_message}. Check your Lambda "
                          "function code and try again.")
PERMISSION_ERROR_MESSAGE = ("The IAM role configured on the integration or API Gateway doesn't have permissions to "
                            "call the integration. Check the permissions and try again.")
# [REC-ish] (a library test comment quoting API Gateway); only for a body of the wrong type (§5.6)
WRONG_BODY_TYPE_MESSAGE = 'Lambda body contains the wrong type for field "body"'


@dataclass(frozen=True)
class HttpApiError(Exception):
    """An answer HTTP API Gateway writes itself.

    `integration_error` is `$context.integrationErrorMessage` where recorded ("" when AWS's text is unknown or
    there is none); `authorizer_error` is `$context.authorizer.error`; `hint` is lambdagate's own remark for the
    terminal, never part of the answer."""

    status: int
    body: bytes
    integration_error: str = ""
    authorizer_error: str = ""
    hint: str = ""
    www_authenticate: str | None = None      # JWT authorizer failures (§9)

    @property
    def message(self) -> str:
        """`$context.error.message`: the text of the body's message."""
        return self.body.decode()[len('{"message":"'):-len('"}')]

    def __str__(self) -> str:
        return f"{self.status} {self.message}"


def not_found(hint: str = "") -> HttpApiError:
    return HttpApiError(404, NOT_FOUND_BODY, hint=hint)


def function_error(error_message: str, hint: str = "") -> HttpApiError:
    """The function raised, timed out on Lambda's side, failed to init or exited: 500 (§6 [REC])."""
    return HttpApiError(500, INTERNAL_SERVER_ERROR_BODY, FUNCTION_ERROR_MESSAGE.format(error_message=error_message),
                        hint=hint)


def malformed_result(reason: str, integration_error: str = "") -> HttpApiError:
    """A result the payload format's rules refuse: 500 (§5.6, §5.8 [REC]); AWS's log text is [UNCERTAIN] except
    for a body of the wrong type."""
    return HttpApiError(500, INTERNAL_SERVER_ERROR_BODY, integration_error, hint=reason)


def no_permission(hint: str) -> HttpApiError:
    """API Gateway may not invoke the function (resource policy): 500 (§1.7 [REC])."""
    return HttpApiError(500, INTERNAL_SERVER_ERROR_BODY, PERMISSION_ERROR_MESSAGE, hint=hint)


def internal_server_error(hint: str, integration_error: str = "", authorizer_error: str = "") -> HttpApiError:
    return HttpApiError(500, INTERNAL_SERVER_ERROR_BODY, integration_error, authorizer_error, hint)


def throttled(hint: str) -> HttpApiError:
    """Lambda answered Invoke with 429 (reserved concurrency in use): 503 (§6 [REC] CURL-HTTP-2025)."""
    return HttpApiError(503, SERVICE_UNAVAILABLE_BODY, hint=hint)


def integration_timeout(timeout_ms: int) -> HttpApiError:
    """The integration timeout passed before Lambda answered: 503 (§6, §10.1 [REC])."""
    return HttpApiError(503, SERVICE_UNAVAILABLE_BODY, hint=f"the integration timeout of {timeout_ms} ms passed")


def unauthorized(authorizer_error: str = "", www_authenticate: str | None = None) -> HttpApiError:
    return HttpApiError(401, UNAUTHORIZED_BODY, authorizer_error=authorizer_error, hint=authorizer_error,
                        www_authenticate=www_authenticate)


def forbidden(authorizer_error: str = "", hint: str = "") -> HttpApiError:
    return HttpApiError(403, FORBIDDEN_BODY, authorizer_error=authorizer_error, hint=hint or authorizer_error)


def too_many_requests(hint: str) -> HttpApiError:
    return HttpApiError(429, TOO_MANY_REQUESTS_BODY, hint=hint)


def request_too_large() -> HttpApiError:
    return HttpApiError(413, REQUEST_TOO_LARGE_BODY, hint="the request body is over API Gateway's 10 MB")


def bad_request(hint: str) -> HttpApiError:
    return HttpApiError(400, BAD_REQUEST_BODY, hint=hint)


def not_emulated(what: str) -> HttpApiError:
    """Not an AWS answer: something lambdagate does not emulate, named instead of a silent mis-answer (as REST's
    `errors.limitation`)."""
    return HttpApiError(501, json.dumps({"message": f"lambdagate does not emulate this: {what}"}).encode(), hint=what)


def error_headers(error: HttpApiError, request_id: str) -> list[tuple[str, str]]:
    """`content-type`, `apigw-requestid` (and `www-authenticate` for a JWT 401); Date, Content-Length and
    Connection come from the HTTP server (§6)."""
    headers = [("Content-Type", "application/json"), ("apigw-requestid", request_id)]
    if error.www_authenticate is not None:
        headers.append(("www-authenticate", error.www_authenticate))
    if error.status == 501:
        headers.append(("x-lambdagate-limitation", "integration"))
    return headers
