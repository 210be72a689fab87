"""One request's story -> did it fail, and why: the catalogue's causes with the lines that show them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .. import causes as catalogue
from .. import errors
from ..causes import Cause
from ..httpapi import causes as http_causes
from ..observe.execution_log import ENDPOINT_RESPONSE_BODY
from ..violations import violations
from . import event_rules, function_error, method_request
from .configuration import TEST_INVOKE_STAGE, console_test, permission_details, transform_details
from .function_error import FunctionError
from .grouping import ACCESS_LINE, Story
from .method_request import MethodRequest
from .reading import LogLine

BODY_HEAD = ENDPOINT_RESPONSE_BODY
TRUNCATED = " [TRUNCATED]"  # fact sheet §4.1: long values are cut at about 1 KB
_ERROR_TYPE = re.compile(r"Error Type: (?P<type>[\w.]+)")
_ERROR_RECORD = re.compile(r"^\[ERROR\] (?P<type>[\w.]+): (?P<message>.*)")
# with the reason cut off, the status narrows the configuration error down (fact sheet §3, §10.10)
_CANDIDATES = {
    502: ((errors.MALFORMED_PROXY_RESPONSE_LINE, catalogue.MALFORMED_PROXY_RESPONSE),
          (errors.FUNCTION_NOT_FOUND_LINE.format(function_arn="<arn>"), catalogue.FUNCTION_NOT_FOUND)),
    500: ((errors.INVALID_PERMISSIONS_LINE, catalogue.INVALID_PERMISSIONS),
          (errors.RATE_EXCEEDED_LINE, catalogue.RATE_EXCEEDED),
          (errors.UNABLE_TO_TRANSFORM_REQUEST_LINE, catalogue.UNABLE_TO_TRANSFORM_REQUEST)),
}
UNKNOWN = Cause("unknown", "the log does not say why", "gateway", (),
                "The request failed, but none of its lines names a cause: the failure line is missing from the text "
                "(execution logging at ERROR level writes it), or it is a failure whose log line is not known.",
                "Paste all lines of this request id, or enable execution logging (INFO, with data tracing) on the "
                "stage and call the method again.", "fact sheet §4.1")


@dataclass(frozen=True)
class Finding:
    cause: Cause
    evidence: tuple[LogLine, ...]
    details: tuple[str, ...] = ()
    summary: str = ""            # one line: the cause's title with the specifics (module, field, seconds...)


@dataclass
class Verdict:
    story: Story
    status: int | None
    failed: bool
    findings: list[Finding] = field(default_factory=list)


def diagnose(story: Story) -> Verdict:
    status = story.status
    request = method_request.read(story.lines)
    gateway = _gateway_hits(story)
    lambda_hits = _lambda_hits(story, gateway)
    error = _function_error(story, gateway)
    findings: list[Finding] = []
    if error is not None and not lambda_hits:   # a catalogued runtime failure says more than the event does
        for cause, detail in event_rules.explain(error, request):
            findings.append(Finding(cause, error.evidence + tuple(request.lines), (detail, *_frame(error)),
                                    f"{cause.title}: {error.said}"))
    gateway_line = gateway[0].line if gateway else None
    for hit in lambda_hits:
        evidence = (hit.line,) if gateway_line is None or gateway_line is hit.line else (gateway_line, hit.line)
        findings.append(Finding(hit.cause, evidence, _lambda_details(hit), _summary(hit)))
    for hit in gateway:
        if hit.cause in FUNCTION_ERRORS and lambda_hits:
            continue  # the function's own cause says more
        findings.append(_gateway_finding(hit, story, status, request))
    if not findings and error is not None and error.type:
        # a Lambda log alone (START, [ERROR], traceback, END, REPORT): the function's own error is the cause
        findings.append(Finding(catalogue.UNHANDLED_ERROR, error.evidence, _frame(error),
                                f"the function raised {error.said}"[:300]))
    if not findings and story.http_api and status is not None and status >= 400:
        findings.append(_http_status_finding(story, status))
    if not findings and status in (403, 413) and story.access_only:
        # fact sheet §3, §10.2a: neither answer reaches a method, so no execution log is written
        cause = catalogue.MISSING_AUTHENTICATION_TOKEN if status == 403 else catalogue.REQUEST_TOO_LARGE
        findings.append(Finding(cause, tuple(story.lines), (f"status {status} and no execution log: API Gateway "
                                "writes none when no method is reached",), cause.title))
    failed = bool(findings) or (status is not None and status >= 400) or _lambda_failed(story) or error is not None
    if failed and not findings:
        remarks = tuple(f"lambdagate said: {line.text.removeprefix('lambdagate: ')}" for line in story.lines
                        if line.text.startswith("lambdagate: "))
        findings.append(Finding(UNKNOWN, tuple(story.lines[-1:] or story.lambda_lines[-1:]), remarks,
                                UNKNOWN.title))
    return Verdict(story, status, failed, findings)


@dataclass(frozen=True)
class Hit:
    """A catalogued cause found in a line; `match` is None for a cause known from an errorType alone."""

    cause: Cause
    match: re.Match[str] | None
    line: LogLine

    def group(self, name: str) -> str:
        return (self.match.groupdict().get(name) or "") if self.match is not None else ""


# The causes read in API Gateway's lines: REST's execution-log messages, and the messages of an HTTP API's access line
GATEWAY_CAUSES = catalogue.GATEWAY_CAUSES + http_causes.MESSAGE_CAUSES
# The failure lines that quote the function's own errorMessage
FUNCTION_ERRORS = (catalogue.CUSTOMER_FUNCTION_ERROR, http_causes.FUNCTION_ERROR)


def _gateway_hits(story: Story) -> list[Hit]:
    hits: dict[str, Hit] = {}
    for line in story.lines:
        if line.text.startswith(BODY_HEAD) or ACCESS_LINE.match(line.text):
            continue
        found = catalogue.match(GATEWAY_CAUSES, line.text)
        if found and found[0].id not in hits:
            hits[found[0].id] = Hit(found[0], found[1], line)
    ordered = sorted(hits.values(), key=lambda h: h.cause is catalogue.CONFIGURATION_ERROR)
    if len(ordered) > 1 and ordered[-1].cause is catalogue.CONFIGURATION_ERROR:
        ordered.pop()  # a specific configuration error was found; the generic reading of the same line goes
    return ordered


def _lambda_hits(story: Story, gateway: list[Hit]) -> list[Hit]:
    texts: list[tuple[str, str | None, LogLine]] = []  # (message, errorType, line)
    for hit in gateway:
        if hit.cause in FUNCTION_ERRORS:
            texts.append((hit.group("error_message"), None, hit.line))
    body = response_body(story)
    if body is not None:
        data = _json(body[0])
        if isinstance(data, dict) and ("errorMessage" in data or "errorType" in data):
            texts.append((str(data.get("errorMessage", "")), str(data.get("errorType", "")) or None, body[1]))
    for line in story.lambda_lines + [line for line in story.lines if line.function]:
        record = _ERROR_RECORD.match(line.text)
        typed_line = _ERROR_TYPE.search(line.text)
        if record:
            texts.append((record.group("message"), record.group("type"), line))
        elif typed_line:
            texts.append(("", typed_line.group("type"), line))
        else:
            texts.append((line.text, None, line))
    hits: dict[str, Hit] = {}
    for message, error_type, line in texts:
        found = catalogue.match(catalogue.LAMBDA_CAUSES, message)
        candidate = Hit(found[0], found[1], line) if found else None
        if candidate is None and error_type:
            typed = catalogue.by_error_type(error_type)
            if typed is not None:
                candidate = Hit(typed, None, line)
        if candidate is not None and candidate.cause.id not in hits:
            hits[candidate.cause.id] = candidate
    return list(hits.values())


def _function_error(story: Story, gateway: list[Hit]) -> FunctionError | None:
    """The function's unhandled error: from its own log, else from the logged answer, else from the failure line."""
    found = function_error.from_lines(story.lambda_lines + [line for line in story.lines if line.function])
    if found is not None:
        return found
    body = response_body(story)
    if body is not None:
        found = function_error.from_payload(_json(body[0]), body[1])
        if found is not None:
            return found
    for hit in gateway:
        if hit.cause in FUNCTION_ERRORS:
            return function_error.from_message(hit.group("error_message"), hit.line)
    return None


