"""Cause -> explanation -> fix for the failures of an HTTP API (docs/aws-http-api.md §6, §9), keyed on the messages
its access log carries: `$context.integrationErrorMessage`, `$context.authorizer.error`, `$context.error.message`
(spelled once, in httpapi/errors.py, authorization.py and lambda_authorizer.py: `explain` reads what `serve` writes).
HTTP APIs write no execution log, so where the access line has no message the status says what it can (`BY_STATUS`).
The shape is REST's catalogue's (causes.py), shared by `explain` and `doctor`.
"""

from __future__ import annotations

import re

from ..causes import Cause
from ..errors import message_pattern
from .authorization import CANNOT_INVOKE, FAILED, IAM_FORMAT_ERROR
from .errors import FUNCTION_ERROR_MESSAGE, PERMISSION_ERROR_MESSAGE, WRONG_BODY_TYPE_MESSAGE
from .lambda_authorizer import INVALID_RESPONSE

FUNCTION_ERROR = Cause(
    "http-function-error", "the function failed", "gateway",
    (message_pattern(FUNCTION_ERROR_MESSAGE, error_message=".*?"),),
    "Lambda ran the function and it failed (it raised, ran past its Timeout, exited or could not start): an HTTP API "
    "answers 500 {\"message\":\"Internal Server Error\"} (a REST API says 502) and puts the function's errorMessage "
    "in $context.integrationErrorMessage.",
    "Read the function's own log (/aws/lambda/<function>) at the time of the request; fix the code or its "
    "configuration, or return {\"statusCode\": 4xx/5xx, ...} for expected failures instead of raising.",
    "aws-http-api.md §6 [REC] CURL-HTTP-2025, [REC-ish] WORKSHOP, DT-DOC", 500)

NO_PERMISSION = Cause(
    "http-no-permission", "API Gateway may not invoke the function", "gateway",
    (re.compile(re.escape(PERMISSION_ERROR_MESSAGE)),),
    "The function's resource-based policy has no statement that lets apigateway.amazonaws.com invoke it for this "
    "API, stage and route (and the integration has no credentials role): 500 Internal Server Error.",
    "Add an AWS::Lambda::Permission with Action lambda:InvokeFunction, Principal apigateway.amazonaws.com and "
    "SourceArn arn:aws:execute-api:<region>:<account>:<api-id>/*/* (or /*/<METHOD>/<route path>); SAM adds it for "
    "every HttpApi event, plain CloudFormation and the CLI do not.",
    "aws-http-api.md §1.7 [REC] CURL-HTTP-2025, ACCESSLOG-2023", 500)

MALFORMED_RESULT = Cause(
    "http-malformed-result", "the function's answer is not a valid result", "gateway",
    (re.compile(re.escape(WRONG_BODY_TYPE_MESSAGE)),),
    "The function returned normally, but with a statusCode its answer breaks payload 2.0's rules (statusCode an "
    "integer 100-599, body a string, headers strings, cookies a list of strings; 1.0: REST's rules): 500 Internal "
    "Server Error. Without a statusCode any JSON is sent as the body (payload 2.0's inference).",
    "Return {\"statusCode\": 200, \"body\": \"<a string>\"}: json.dumps(...) / JSON.stringify(...) the body; run "
    "`lambdagate doctor` to see every violation of the route's answer.",
    "aws-http-api.md §5.6, §5.8 [REC] DOTNET-2025", 500)

INTEGRATION_TIMEOUT = Cause(
    "http-integration-timeout", "the integration timed out", "gateway", (),
    "The function did not answer within the integration timeout (TimeoutInMillis, 30 s at most and by default): "
    "an HTTP API answers 503 {\"message\":\"Service Unavailable\"} while the function may still run.",
    "Answer sooner (move long work to an asynchronous job), or keep the function's Timeout below the integration "
    "timeout so that Lambda's own timeout shows (500 with the timeout in integrationErrorMessage).",
    "aws-http-api.md §10.1 [REC] CURL-HTTP-2025", 503)

LAMBDA_THROTTLED = Cause(
    "http-lambda-throttled", "Lambda throttled the invocation", "gateway", (),
    "Lambda refused the invocation (429) because the function's concurrency is used up "
    "(ReservedConcurrentExecutions, or the account's limit): an HTTP API answers 503 Service Unavailable at once.",
    "Raise or remove ReservedConcurrentExecutions, or ask for a higher account concurrency quota; clients may "
    "retry with backoff.",
    "aws-http-api.md §6 [REC] CURL-HTTP-2025", 503)

AUTHORIZER_INVALID_RESPONSE = Cause(
    "http-authorizer-invalid-response", "the Lambda authorizer's answer is not one API Gateway accepts", "gateway",
    (re.compile(re.escape(INVALID_RESPONSE) + r"\s*(?P<reason>.*)"),),
    "With simple responses the authorizer must answer {\"isAuthorized\": true|false, \"context\": {...}}; otherwise "
    "an IAM policy {\"principalId\", \"policyDocument\", \"context\"}. Anything else is 500 Internal Server Error.",
    "Return the shape the authorizer's EnableSimpleResponses (and AuthorizerPayloadFormatVersion) asks for.",
    "aws-http-api.md §9 [REC] mantil-io/mantil#52; [DOC] AGDG http-api-lambda-authorizer", 500)

