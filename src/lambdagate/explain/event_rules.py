"""The function's failing line and the event it was given, explained by each other: a small rule table on the proxy
event's documented shape (fact sheet §1.1, §1.3, §4.2, §8).

A rule reads the error (type, message, the source lines of its frames) and what the execution log shows of the
method request (an empty path map: `pathParameters` was null; an empty query map: `queryStringParameters` was null;
an empty body: `body` was null). It answers with the detail that ties them together, or None. The first rule that
answers names the cause; the table is ordered from the most specific to the most general.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..causes import Cause
from .function_error import FunctionError
from .method_request import MethodRequest

# §1.1: every proxy event has these keys (their values may be null)
EVENT_KEYS = frozenset({"resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
                        "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext",
                        "body", "isBase64Encoded"})
# §8: payload format 2.0's own keys (HTTP APIs), absent from a REST API's format 1.0 event
V2_KEYS = frozenset({"rawPath", "rawQueryString", "routeKey", "cookies", "http", "version"})
# reading a property of null (Python, Node.js)
_NULL = re.compile(r"'NoneType' object (?:is not subscriptable|has no attribute|is not iterable)|argument of type "
                   r"'NoneType' is not iterable|Cannot read propert(?:y|ies) (?:\S+ )?of null|of null \(reading")
_UNDEFINED = re.compile(r"Cannot read propert(?:y|ies) (?:\S+ )?of undefined")
_JSON_OF_NONE = re.compile(r"the JSON object must be str, bytes or bytearray, not NoneType")
_NOT_JSON = re.compile(r"Expecting value: line \d+ column \d+|Unexpected token .* in JSON|is not valid JSON|"
                       r"Unexpected end of JSON input")
_STRING_INDEX = re.compile(r"string indices must be integers|'str' object has no attribute 'get'")
_KEY = re.compile(r"^'(?P<key>[^']*)'$|^\"(?P<dkey>[^\"]*)\"$")
_HEADER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
_SOURCE = "fact sheet §1.1 [REC] (LS-snap-lambda); AGDG set-up-lambda-proxy-integrations.html, input format"


@dataclass(frozen=True)
class EventRule:
    cause: Cause
    applies: Callable[[FunctionError, MethodRequest], str | None]


def explain(error: FunctionError, request: MethodRequest) -> list[tuple[Cause, str]]:
    """The first rule that explains the error, with its detail."""
    for rule in RULES:
        detail = rule.applies(error, request)
        if detail is not None:
            return [(rule.cause, detail)]
    return []


# -- what the rules read --------------------------------------------------------------------------------------------
def key_error(error: FunctionError) -> str | None:
    """The missing key of a KeyError (Python writes it in quotes)."""
    if error.type.rsplit(".", 1)[-1] != "KeyError":
        return None
    found = _KEY.match(error.message.strip())
    return (found.group("key") if found.group("key") is not None else found.group("dkey")) if found else None


def reads(error: FunctionError, *names: str) -> bool:
    """Does the failing code (any frame's source line) read one of these event fields?"""
    return any(re.search(rf"\b{re.escape(name)}\b", error.code) for name in names)


def null_read(error: FunctionError) -> bool:
    return bool(_NULL.search(error.said))


def _line(error: FunctionError) -> str:
    failing = error.failing
    return f" at {failing}" if failing else ""


_GET_DEFAULT = re.compile(r"\.get\(\s*['\"](?P<key>\w+)['\"]\s*,\s*\{\s*\}")


def _default_trap(error: FunctionError) -> str:
    """`event.get('queryStringParameters', {})` returns None: the key is there, its value is null."""
    trap = _GET_DEFAULT.search(error.code)
    if trap is None or trap.group("key") not in EVENT_KEYS:
        return ""
    return (f"; .get({trap.group('key')!r}, {{}}) does not help: the key is in the event with the value null, so "
            f"the default is not used — write (event.get({trap.group('key')!r}) or {{}})")


def _shown(values: dict[str, str] | None) -> str:
    return "{" + ", ".join(f"{k}={v}" for k, v in (values or {}).items()) + "}"


def _cause(name: str, title: str, explanation: str, fix: str, source: str = _SOURCE) -> Cause:
    return Cause(f"event.{name}", title, "lambda", (), explanation, fix, source)


# -- the rules ------------------------------------------------------------------------------------------------------
def _records(error: FunctionError, request: MethodRequest) -> str | None:
    if key_error(error) == "Records" or (reads(error, "Records") and (null_read(error) or
                                                                       _UNDEFINED.search(error.said))):
        return (f"the code reads event['Records']{_line(error)}; the event from API Gateway has "
                f"{', '.join(sorted(EVENT_KEYS))} and no Records")
    return None


def _payload_v2(error: FunctionError, request: MethodRequest) -> str | None:
    key = key_error(error)
    if key in V2_KEYS or ((null_read(error) or _UNDEFINED.search(error.said)) and
                          (reads(error, "rawPath", "routeKey", "rawQueryString", "cookies") or
                           re.search(r"requestContext\W+http\b", error.code))):
        return f"the code reads {key or 'a payload 2.0 field'!r}{_line(error)}, which only HTTP APIs send"
    return None


def _not_proxy_event(error: FunctionError, request: MethodRequest) -> str | None:
    key = key_error(error)
    if key in EVENT_KEYS:
        return f"the event had no {key!r}{_line(error)}, a key every Lambda proxy event has"
    return None


def _path_parameter_name(error: FunctionError, request: MethodRequest) -> str | None:
    key = key_error(error)
    if key is None or not reads(error, "pathParameters"):
        return None
    if request.path_parameters:
        return (f"the code reads pathParameters[{key!r}]{_line(error)}, but the request's path parameters were "
                f"{_shown(request.path_parameters)}: the resource names its variable "
                f"{{{next(iter(request.path_parameters))}}}")
    return f"the code reads pathParameters[{key!r}]{_line(error)}, a name the resource template does not use"


def _path_parameters_null(error: FunctionError, request: MethodRequest) -> str | None:
    if null_read(error) and reads(error, "pathParameters"):
        seen = (f"; the log shows `Method request path: {{}}` for {request.verb} {request.path}"
                if request.path_parameters == {} else "")
        return f"the code reads pathParameters{_line(error)} and pathParameters was null{seen}{_default_trap(error)}"
    return None


def _query_parameter_missing(error: FunctionError, request: MethodRequest) -> str | None:
    key = key_error(error)
    if key is None or not reads(error, "queryStringParameters", "multiValueQueryStringParameters"):
        return None
    sent = f": the request's query string was {_shown(request.query)}" if request.query else ""
    return f"the code reads queryStringParameters[{key!r}]{_line(error)}{sent}"


def _query_null(error: FunctionError, request: MethodRequest) -> str | None:
    if null_read(error) and reads(error, "queryStringParameters", "multiValueQueryStringParameters"):
        seen = "; the log shows `Method request query string: {}`" if request.query == {} else ""
        return f"the code reads queryStringParameters{_line(error)} and it was null{seen}{_default_trap(error)}"
    return None


def _body_null(error: FunctionError, request: MethodRequest) -> str | None:
    if _JSON_OF_NONE.search(error.said) or (null_read(error) and reads(error, "body")):
        seen = (f"; the log shows an empty `Method request body before transformations:` for {request.verb} "
                f"{request.path}" if request.body == "" else "")
        return f"the code parses or reads body{_line(error)} and body was null{seen}"
    return None


def _body_not_json(error: FunctionError, request: MethodRequest) -> str | None:
    if not _NOT_JSON.search(error.said):
        return None
    if request.binary_body:
        return (f"the code parses body as JSON{_line(error)}, but API Gateway treated the body as binary (the log "
                "shows [Binary Data]): body was base64 and isBase64Encoded true")
    kind = next((v for k, v in (request.headers or {}).items() if k.lower() == "content-type"), None)
    sent = f" (Content-Type: {kind})" if kind else ""
    return f"the code parses body as JSON{_line(error)}, but the request's body was not JSON{sent}"


def _body_is_a_string(error: FunctionError, request: MethodRequest) -> str | None:
    if _STRING_INDEX.search(error.said) and reads(error, "body"):
        return f"the code indexes body as a dict{_line(error)}, but body is the request body as a string"
    key = key_error(error)
    if key is None or key in EVENT_KEYS or reads(error, "headers", "pathParameters", "queryStringParameters",
                                                 "multiValueHeaders", "stageVariables", "requestContext"):
        return None
    body = request.body or ""
    if re.search(rf"\"{re.escape(key)}\"\s*:", body):
        return (f"the code reads event[{key!r}]{_line(error)}; the request body {body[:120]} holds {key!r}, but "
                "the body reaches the function as one string in event['body']")
    if re.search(rf"\bevent\s*\[\s*['\"]{re.escape(key)}['\"]\s*\]|\bevent\.get\(\s*['\"]{re.escape(key)}", error.code):
        return (f"the code reads event[{key!r}]{_line(error)}, a key that is not part of a proxy event: a request's "
                "fields are in the string event['body']")
    return None


def _header_case(error: FunctionError, request: MethodRequest) -> str | None:
    key = key_error(error)
    if key is None or not _HEADER_NAME.match(key) or not reads(error, "headers", "multiValueHeaders"):
        return None
    sent = [name for name in (request.headers or {}) if name.lower() == key.lower()]
    if sent and sent[0] != key:
        return f"the code reads headers[{key!r}]{_line(error)}; the client sent it as {sent[0]!r}"
    if request.headers is not None and not sent:
        return f"the code reads headers[{key!r}]{_line(error)}; the request had no such header"
    return f"the code reads headers[{key!r}]{_line(error)}: the header was absent, or sent with other casing"


def _headers_null(error: FunctionError, request: MethodRequest) -> str | None:
    if null_read(error) and reads(error, "headers", "multiValueHeaders"):
        seen = "; the log shows `Method request headers: {}`" if request.headers == {} else ""
        return f"the code reads headers{_line(error)} and headers was null{seen}{_default_trap(error)}"
    return None


def _stage_variables_null(error: FunctionError, request: MethodRequest) -> str | None:
    if null_read(error) and reads(error, "stageVariables"):
        return f"the code reads stageVariables{_line(error)} and the stage has none (stageVariables was null)"
    return None


def _some_field_null(error: FunctionError, request: MethodRequest) -> str | None:
    """A read of null with no source line to look at (Node.js logs none): the fields this request had null."""
    if not null_read(error) or error.code:
        return None
    nulls = [name for name, empty in (("pathParameters", request.path_parameters == {}),
                                      ("queryStringParameters", request.query == {}),
                                      ("headers", request.headers == {}), ("body", request.body == ""))
             if empty]
    if not nulls:
        return None
    failing = error.failing
    return (f"the code read a property of null{f' at {failing}' if failing else ''}; in this request "
            f"{', '.join(nulls)} {'was' if len(nulls) == 1 else 'were'} null")


RULES = (
    EventRule(_cause(
        "records-missing", "a handler for S3/SQS/SNS events behind a Lambda proxy integration",
        "The handler reads event['Records'], the shape of S3, SQS, SNS, DynamoDB Streams and Kinesis events. A Lambda "
        "proxy integration sends API Gateway's proxy event (resource, path, httpMethod, headers, "
        "queryStringParameters, pathParameters, body, ...), which has no Records.",
        "Read the request from the proxy event (its body is a string: json.loads(event['body'])) and return a proxy "
        "result, or connect this function to the S3/SQS source it was written for and give the API a function of "
        "its own."), _records),
    EventRule(_cause(
        "payload-v2", "a handler for HTTP API events (payload 2.0) behind a REST API",
        "The handler reads a field of payload format 2.0 (rawPath, routeKey, requestContext.http, cookies), which "
        "HTTP APIs send. A REST API's Lambda proxy integration sends format 1.0: path, httpMethod, resource, "
        "multiValueHeaders, requestContext.httpMethod.",
        "Read the 1.0 fields (event['path'], event['httpMethod'], event['requestContext']['httpMethod']), or serve "
        "the route from an HTTP API with payload format 2.0.", "fact sheet §1.1, §8 [REC][DOC]"), _payload_v2),
    EventRule(_cause(
        "not-a-proxy-event", "the function was not given an API Gateway proxy event",
        "Every Lambda proxy event has resource, path, httpMethod, headers, multiValueHeaders, queryStringParameters, "
        "multiValueQueryStringParameters, pathParameters, stageVariables, requestContext, body and isBase64Encoded "
        "as keys (their values may be null). The function got another event: a Lambda console test event, `aws "
        "lambda invoke` with a hand-written payload, a non-proxy (AWS) integration whose mapping template builds its "
        "own event, or another event source.",
        "Test with a proxy event (`sam local generate-event apigateway aws-proxy`, or the Lambda console's "
        "apigateway-aws-proxy template), and check that the method's integration is AWS_PROXY (\"Lambda proxy "
        "integration\" on in the console)."), _not_proxy_event),
    EventRule(_cause(
        "path-parameter-name", "the code reads a path parameter the resource does not define",
        "pathParameters has one key per variable of the matched resource's template, named as between its braces "
        "(/orders/{id} gives {\"id\": \"42\"}; a greedy {proxy+} gives \"proxy\").",
        "Read the name the resource template uses, or rename the variable in the template (and in every route that "
        "reaches this function)."), _path_parameter_name),
    EventRule(_cause(
        "path-parameters-null", "pathParameters is null for this route",
        "pathParameters is null (not {}) when the matched resource has no path variables: a route without {id} "
        "(e.g. GET /items beside GET /items/{id}) that reaches the same function gets null.",
        "Python: (event.get('pathParameters') or {}).get('id'); Node.js: event.pathParameters?.id. Or give the "
        "route without the variable a handler of its own."), _path_parameters_null),
    EventRule(_cause(
        "query-parameter-missing", "the request had no such query string parameter",
        "queryStringParameters holds only the parameters the client sent (the last value of a repeated one); a "
        "parameter the client left out is absent.",
        "Read it with a default (`(event.get('queryStringParameters') or {}).get('q', default)`; Node.js "
        "`event.queryStringParameters?.q ?? default`) and answer 400 when it is required."),
     _query_parameter_missing),
    EventRule(_cause(
        "query-string-null", "queryStringParameters is null: no query string was sent",
        "queryStringParameters and multiValueQueryStringParameters are null (not {}) when the request has no query "
        "string.",
        "Python: (event.get('queryStringParameters') or {}).get('q'); Node.js: event.queryStringParameters?.q."),
     _query_null),
    EventRule(_cause(
        "body-null", "body is null: the request had no body",
        "body is null (not \"\") when the request has none: a GET, or a client that sent no body.",
        "Python: json.loads(event.get('body') or '{}'); Node.js: JSON.parse(event.body ?? '{}'); answer 400 when a "
        "body is required."), _body_null),
    EventRule(_cause(
        "body-not-json", "the request body is not JSON",
        "The code parses body as JSON, but this request's body is not JSON: a form, plain text, or base64 — when the "
        "request's Content-Type matches one of the API's binaryMediaTypes (`*/*` matches all), body is "
        "base64-encoded and isBase64Encoded is true.",
        "Decode base64 first when isBase64Encoded is true; check Content-Type before parsing and answer 400 for a "
        "body that is not JSON.", "fact sheet §1.1, §1.3 [REC][DOC]"), _body_not_json),
    EventRule(_cause(
        "body-is-a-string", "the request body is a JSON string to parse",
        "body is the request body as one string (API Gateway does not parse JSON), or null; the request's fields "
        "are inside it, not at the top of the event.",
        "Python: data = json.loads(event['body'] or '{}'); Node.js: const data = JSON.parse(event.body ?? '{}') "
        "(decode base64 first when isBase64Encoded is true)."), _body_is_a_string),
    EventRule(_cause(
        "header-case", "the header is absent, or sent with other casing",
        "A REST API keeps header names as the client sent them (only Authorization and User-Agent are given their "
        "canonical casing); HTTP APIs lower-case them. A header the client did not send is absent.",
        "Look headers up without regard to case: {k.lower(): v for k, v in (event.get('headers') or {}).items()}"
        ".get('content-type'), and answer 400 when a required header is missing."), _header_case),
    EventRule(_cause(
        "headers-null", "headers is null: the request had no headers",
        "headers and multiValueHeaders are null when the request has none: the console's Test sends only the "
        "headers typed into it.",
        "Python: (event.get('headers') or {}); Node.js: event.headers ?? {}.", "fact sheet §1.1, §4.2 [REC]"),
     _headers_null),
    EventRule(_cause(
        "stage-variables-null", "stageVariables is null: the stage defines none",
        "stageVariables is null when the stage has no variables.",
        "Define the variable on the stage (Variables of AWS::ApiGateway::Stage, or `aws apigateway update-stage "
        "--patch-operations op=replace,path=/variables/<name>,value=<value>`), or read it with a default."),
     _stage_variables_null),
    EventRule(_cause(
        "null-field", "the code read a field of the event that was null",
        "In a proxy event pathParameters, queryStringParameters, multiValueQueryStringParameters, headers, "
        "multiValueHeaders, stageVariables and body are null, not empty, when the request has none of them.",
        "Guard each of these fields before reading inside it (Node.js `event.pathParameters?.id`, Python "
        "`(event.get('pathParameters') or {}).get('id')`)."), _some_field_null),
)