def _frame(error: FunctionError) -> tuple[str, ...]:
    failing = error.failing
    return (f"raised at {failing}",) if failing else ()


def _lambda_failed(story: Story) -> bool:
    return any("Status: error" in line.text or "Status: timeout" in line.text or _ERROR_RECORD.match(line.text)
               for line in story.lambda_lines)


def response_body(story: Story) -> tuple[str, LogLine] | None:
    for line in reversed(story.lines):
        if line.text.startswith(BODY_HEAD):
            return line.text[len(BODY_HEAD):], line
    return None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _gateway_finding(hit: Hit, story: Story, status: int | None, request: MethodRequest) -> Finding:
    cause, line = hit.cause, hit.line
    details: list[str] = []
    summary = cause.title
    evidence = [line]
    if cause is catalogue.MALFORMED_PROXY_RESPONSE:
        body = response_body(story)
        if body is None:
            details.append("the function's answer is not in the log (data tracing off): run `lambdagate doctor` "
                           "to validate it")
        else:
            evidence.insert(0, body[1])
            details += _validate(body[0])
    elif cause in FUNCTION_ERRORS:
        details += _function_error_details(story, hit.group("error_message"))
        summary = f"{cause.title}: {hit.group('error_message')}"
    elif cause is http_causes.AUTHORIZER_INVALID_RESPONSE and hit.group("reason"):
        summary = f"{cause.title}: {hit.group('reason')}"
    elif cause is catalogue.INVALID_PERMISSIONS:
        details += permission_details(story, request)
        if console_test(story, request):
            summary = f"{cause.title} in a console test (SourceArn stage {TEST_INVOKE_STAGE})"
    elif cause in (catalogue.UNABLE_TO_TRANSFORM_REQUEST, catalogue.UNABLE_TO_TRANSFORM_RESPONSE):
        details += transform_details(request)
        evidence = [*(item for item in request.lines if item.text.startswith(("HTTP Method:", "Method request body"))),
                    line]
    elif cause is catalogue.CONFIGURATION_ERROR:
        reason = hit.group("reason").strip()
        if reason:
            summary = f"a configuration error: {reason}"
            details.append("not one of the Lambda proxy failures that lambdagate knows; the text is API Gateway's")
        else:
            for text, candidate in _CANDIDATES.get(status or 0, ()):
                reason = text.removeprefix(errors.CONFIGURATION_ERROR_PREFIX)
                details.append(f"with status {status}, if the reason was '{reason}': {candidate.explanation} "
                               f"Fix: {candidate.fix}")
    return Finding(cause, tuple(evidence), tuple(details), summary)


