"""Cause -> explanation -> fix for every failure of a Lambda proxy call, keyed on the messages `serve` writes
(`lambdagate.errors`), so that `explain` reads exactly what `serve` writes and `doctor` gives the same fixes.

Each entry's facts come from the fact sheet (docs/aws-behavior.md) and the AWS pages named beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import errors
from .errors import message_pattern

UUIDISH = r"[0-9A-Za-z-]+"  # request ids, also the article's `xxxxxxxx-xxxx-...` placeholder


@dataclass(frozen=True)
class Cause:
    id: str
    title: str
    side: str                               # "gateway": API Gateway's own line; "lambda": the function's runtime
    patterns: tuple[re.Pattern[str], ...]   # searched in one log line (or one error message), first match wins
    explanation: str
    fix: str
    source: str
    status: int | None = None               # the status API Gateway answers with
    error_types: tuple[str, ...] = ()       # Lambda `errorType` values that mean this cause


def _head(template: str, rest: str = "message") -> re.Pattern[str]:
    """The literal start of a template, then anything: for lines cut before their end."""
    literal = template.split("{", 1)[0]
    return re.compile(re.escape(literal.rstrip()) + rf"\s*(?P<{rest}>.*)")


CUSTOMER_FUNCTION_ERROR = Cause(
    "customer-function-error", "the function failed", "gateway",
    (message_pattern(errors.CUSTOMER_FUNCTION_ERROR_LINE, error_message=".*?", lambda_request_id=UUIDISH),
     message_pattern(errors.CUSTOMER_FUNCTION_ERROR_ACCESS_LOG, error_message='[^"]*'),
     _head(errors.CUSTOMER_FUNCTION_ERROR_LINE, "error_message")),
    "Lambda ran the function and it failed (it raised, timed out, exited, could not start, or answered more than "
    "6 MB); API Gateway answers 502 Internal server error.",
    "Read the function's error message and its own log (/aws/lambda/<function>), where this line's Lambda request "
    "id finds the invocation.",
    "fact sheet §3 row 1, §10.10a [REC]", 502)

MALFORMED_PROXY_RESPONSE = Cause(
    "malformed-proxy-response", "malformed Lambda proxy response", "gateway",
    (re.compile(re.escape(errors.MALFORMED_PROXY_RESPONSE_LINE)),),
    "The function returned normally, but its result is not a proxy result: API Gateway needs a JSON object with "
    "at most statusCode, headers, multiValueHeaders, body (a string) and isBase64Encoded, and answers 502.",
    'Return {"statusCode": 200, "headers": {...}, "body": "<a string>"}: serialise a JSON body with '
    "json.dumps(...) in Python or JSON.stringify(...) in Node.js.",
    # AGDG set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format; the article
    # (re:Post knowledge-center/malformed-502-api-gateway)
    "fact sheet §2, §3 [REC]; AGDG set-up-lambda-proxy-integrations.html", 502)

INVALID_PERMISSIONS = Cause(
    "invalid-permissions", "API Gateway may not invoke the function", "gateway",
    (re.compile(re.escape(errors.INVALID_PERMISSIONS_LINE)),),
    "The function's resource-based policy has no statement that lets apigateway.amazonaws.com invoke it for this "
    "API, stage, method and resource (and no integration credentials role does); API Gateway answers 500.",
    "Add an AWS::Lambda::Permission with Action lambda:InvokeFunction, Principal apigateway.amazonaws.com and "
    "SourceArn arn:aws:execute-api:<region>:<account>:<api-id>/*/<METHOD or *>/<resource path>, or run "
    "`aws lambda add-permission --function-name <fn> --statement-id apigateway --action lambda:InvokeFunction "
    "--principal apigateway.amazonaws.com --source-arn <that ARN>`.",
    # re:Post knowledge-center/api-gateway-rest-api-lambda-integrations; LDG services-apigateway.md
    "fact sheet §3, §6, §10.10c [REC]", 500)

RATE_EXCEEDED = Cause(
    "rate-exceeded", "Lambda throttled the invocation", "gateway",
    (message_pattern(errors.LAMBDA_THROTTLED_LINE, lambda_request_id=UUIDISH),
     re.compile(re.escape(errors.RATE_EXCEEDED_LINE))),
    "Lambda refused the invocation with 429 because the function's concurrency is used up (its "
    "ReservedConcurrentExecutions, 0 stops every call, or the account's limit); API Gateway answers 500.",
    "Raise or remove ReservedConcurrentExecutions, or request a higher account concurrency quota; clients may "
    "retry with backoff.",
    # LDG configuration-concurrency.md; LDG python-exceptions.md ("the Lambda API rejects the invocation")
    "fact sheet §3 [REC]", 500)

FUNCTION_NOT_FOUND = Cause(
    "function-not-found", "the integration names a function that does not exist", "gateway",
    (message_pattern(errors.FUNCTION_NOT_FOUND_LINE, function_arn=r"[^\s\"]*"),),
    "The integration's URI names a function, version or alias that Lambda does not have in that account and "
    "region (Lambda answered 404); API Gateway answers 502.",
    "Point the integration at the function's ARN (!GetAtt Function.Arn in the template) or create the alias or "
    "version it names, then deploy the API again.",
    "fact sheet §10.10b [REC]", 502)

INTEGRATION_TIMEOUT = Cause(
    "integration-timeout", "the integration timed out", "gateway",
    (re.compile(re.escape(errors.INTEGRATION_TIMEOUT_LINE)),
     # the 504 body and `$context.error.responseType` of access logs (fact sheet §3)
     re.compile(re.escape(errors.ENDPOINT_TIMED_OUT_BODY.decode().split('"')[3]) + "|INTEGRATION_TIMEOUT")),
    "The function did not answer within the integration timeout (timeoutInMillis, 29 s by default); API Gateway "
    "answers 504 Endpoint request timed out while the function may still be running.",
    "Make the request path answer sooner (move long work to an asynchronous job), keep the function's Timeout "
    "below the integration timeout so that Lambda's own timeout shows, or for Regional and private APIs raise the "
    "integration timeout above 29 s through a Service Quotas request.",
    "fact sheet §3, §10.8 [REC][DOC]", 504)

UNABLE_TO_TRANSFORM_REQUEST = Cause(
    "unable-to-transform-request", "a body treated as binary met a request mapping template", "gateway",
    (re.compile(re.escape(errors.UNABLE_TO_TRANSFORM_REQUEST_LINE)),),
    "API Gateway treated the request body as binary — the request's Content-Type, or its absence, matches one of the "
    "API's binaryMediaTypes, and `*/*` matches every request — and the method's integration is not a Lambda proxy "
    "integration but one with a request mapping template and no contentHandling: the MOCK integration of a CORS "
    "preflight (OPTIONS), or a Lambda custom (AWS) integration. A mapping template cannot run on binary data, so API "
    "Gateway answers 500 Internal server error (API_CONFIGURATION_ERROR) without calling the backend; the log shows "
    "`Method request body before transformations: [Binary Data]` just before.",
    "Set contentHandling CONVERT_TO_TEXT on that method's integration (`aws apigateway update-integration "
    "--rest-api-id <api-id> --resource-id <resource-id> --http-method OPTIONS --patch-operations "
    "op=replace,path=/contentHandling,value=CONVERT_TO_TEXT`, then `aws apigateway create-deployment`), or list only "
    "the media types that are really binary (e.g. image/png) in binaryMediaTypes instead of `*/*`. SAM's Cors and "
    "CDK's addCorsPreflight do not set contentHandling.",
    # AGDG api-gateway-payload-encodings-workflow.html (the conversion table); aws/serverless-application-model#553
    # and #1344, clebert/aws-simple#167, squidfunk/terraform-aws-api-gateway-enable-cors#10, brefphp/bref#922
    # (preflights with `*/*`), serverless/serverless#4628 (a custom integration with a template for a binary type)
    "fact sheet §10.13 [REC-ish][DOC]", 500)

UNABLE_TO_TRANSFORM_RESPONSE = Cause(
    "unable-to-transform-response", "the integration's answer could not be converted for the method response",
    "gateway", (re.compile(re.escape(errors.UNABLE_TO_TRANSFORM_RESPONSE_LINE)),),
    "A non-proxy integration's answer met a response mapping template or a contentHandling conversion it cannot "
    "take: with binaryMediaTypes matching the request's Accept header (`*/*` matches all), a CORS preflight's MOCK "
    "integration or a custom integration's integration response fails to convert the body, and API Gateway answers "
    "500 Internal server error.",
    "Set contentHandling CONVERT_TO_TEXT on the integration response (`aws apigateway update-integration-response "
    "--rest-api-id <api-id> --resource-id <resource-id> --http-method <METHOD> --status-code 200 --patch-operations "
    "op=replace,path=/contentHandling,value=CONVERT_TO_TEXT`, then deploy), or narrow binaryMediaTypes to the types "
    "that are really binary.",
    # serverless/serverless#7243 (an OPTIONS preflight with `*/*`); AGDG api-gateway-payload-encodings-workflow.html
    "fact sheet §10.13 [REC-ish][DOC]", 500)

CONFIGURATION_ERROR = Cause(
    "configuration-error", "a configuration error whose reason is cut off", "gateway",
    (_head(errors.CONFIGURATION_ERROR_PREFIX, "reason"),),
    "API Gateway reported a configuration error, but the log line ends before the reason (cut, or glued to the "
    "next line as in the article's sample). With status 502 the reasons are 'Malformed Lambda proxy response' and "
    "'Function not found'; with 500 'Invalid permissions on Lambda function', 'Rate Exceeded.' and 'Unable to "
    "transform request'.",
    "Find the complete line (CloudWatch log group API-Gateway-Execution-Logs_<api-id>/<stage>, or Test in the API "
    "Gateway console) and see its cause here; the most frequent 502 is a malformed proxy response.",
    "fact sheet §3, §4.1, §10.10 [REC]")

MISSING_AUTHENTICATION_TOKEN = Cause(
    "missing-authentication-token", "no resource or method for the request", "gateway",
    (re.compile(r"Missing Authentication Token|MissingAuthenticationTokenException|MISSING_AUTHENTICATION_TOKEN"),),
    "No resource of the stage matches the path, or the resource has no method for the verb: a REST API answers "
    "403 Missing Authentication Token (never 404 or 405) and writes no execution log for it.",
    "Check the verb and path against the API's resources (the stage name is the first path segment of the "
    "execute-api URL), and deploy the API to the stage after adding a method.",
    "fact sheet §3 [REC]", 403)

STAGE_THROTTLED = Cause(
    "stage-throttled", "the stage or usage plan throttled the request", "gateway",
    (_head(errors.KEY_THROTTLE_LINE, "limits"), re.compile(r'"message":\s*"Too Many Requests"|\bTHROTTLED\b')),
    "The stage's or usage plan's rate or burst limit was exceeded: API Gateway answers 429 Too Many Requests "
    "without calling the function.",
    "Raise the stage's or usage plan's throttling limits, or make clients retry with backoff.",
    "fact sheet §3, §10.2b [REC]", 429)

REQUEST_TOO_LARGE = Cause(
    "request-too-large", "the request body is over 10 MB", "gateway",
    (re.compile(re.escape(errors.REQUEST_TOO_LARGE_BODY.decode()) + "|REQUEST_TOO_LARGE"),),
    "API Gateway's payload limit is 10 MB (10485760 bytes); larger requests get a plain-text 413 and never reach "
    "the function.",
    "Send less per request; larger uploads need another path than the API (e.g. an S3 upload).",
    "fact sheet §10.2a [REC][DOC]", 413)

# -- who may call (docs/aws-auth.md): a refusal ends the log with its gateway response type ([REC] MIDDY) --------
def _refused(*types: str) -> re.Pattern[str]:
    return re.compile(r"Gateway response type: (?:" + "|".join(types) + r") with status code")


AUTHORIZER_FAILED = Cause(
    "authorizer-failed", "the Lambda authorizer failed", "gateway",
    (_head(errors.CONFIGURATION_ERROR_PREFIX + errors.AUTHORIZER_INVALID_JSON, "detail"),
     re.compile(re.escape(errors.CONFIGURATION_ERROR_PREFIX) + "(?:" + re.escape(errors.AUTHORIZER_UNPARSEABLE_POLICY)
                + "|" + re.escape(errors.AUTHORIZER_ERROR) + ")"),
     re.compile("^" + errors.AUTHORIZER_CONFIGURATION_EXCEPTION_LINE + "$"),
     _refused("AUTHORIZER_CONFIGURATION_ERROR")),
    "The method's Lambda authorizer did not answer a policy: it raised (any message but exactly 'Unauthorized'), "
    "returned null or an object that is not {principalId, policyDocument, context, usageIdentifierKey} (a context "
    "value that is an object or array included), or API Gateway could not invoke it (its resource policy, its "
    "role). API Gateway answers 500 {\"message\":null} without calling the integration.",
    "Make the authorizer return {\"principalId\": ..., \"policyDocument\": {...}} and fail with exactly "
    "'Unauthorized' for a 401; let apigateway.amazonaws.com invoke it for <api-id>/authorizers/<authorizer-id>.",
    "aws-auth.md §1.6, §1.10 [REC] LOG-2023, EXPANSE, LOIGE", 500)

AUTHORIZER_REFUSED = Cause(
    "authorizer-refused", "the authorizer refused the caller", "gateway",
    (re.compile(re.escape(errors.AUTHORIZER_NOT_AUTHORIZED_LINE)),
     message_pattern(errors.AUTHORIZER_UNAUTHORIZED_LINE, request_id=UUIDISH),
     _refused("UNAUTHORIZED", "ACCESS_DENIED")),
    "The method's authorizer refused the request: 401 Unauthorized when the identity source (header, query "
    "string) is missing, empty or fails its validation expression (the authorizer is not invoked), when a Lambda "
    "authorizer failed with 'Unauthorized', or when a Cognito token does not verify; 403 when the returned policy "
    "denies the methodArn or allows none that matches it (a cached policy included).",
    "Send the identity source the authorizer is configured with; return a policy that allows this methodArn (with "
    "caching on, one that covers every method the caller may call, e.g. arn:aws:execute-api:<region>:<account>:"
    "<api-id>/<stage>/*).",
    "aws-auth.md §1.2, §1.7, §1.8, §2 [REC] LOIGE, CHALICE, LOG-2026; [DOC] KC-401, KC-403", 401)

SIGNATURE_REFUSED = Cause(
    "signature-refused", "the AWS_IAM signature is missing or does not hold", "gateway",
    (_refused("MISSING_AUTHENTICATION_TOKEN", "INVALID_SIGNATURE"),),
    "The method uses AWS_IAM: a request without a SigV4 signature gets 403 Missing Authentication Token, one whose "
    "signature does not match the canonical request (or is out of date) 403 with the canonical request AWS computed.",
    "Sign the request for service execute-api in the API's region (an AWS SDK, awscurl, or botocore's SigV4Auth) "
    "with credentials of the account, the request exactly as sent (path with the stage, query, signed headers).",
    "aws-auth.md §3 [REC]", 403)

API_KEY_REFUSED = Cause(
    "api-key-refused", "the API key is missing or in no usage plan of the stage", "gateway",
    (message_pattern(errors.API_KEY_NO_USAGE_PLAN_LINE, key=".*?", method=".*?", api_id=r"\w+", stage=r"[^:]+"),
     _refused("INVALID_API_KEY")),
    "The method requires an API key: without an x-api-key header (or the authorizer's usageIdentifierKey), with an "
    "unknown or disabled key, or one in no usage plan of this stage, API Gateway answers 403 Forbidden.",
    "Send an enabled key of a usage plan whose ApiStages hold this API and stage as x-api-key.",
    "aws-auth.md §4.1 [REC] ERRMAP, LOG-2017", 403)

QUOTA_EXCEEDED = Cause(
    "quota-exceeded", "the API key's usage-plan quota is used up", "gateway", (_refused("QUOTA_EXCEEDED"),),
    "The usage plan's quota (requests per day, week or month) for this API key is used up: 429 Limit Exceeded "
    "until the period ends.",
    "Raise the plan's Quota.Limit, or wait for the next period.", "aws-auth.md §4.2 [REC]", 429)

REQUEST_INVALID = Cause(
    "request-invalid", "the request validator refused the request", "gateway",
    (_head(errors.REQUEST_BODY_MISMATCH_LINE, "detail"), _refused("BAD_REQUEST_BODY", "BAD_REQUEST_PARAMETERS"),
     re.compile(re.escape(errors.MISSING_PARAMETERS_MESSAGE.split("[", 1)[0]))),
    "The method's request validator refused the request before the function: a required header, query string or "
    "path parameter is missing or blank (400 Missing required request parameters), or the body does not match "
    "the model of its Content-Type (400 Invalid request body).",
    "Send the parameters the method requires and a body that the model (JSON Schema draft 4) accepts.",
    "aws-auth.md §5 [REC] LS-snap-common, 2021 console capture", 400)

# -- the function's side (fact sheet §5) -------------------------------------------------------------------
IMPORT_MODULE_ERROR = Cause(
    "import-module-error", "the handler's module could not be imported", "lambda",
    (message_pattern(errors.IMPORT_MODULE_ERROR_MESSAGE, module="[^']*", detail=".*"),
     re.compile(r"Cannot find module '(?P<module>[^']*)'")),
    "The runtime could not import the handler's module, or a module it imports: either the Handler names a file "
    "that is not at the root of the package, or a dependency was not packaged with the code.",
    "If the missing module is the handler's own, fix Handler or put the file at the root of CodeUri (or of the "
    ".zip). If it is a dependency, install it into the package (`pip install -r requirements.txt -t <CodeUri>` or "
    "`sam build`; `npm install` and ship node_modules) or attach a layer that holds it.",
    # LDG python-package.md, nodejs-package.md; re:Post knowledge-center/lambda-deployment-package-errors
    "fact sheet §5.1 [IMPL][DOC]", 502, ("Runtime.ImportModuleError",))

HANDLER_NOT_FOUND = Cause(
    "handler-not-found", "the handler function does not exist", "lambda",
    (message_pattern(errors.HANDLER_NOT_FOUND_MESSAGE, function="[^']*", module="[^']*"),
     re.compile(r"(?P<handler>\S+) is undefined or not exported")),
    "The module was imported, but what the name after the last dot of Handler names is missing there or is not a "
    "function.",
    "Set Handler to <file>.<function> with a function that the module defines (and exports, in Node.js).",
    "fact sheet §5.1, §5.2 [IMPL]", 502, ("Runtime.HandlerNotFound",))

SYNTAX_ERROR = Cause(
    "syntax-error", "the handler's module has a syntax error", "lambda",
    (message_pattern(errors.SYNTAX_ERROR_MESSAGE, module="[^']*", detail=".*"),),
    "The runtime could not compile the module; nothing of it ran.",
    "Fix the line named in the error; compile it with the runtime's language version before deploying "
    "(`python3.x -m py_compile <file>`, `node --check <file>`).",
    "fact sheet §5.1 [IMPL]", 502, ("Runtime.UserCodeSyntaxError",))

MALFORMED_HANDLER_NAME = Cause(
    "malformed-handler-name", "the Handler setting is not <file>.<function>", "lambda",
    (message_pattern(errors.MALFORMED_HANDLER_MESSAGE, handler="[^']*", detail=".*"),
     re.compile(r"is not a valid handler name|^Bad handler$")),
    "Handler must be <module path>.<function>, split at the last dot (e.g. app.handler, src/app.handler).",
    "Write Handler as <file without extension>.<function>.",
    "fact sheet §5.1, §5.2 [IMPL]", 502, ("Runtime.MalformedHandlerName",))

PERMISSION_DENIED = Cause(
    "permission-denied", "a file of the package is not readable by Lambda", "lambda",
    (message_pattern(errors.PYTHON_PERMISSION_DENIED_MESSAGE, path="[^']*"),
     message_pattern(errors.NODE_PERMISSION_DENIED_MESSAGE, path="[^']*"),
     re.compile(r"\[Errno 13\] Permission denied|EACCES: permission denied")),
    "Lambda runs the code as a user other than the files' owner: a file must be readable and a folder readable "
    "and searchable by others (644 and 755), or the runtime cannot load it.",
    "`chmod -R o+rX <code folder>` (files 644, folders and executables 755), then rebuild the .zip from that "
    "folder; `zipinfo package.zip` shows the stored modes.",
    # LDG troubleshooting-deployment.md, lambda-deploy-functions.md ("Deployment package file permissions");
    # re:Post knowledge-center/lambda-deployment-package-errors
    "fact sheet §10.9 [DOC]", 502)

TASK_TIMED_OUT = Cause(
    "task-timed-out", "the function ran past its Timeout", "lambda",
    (re.compile(r"Task timed out after (?P<seconds>[\d.]+) seconds"),),
    "Lambda stopped the function when its Timeout passed (default 3 s, at most 900 s).",
    "Raise the function's Timeout (it cannot help beyond the API's integration timeout, 29 s by default) or make "
    "the function faster: time its calls to other services.",
    # LDG configuration-timeout.md
    "fact sheet §5.1 [REC]", 502, ("Sandbox.Timedout",))

RUNTIME_EXIT = Cause(
    "runtime-exit", "the runtime process exited", "lambda",
    (re.compile(r"Runtime exited (?P<reason>without providing a reason|with error: .*)"),),
    "The function's process ended during the invocation: an explicit exit (sys.exit, process.exit), a crash, or a "
    "kill (e.g. when it uses more memory than MemorySize).",
    "Remove exit calls (return a result instead); compare Max Memory Used with Memory Size in the REPORT line and "
    "raise MemorySize if they meet.",
    # re:Post knowledge-center/lambda-runtime-error
    "fact sheet §5.1 [REC]", 502, ("Runtime.ExitError",))

RESPONSE_TOO_LARGE = Cause(
    "response-too-large", "the function answered more than 6 MB", "lambda",
    (message_pattern(errors.RESPONSE_TOO_LARGE_MESSAGE, limit=r"\d+"),),
    "A synchronous invocation's response is limited to 6 MB (6291556 bytes); Lambda replaces a larger one with "
    "an error.",
    "Return less (paginate), or store large content elsewhere (e.g. S3) and return a link to it.",
    # LDG gettingstarted-limits.md; Lambda API_Invoke ("For synchronous invocations, the maximum payload size is
    # 6 MB")
    "fact sheet §5.1, §10.10a [REC]", 502, ("Function.ResponseSizeTooLarge",))

MARSHAL_ERROR = Cause(
    "marshal-error", "the function's result cannot be turned into JSON", "lambda",
    (message_pattern(errors.MARSHAL_ERROR_MESSAGE, detail=".*"),
     re.compile(r"Unable to stringify response body")),
    "The function returned a value the runtime cannot serialise to JSON (a set, bytes, a Decimal, a datetime...).",
    "Convert such values before returning (list(...), str(...), .isoformat()), and return the body as a string.",
    "fact sheet §5.1 [DOC]", 502, ("Runtime.MarshalError", "Runtime.JSONStringifyError"))

INVALID_ENTRYPOINT = Cause(
    "invalid-entrypoint", "the custom runtime's bootstrap is missing or not executable", "lambda",
    (re.compile(r"Couldn't find valid bootstrap|fork/exec \S*bootstrap: permission denied"),),
    "A provided.* runtime starts the executable `bootstrap` at the root of the package (or of a layer); it is "
    "missing or not executable.",
    "Put an executable `bootstrap` at the root of the package: `chmod 755 bootstrap`, then rebuild the .zip.",
    # LDG troubleshooting-invocation.md#troubleshooting-invocation-bootstrap
    "LDG troubleshooting-invocation.md [DOC]", 502, ("Runtime.InvalidEntrypoint",))

# the function's own code raised and nothing more specific is known: its type, message and failing line
UNHANDLED_ERROR = Cause(
    "unhandled-error", "the function raised an unhandled error", "lambda", (),
    "The function's code raised an error it did not catch: Lambda reports it as the invocation's error (Python "
    "`[ERROR] <Type>: <message>` and a traceback, Node.js `ERROR Invoke Error`), and behind a Lambda proxy "
    "integration API Gateway answers 502 Internal server error.",
    "Fix the code at the line shown; for expected failures, catch them and return a proxy result with a 4XX or 5XX "
    "statusCode instead of raising.",
    "fact sheet §3 row 1, §5.1, §5.3 [REC]", 502)

GATEWAY_CAUSES = (MALFORMED_PROXY_RESPONSE, INVALID_PERMISSIONS, RATE_EXCEEDED, FUNCTION_NOT_FOUND,
                  INTEGRATION_TIMEOUT, CUSTOMER_FUNCTION_ERROR, STAGE_THROTTLED, REQUEST_TOO_LARGE, AUTHORIZER_FAILED,
                  AUTHORIZER_REFUSED, SIGNATURE_REFUSED, API_KEY_REFUSED, QUOTA_EXCEEDED, REQUEST_INVALID,
                  MISSING_AUTHENTICATION_TOKEN, UNABLE_TO_TRANSFORM_REQUEST, UNABLE_TO_TRANSFORM_RESPONSE,
                  CONFIGURATION_ERROR)
LAMBDA_CAUSES = (PERMISSION_DENIED, IMPORT_MODULE_ERROR, HANDLER_NOT_FOUND, SYNTAX_ERROR, MALFORMED_HANDLER_NAME,
                 TASK_TIMED_OUT, RUNTIME_EXIT, RESPONSE_TOO_LARGE, MARSHAL_ERROR, INVALID_ENTRYPOINT)
CAUSES = {cause.id: cause for cause in GATEWAY_CAUSES + LAMBDA_CAUSES + (UNHANDLED_ERROR,)}


def match(causes: tuple[Cause, ...], text: str) -> tuple[Cause, re.Match[str]] | None:
    for cause in causes:
        for pattern in cause.patterns:
            found = pattern.search(text)
            if found:
                return cause, found
    return None


def by_error_type(error_type: str) -> Cause | None:
    for cause in LAMBDA_CAUSES:
        if error_type in cause.error_types:
            return cause
    return None
