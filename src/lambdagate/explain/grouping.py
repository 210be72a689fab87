"""LogLines -> the story of each request: API Gateway's lines (by request id, or in order when unprefixed),
the function's Lambda log lines (by Lambda request id, linked through the ids API Gateway logs), and the lines
that belong to no request."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .. import causes as catalogue
from ..errors import METHOD_COMPLETED_LINE
from .reading import ID as _ID
from .reading import LogLine

# API Gateway's execution-log lines (fact sheet §4.1, §4.2; aws-auth.md §1.11, §4.3, §5), by their first words
EXECUTION_HEADS = (
    "Extended Request Id:", "Verifying Usage Plan", "API Key ", "Usage Plan check", "Starting execution",
    "Starting authorizer:", "Incoming identity:", "Authorizer result body before parsing:",
    "Using valid authorizer policy", "Successfully completed authorizer execution", "Unauthorized request:",
    "The client is not authorized", "AuthorizerConfigurationException", "Request body does not match model schema",
    "HTTP Method:", "Method request ", "Endpoint request ", "Sending request to", "Received response.",
    "Endpoint response ", "Method response ", "Successfully completed execution", "Method completed with status:",
    "AWS Integration Endpoint RequestId", "X-ray Tracing ID", "Execution failed due to", "Lambda execution failed",
    "Lambda invocation failed", "Key throttle limit exceeded", "Lambda Customer Function Error:",
    "Gateway response type:", "Gateway response body:", "Gateway response headers:")
# Lambda's log lines (fact sheet §5.3)
_LAMBDA_HEADS = ("START RequestId:", "END RequestId:", "REPORT RequestId:", "INIT_START", "INIT_REPORT",
                 "RequestId:", "EXTENSION", "Traceback (most recent call last):", "File \"")
_LEVEL_LINE = re.compile(r"^\[(ERROR|INFO|WARNING|DEBUG|CRITICAL)\]")
# a Python traceback's lines, and what follows a frame line (its source line)
_TRACEBACK = ("Traceback (most recent call last):", "File \"", "[ERROR]")
# Node.js's older console format for an error, `<time>\t<id>\tTypeError: ...`, its `at ...` frames on the next lines
_NODE_ERROR = re.compile(r"\t(?:ERROR\t)?(?:Uncaught Exception\s+)?[A-Z]\w*(?:Error|Exception): ")
# Lambda's JSON log format (LDG monitoring-cloudwatchlogs-advanced): {"timestamp", "level", "message", "requestId"}
_JSON_LEVEL = re.compile(r'^\{.*"level"\s*:\s*"(?:ERROR|INFO|WARN|WARNING|DEBUG|TRACE|FATAL|CRITICAL)"')
# `[ERROR]\t<time>\t<id>\t...` (Python logging), `<time>\t<id>\tINFO\t...` (Node.js), `<time> <id> Task timed out`
_TIMED_LINE = re.compile(rf"^(?:\[\w+\]\t)?\d{{4}}-\d\d-\d\dT[\d:.]+Z[\t ](?P<id>{_ID})[\t ]")
# Node.js outside an invocation writes `undefined` where the request id goes (§10.9's EACCES capture)
_NODE_LINE = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z\t\S+\t(?:INFO|ERROR|WARN|DEBUG|TRACE|FATAL)\t")
_RUN_ID = re.compile(rf"^(?:START|END|REPORT) RequestId: (?P<id>{_ID})")
_LINKS = (re.compile(rf"Lambda request id: (?P<id>{_ID})"), re.compile(rf"Endpoint RequestId : (?P<id>{_ID})"),
          re.compile(rf"x-amzn-RequestId=(?P<id>{_ID})"), re.compile(rf"RequestId: (?P<id>{_ID}) Error:"))
# lambdagate's terminal: `12:00:00 GET /raise 502 12.3 ms` and `lambdagate: <remark>`
ACCESS_LINE = re.compile(r"^(?P<time>\d\d:\d\d:\d\d) (?P<method>[A-Z]+) (?P<target>\S+) (?P<status>\d{3}) "
                         r"[\d.]+ ms$")
# an access log line: CLF as the console writes it (AGDG set-up-access-logging.md), or a JSON format with a request id
_CLF = re.compile(rf'^\S+ \S+ \S+ \[[^\]]+\]\s?"(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" (?P<status>\d{{3}}) \S+ '
                  rf"(?P<id>{_ID})(?: \S+)?$")
# an HTTP API's: the console's CLF preset, `"<method> <routeKey> <protocol>"` and the 16-character request id, with
# what the troubleshooting recipe appends (`$context.integrationErrorMessage`) after it (aws-http-api.md §7.2)
HTTP_API_REQUEST_ID = r"[A-Za-z0-9_-]{15}="
_HTTP_CLF = re.compile(rf'^\S+ \S+ \S+ \[[^\]]+\]\s?"(?P<method>[A-Z]+) (?P<route>[^"]*) HTTP/[\d.]+" '
                       rf"(?P<status>\d{{3}}) \S+ (?P<id>{HTTP_API_REQUEST_ID})(?: (?P<message>.*))?$")
_COMPLETED = re.compile(re.escape(METHOD_COMPLETED_LINE.split("{")[0]) + r"(?P<status>\d{3})")
_GATEWAY_RESPONSE = re.compile(r"^Gateway response type: \S+ with status code: (?P<status>\d{3})")
_TEST_INVOKE = re.compile(r"^Execution log for request (?P<id>\S+)")
_STARTING = re.compile(r"^Starting execution for request: (?P<id>\S+)")


@dataclass
class Story:
    key: str                                   # the request id, or a label when the log has none
    request_id: str | None = None
    lines: list[LogLine] = field(default_factory=list)         # API Gateway's (and lambdagate's) lines
    lambda_lines: list[LogLine] = field(default_factory=list)  # the function's, linked by Lambda request id
    closed: bool = False
    access_status: int | None = None   # from an access log line
    http_api: bool = False             # an HTTP API's access line (no execution log exists for it)
    integration_latency: int | None = None   # from a JSON access line's integrationLatency

    @property
    def status(self) -> int | None:
        for line in reversed(self.lines):
            found = _COMPLETED.match(line.text) or _GATEWAY_RESPONSE.match(line.text)
            if found:
                return int(found.group("status"))
        if self.access_status is not None:
            return self.access_status
        for line in reversed(self.lines):
            found = ACCESS_LINE.match(line.text)
            if found:
                return int(found.group("status"))
        return None

    @property
    def access_only(self) -> bool:
        """Only access-log lines (lambdagate's or AWS's): no execution log was written for this request."""
        return bool(self.lines) and not self.lambda_lines and all(
            ACCESS_LINE.match(line.text) or access_record(line.text) for line in self.lines)


@dataclass
class Reading:
    stories: list[Story]
    unplaced: list[tuple[LogLine, str]]


@dataclass(frozen=True)
class AccessRecord:
    request_id: str
    status: int | None
    http_api: bool = False                  # the request id is an HTTP API's (16 characters)
    integration_latency: int | None = None


def access_record(text: str) -> AccessRecord | None:
    """An access log line's request id and status: CLF (REST's, or an HTTP API's with a message after it), or a JSON
    object with a request id and a status."""
    clf = _CLF.match(text)
    if clf:
        return AccessRecord(clf.group("id"), int(clf.group("status")))
    http = _HTTP_CLF.match(text)
    if http:
        return AccessRecord(http.group("id"), int(http.group("status")), True)
    if not text.startswith("{"):
        return None
    try:
        data: Any = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or "level" in data:
        return None   # a Lambda log record in the JSON format, not an access log line
    ids = [str(v) for k, v in data.items() if re.fullmatch(r"request_?id", k, re.IGNORECASE)]
    statuses = [str(v) for k, v in data.items() if k.lower() == "status"]
    latencies = [str(v) for k, v in data.items() if re.fullmatch(r"integration_?latency", k, re.IGNORECASE)]
    if not ids:
        return None
    return AccessRecord(ids[0], int(statuses[0]) if statuses and statuses[0].isdigit() else None,
                        re.fullmatch(HTTP_API_REQUEST_ID, ids[0]) is not None,
                        int(latencies[0]) if latencies and latencies[0].isdigit() else None)


def is_lambda_line(text: str) -> bool:
    return text.startswith(_LAMBDA_HEADS) or bool(_LEVEL_LINE.match(text) or _TIMED_LINE.match(text) or
                                                   _NODE_LINE.match(text) or _JSON_LEVEL.match(text))


def _json_request_id(text: str) -> str | None:
    if not _JSON_LEVEL.match(text):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    found = data.get("requestId") if isinstance(data, dict) else None
    return found if isinstance(found, str) and re.fullmatch(_ID, found) else None


class _Grouper:
    def __init__(self) -> None:
        self.stories: dict[str, Story] = {}
        self.unplaced: list[tuple[LogLine, str]] = []
        self.current: Story | None = None        # where unprefixed execution lines go
        self.latest: Story | None = None         # where lambdagate's remarks go
        self.access: list[LogLine] = []          # lambdagate access lines waiting for their request's lines
        self.runs: dict[str, list[LogLine]] = {}
        self.open_run: str | None = None
        self.before_start: list[LogLine] = []     # Lambda lines of an initialisation, before its START
        self.in_traceback = False                 # the last line was part of a traceback or a Node.js error
        self.last_target: str | None = None       # the invocation the last Lambda line went to

    def story(self, key: str, request_id: str | None = None) -> Story:
        if key not in self.stories:
            self.stories[key] = Story(key, request_id)
        story = self.stories[key]
        if self.access:
            story.lines += self.access
            self.access = []
        self.latest = story
        return story

    def add(self, line: LogLine) -> None:
        text = line.text
        continuing, self.in_traceback = self.in_traceback, False
        head = _TEST_INVOKE.match(text)
        if head:
            self.current = self.story(head.group("id"), head.group("id"))
            self.current.lines.append(line)
        elif line.request_id:
            self.story(line.request_id, line.request_id).lines.append(line)
        elif (record := access_record(text)) is not None:
            story = self.story(record.request_id, record.request_id)
            story.lines.append(line)
            story.access_status = record.status
            story.http_api = story.http_api or record.http_api
            story.integration_latency = record.integration_latency
        elif ACCESS_LINE.match(text):
            self._flush_access()
            self.access.append(line)
        elif text.startswith("lambdagate: "):
            if self.latest is not None:
                self.latest.lines.append(line)
            else:
                self.unplaced.append((line, "a lambdagate notice, not part of a request"))
        elif is_lambda_line(text) or line.function:
            self._lambda(line)
            self.in_traceback = text.startswith(_TRACEBACK) or bool(_NODE_ERROR.search(text))
        elif text.startswith(EXECUTION_HEADS):
            self._execution(line)
        elif self.open_run is not None:
            self.runs[self.open_run].append(line)   # the function's own output between START and END
            self.in_traceback = continuing
        elif continuing:
            self._continue(line)                    # a frame or its source line, outside START .. END
            self.in_traceback = True
        elif catalogue.match(catalogue.GATEWAY_CAUSES + catalogue.LAMBDA_CAUSES, text):
            self._execution(line)                   # e.g. an error body pasted from curl
        else:
            self.unplaced.append((line, "not a line of an execution log or a Lambda log"))

    def _execution(self, line: LogLine) -> None:
        starting = _STARTING.match(line.text)
        story = self.current
        if starting and (story is None or story.closed or story.request_id not in (None, starting.group("id"))):
            story = self.current = self.story(starting.group("id"), starting.group("id"))
        elif story is None or story.closed:
            story = self.current = self.story(f"request {len(self.stories) + 1} (no request id in the log)")
        story.lines.append(line)
        self.latest = story
        if _COMPLETED.match(line.text):
            story.closed = True

    def _lambda(self, line: LogLine) -> None:
        text = line.text
        run = _RUN_ID.match(text) or _TIMED_LINE.match(text)
        if text.startswith("START RequestId:") and run:
            self.open_run = run.group("id")
            self.runs.setdefault(self.open_run, []).extend(self.before_start)
            self.before_start = []
        target = run.group("id") if run else (_json_request_id(text) or self.open_run)
        self.last_target = target
        if target is None:
            self.before_start.append(line)
            return
        self.runs.setdefault(target, []).append(line)
        if text.startswith("END RequestId:") and target == self.open_run:
            self.open_run = None

    def _continue(self, line: LogLine) -> None:
        if self.last_target is not None:
            self.runs.setdefault(self.last_target, []).append(line)
        else:
            self.before_start.append(line)

    def _flush_access(self) -> None:
        for line in self.access:
            found = ACCESS_LINE.match(line.text)
            assert found is not None
            self.access = []
            story = self.story(f"{found.group('method')} {found.group('target')} at {found.group('time')}")
            story.lines.append(line)
            story.closed = True
        self.access = []

    def finish(self) -> Reading:
        self._flush_access()
        linked: set[str] = set()
        for story in self.stories.values():
            for line in story.lines:
                for pattern in _LINKS:
                    for found in pattern.finditer(line.text):
                        lambda_id = found.group("id")
                        if lambda_id in self.runs and lambda_id not in linked:
                            linked.add(lambda_id)
                            story.lambda_lines += self.runs[lambda_id]
        for lambda_id, lines in self.runs.items():
            if lambda_id not in linked:
                self.story(f"Lambda request {lambda_id}").lambda_lines += lines
        if self.before_start:
            errors = [line for line in self.before_start if _LEVEL_LINE.match(line.text) or "Error" in line.text]
            if errors:
                label = ("the function's initialisation (no START line follows)" if self.runs else
                         "the function's error (no START, END or REPORT line)")
                self.story(label).lambda_lines += self.before_start
            else:
                self.unplaced += [(line, "a Lambda log line outside any invocation") for line in self.before_start]
        return Reading(list(self.stories.values()), self.unplaced)


def group(lines: list[LogLine]) -> Reading:
    grouper = _Grouper()
    for line in lines:
        grouper.add(line)
    return grouper.finish()