def _http_status_finding(story: Story, status: int) -> Finding:
    """An HTTP API's access line without a message that names the cause: what its status says (§6), the latency
    deciding between an integration timeout and a throttled Lambda on a 503."""
    candidates = http_causes.BY_STATUS.get(status, ())
    evidence = tuple(line for line in story.lines if not line.text.startswith("lambdagate: ")) or tuple(story.lines)
    remarks = tuple(f"lambdagate said: {line.text.removeprefix('lambdagate: ')}" for line in story.lines
                    if line.text.startswith("lambdagate: "))
    if not candidates:
        return Finding(UNKNOWN, evidence, remarks, UNKNOWN.title)
    latency = story.integration_latency
    if status == 503 and latency is not None:
        cause = (http_causes.INTEGRATION_TIMEOUT if latency >= http_causes.TIMEOUT_LATENCY_MS
                 else http_causes.LAMBDA_THROTTLED)
        return Finding(cause, evidence, (f"integrationLatency {latency} ms", *remarks), cause.title)
    details = [f"status {status} and no message in the line (HTTP APIs write no execution log)"]
    details += [f"or: {other.title}: {other.explanation}" for other in candidates[1:]]
    return Finding(candidates[0], evidence, (*details, *remarks), candidates[0].title)


def _validate(payload: str) -> list[str]:
    cut = payload.endswith(TRUNCATED)
    found = violations(payload.removesuffix(TRUNCATED).encode("utf-8"))
    out = [f"{v.path}: {v.reason}; fix: {v.fix_for('')}" if not v.reason.startswith(v.path) else
           f"{v.reason}; fix: {v.fix_for('')}" for v in found]
    if cut:
        out.append("the logged answer ends in [TRUNCATED] (API Gateway cuts it at about 1 KB): the rest is unseen")
    if not found:
        out.append("the logged answer passes the validator; the log may hold only part of it")
    return out


def _function_error_details(story: Story, message: str) -> list[str]:
    body = response_body(story)
    error = function_error.from_payload(_json(body[0]), body[1]) if body else None
    if error is None or not error.type:
        return []
    return [f"the function raised {error.type}: {error.message or message}", *_frame(error)]


def _lambda_details(hit: Hit) -> tuple[str, ...]:
    cause = hit.cause
    groups = {k: v for k, v in (hit.match.groupdict() if hit.match else {}).items() if v}
    if cause is catalogue.IMPORT_MODULE_ERROR and "detail" in groups:
        missing = re.search(r"No module named '(?P<name>[^']+)'", groups["detail"])
        if missing and missing.group("name").split(".")[0] == groups.get("module", "").replace("/", ".").split(".")[0]:
            return (f"the handler's own module {groups['module']!r} is not in the package: check Handler and "
                    "that the file sits at the root of CodeUri / of the .zip",)
        if missing:
            return (f"{groups['module']!r} was found, but it imports {missing.group('name')!r}, which is not "
                    "packaged: vendor it into CodeUri or a layer",)
    if cause is catalogue.PERMISSION_DENIED and "path" in groups:
        return (f"Lambda could not read {groups['path']}",)
    return tuple(f"{k}: {v}" for k, v in groups.items())


def _summary(hit: Hit) -> str:
    text = hit.match.group(0).strip() if hit.match else ""
    return f"{hit.cause.title}: {text}" if text else hit.cause.title