AUTHORIZER_FAILED = Cause(
    "http-authorizer-failed", "the Lambda authorizer could not be invoked or failed", "gateway",
    (re.compile(re.escape(CANNOT_INVOKE) + "|" + re.escape(FAILED)),),
    "API Gateway could not invoke the authorizer function (no permission for <api-id>/authorizers/<id>, or no such "
    "function), or the function failed: 500 Internal Server Error for every request of its routes.",
    "Give the authorizer function a permission for arn:aws:execute-api:<region>:<account>:<api-id>/authorizers/* "
    "(SAM: EnableFunctionDefaultPermissions: true), or an AuthorizerCredentialsArn role; fix the function if its "
    "log shows an error.",
    "aws-http-api.md §9 [DOC] AGDG http-api-lambda-authorizer", 500)

IAM_UNSIGNED = Cause(
    "http-iam-unsigned", "an AWS_IAM route got a request that is not signed", "gateway",
    (re.compile(re.escape(IAM_FORMAT_ERROR)),),
    "The route's authorization is AWS_IAM: the request must be signed with Signature Version 4 for execute-api; an "
    "unsigned or wrongly signed request is 403 Forbidden.",
    "Sign the request (an AWS SDK, aws-sigv4-fetch, botocore's SigV4Auth) with credentials allowed to "
    "execute-api:Invoke the route.",
    "aws-http-api.md §9 [REC-ish]", 403)

UNAUTHORIZED = Cause(
    "http-unauthorized", "the authorizer refused the identity", "gateway", (),
    "A JWT authorizer found no token, or one that fails a check (signature, issuer, audience, expiry), or a Lambda "
    "authorizer's identity source is missing (then it is not invoked): 401 {\"message\":\"Unauthorized\"}.",
    "Send the identity source the authorizer names (Authorization: Bearer <token> by default) with a token of the "
    "configured issuer and audience; `lambdagate tokens <pool>` makes one for a local pool.",
    "aws-http-api.md §9 [REC] CURL-AUTH; [DOC] AGDG http-api-jwt-authorizer", 401)

FORBIDDEN = Cause(
    "http-forbidden", "the authorizer denied the request", "gateway", (),
    "The Lambda authorizer answered isAuthorized: false or a policy without an Allow for the route ARN, a JWT's "
    "scopes hold none of the route's, or an AWS_IAM signature did not verify: 403 Forbidden.",
    "Check what the authorizer answers for this caller and route (its log), the route's AuthorizationScopes, or "
    "the request's signature.",
    "aws-http-api.md §9 [DOC]; body [UNCERTAIN]", 403)

NOT_FOUND = Cause(
    "http-not-found", "no route for the request", "gateway", (),
    "No route of the stage matches the method and path (routeKey `-`), or no stage matches its first path segment "
    "(then no access log line is written at all): an HTTP API answers 404 {\"message\":\"Not Found\"}; there is no "
    "405 and no 403 as REST has.",
    "Check the method and path against the routes (a named stage's name is the path's first segment; a trailing "
    "slash matters), or add a $default route to catch the rest.",
    "aws-http-api.md §2.4 [DOC]", 404)

ROUTE_THROTTLED = Cause(
    "http-route-throttled", "the stage or route throttled the request", "gateway", (),
    "The stage's DefaultRouteSettings or the route's RouteSettings limit (ThrottlingRateLimit, ThrottlingBurstLimit) "
    "was exceeded; a limit of 0 answers every request 429 Too Many Requests.",
    "Raise the limits, or give both ThrottlingRateLimit and ThrottlingBurstLimit when setting route settings.",
    "aws-http-api.md §10.3 [DOC]; [REC-ish] terraform-aws-apigateway-v2#59", 429)

REQUEST_TOO_LARGE = Cause(
    "http-request-too-large", "the request body is over 10 MB", "gateway", (),
    "An HTTP API's payload limit is 10 MB: larger requests get 413 and never reach the function.",
    "Send less per request (an S3 upload for large files).", "aws-http-api.md §10.2 [DOC]", 413)

MESSAGE_CAUSES = (FUNCTION_ERROR, NO_PERMISSION, MALFORMED_RESULT, AUTHORIZER_INVALID_RESPONSE, AUTHORIZER_FAILED,
                  IAM_UNSIGNED)
# What the status alone says of a line without a message (the candidates in order of likelihood).
BY_STATUS: dict[int, tuple[Cause, ...]] = {
    404: (NOT_FOUND,), 401: (UNAUTHORIZED,), 403: (FORBIDDEN,), 429: (ROUTE_THROTTLED,), 413: (REQUEST_TOO_LARGE,),
    503: (INTEGRATION_TIMEOUT, LAMBDA_THROTTLED), 500: (MALFORMED_RESULT, AUTHORIZER_FAILED),
}
TIMEOUT_LATENCY_MS = 29000   # an integrationLatency this long on a 503 is the timeout (§6: 503 at ~30.16 s [REC])
