"""`lambdagate explain --aws`: the failed requests of a stage, read from CloudWatch Logs (FilterLogEvents only), and
explained as pasted logs are.

1. The stage's execution log group `API-Gateway-Execution-Logs_<apiId>/<stage>` (fact sheet §4.1): the requests
   whose `Method completed with status:` is 4XX or 5XX (or the one `--request-id`), then every line of each
   (every line carries the `(<requestId>) ` prefix).
2. Each request's function log (`/aws/lambda/<function>`, §5.3): the invocation whose START, END and REPORT lines
   carry the Lambda request id API Gateway logged, with the lines its log stream holds between them (a Python
   traceback carries no request id).
3. With execution logging off, or none written in the window: the functions the stage integrates, searched for
   failed invocations (`[ERROR]`, `Invoke Error`, `Task timed out`, `Status: error`), and the way to turn execution
   logging on.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, cast

from ..explain import Explanation, explain_lines
from ..explain.reading import LogLine, read_records
from ..observe.log_groups import execution_log_group
from . import deployed
from .access import AwsAccess
from .doctor import enable_logging
from .shapes import FilteredLogEvent
from .target import StageRef

MAX_REQUESTS = 20            # the most recent failed requests explained
MAX_EVENTS = 5000            # events read from one stream around an invocation
_COMPLETED = re.compile(r"^\((?P<rid>[^)]+)\) Method completed with status: (?P<status>\d{3})")
_LAMBDA_ID = re.compile(r"(?:Lambda request id: |Endpoint RequestId : |x-amzn-RequestId=|RequestId: )"
                        r"(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
_FUNCTION = re.compile(r"functions/arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:(?P<name>[^:/\s]+)")
_FAILED_MARKS = ("[ERROR]", "Invoke Error", "Task timed out", "Status: error", "Status: timeout", "Runtime exited",
                 "Uncaught Exception")
FAILED_PATTERN = " ".join(f'?"{mark}"' for mark in _FAILED_MARKS)   # CloudWatch Logs filter pattern syntax: OR


@dataclass
class Fetched:
    explanation: Explanation
    notes: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


def execution_group(ref: StageRef) -> str:
    return execution_log_group(ref.api_id, ref.stage)


def fetch(access: AwsAccess, ref: StageRef, since_seconds: int, request_id: str | None = None) -> Fetched:
    start = int((time.time() - since_seconds) * 1000)
    reader = _Reader(access, start)
    notes: list[str] = []
    stage = deployed.read(access, ref, None)
    settings = (stage.stage.get("methodSettings") or {}).get("*/*") or {}
    level = str(settings.get("loggingLevel") or "OFF")
    if level == "OFF":
        notes.append(f"execution logging is off for stage {ref.stage}: API Gateway's side of each failure is not "
                     f"logged. Turn it on: {enable_logging(ref)}")
    group = execution_group(ref)
    requests = reader.failed_requests(group, request_id)
    if requests is None:
        notes.append(f"no log group {group}" + ("" if level == "OFF" else " (execution logging is on, but nothing "
                                                "was written yet, or the account has no CloudWatch Logs role)"))
        requests = {}
    elif len(requests) > MAX_REQUESTS:
        notes.append(f"{len(requests)} failed requests since {_time(start)}; the {MAX_REQUESTS} most recent are "
                     "explained (use --request-id or a shorter --since)")
    chosen = sorted(requests.items(), key=lambda item: item[1][0].get("timestamp", 0))[-MAX_REQUESTS:]
    lines: list[LogLine] = []
    linked = False
    for _rid, events in chosen:
        lines += reader.records(group, events)
        for lambda_id, name in _links(events):
            invocation = reader.invocation(f"/aws/lambda/{name}", lambda_id)
            linked = linked or bool(invocation)
            lines += invocation
    if not chosen and request_id is None:
        names = sorted({f.name for f in stage.functions.values() if f.configuration is not None})
        for name in names:
            lines += reader.failed_invocations(f"/aws/lambda/{name}")
        notes.append(f"searched the logs of {', '.join(names) or 'no function'} for failed invocations since "
                     f"{_time(start)}")
    elif request_id is not None and not chosen:
        notes.append(f"no line of request {request_id} in {group} since {_time(start)}")
    return Fetched(explain_lines(lines), notes, reader.groups)


def _links(events: list[FilteredLogEvent]) -> list[tuple[str, str]]:
    """(Lambda request id, function name) of a request's execution-log lines."""
    names = [m.group("name") for e in events for m in [_FUNCTION.search(e.get("message", ""))] if m]
    ids = list(dict.fromkeys(m.group("id") for e in events for m in [_LAMBDA_ID.search(e.get("message", ""))] if m))
    return [(lambda_id, names[0]) for lambda_id in ids] if names else []


def _time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="seconds")


class _Reader:
    def __init__(self, access: AwsAccess, start: int) -> None:
        self.access = access
        self.start = start
        self.groups: list[str] = []

    def events(self, group: str, pattern: str | None = None, **params: object) -> list[FilteredLogEvent] | None:
        """Every event of the group since the start that matches (None: no such group)."""
        query: dict[str, Any] = {"logGroupName": group, "startTime": self.start, **params}
        if pattern:
            query["filterPattern"] = pattern
        page = self.access.call("logs", "filter_log_events", missing_ok=True, **query)
        if page is None:
            return None
        if group not in self.groups:
            self.groups.append(group)
        found = [cast(FilteredLogEvent, e) for e in page.get("events", [])]
        while page.get("nextToken") and len(found) < MAX_EVENTS * 4:
            page = self.access.call("logs", "filter_log_events", nextToken=page["nextToken"], **query)
            found += [cast(FilteredLogEvent, e) for e in page.get("events", [])]
        return sorted(found, key=lambda e: (e.get("timestamp", 0), e.get("eventId", "")))

    def failed_requests(self, group: str, request_id: str | None) -> dict[str, list[FilteredLogEvent]] | None:
        if request_id is not None:
            events = self.events(group, f'"{request_id}"')
            return None if events is None else ({request_id: events} if events else {})
        completed = self.events(group, '"Method completed with status"')
        if completed is None:
            return None
        failed = [m.group("rid") for e in completed for m in [_COMPLETED.match(e.get("message", ""))]
                  if m and int(m.group("status")) >= 400]
        out = {}
        for rid in list(dict.fromkeys(failed))[-MAX_REQUESTS:]:
            out[rid] = [e for e in self.events(group, f'"{rid}"') or [] if e.get("message", "").startswith(f"({rid})")]
        return out

    def records(self, group: str, events: list[FilteredLogEvent]) -> list[LogLine]:
        return read_records((f"{group} {_time(e.get('timestamp', 0))}", e.get("message", "")) for e in events)

    def invocation(self, group: str, lambda_id: str) -> list[LogLine]:
        """START .. REPORT of one invocation, with the lines of its stream in between (and an initialisation's)."""
        marks = self.events(group, f'"{lambda_id}"') or []
        if not marks:
            return []
        stream = marks[0].get("logStreamName", "")
        first, last = marks[0].get("timestamp", 0), marks[-1].get("timestamp", 0)
        window = self.events(group, None, logStreamNames=[stream], startTime=max(self.start, first - 15_000),
                             endTime=last) or []
        return self._cut(group, stream, window[-MAX_EVENTS:], first, lambda_id)

    def failed_invocations(self, group: str) -> list[LogLine]:
        hits = [e for e in self.events(group, FAILED_PATTERN) or []
                if any(mark in e.get("message", "") for mark in _FAILED_MARKS)]
        out: list[LogLine] = []
        seen: set[tuple[str, int]] = set()
        for hit in hits[-MAX_REQUESTS:]:
            stream, at = hit.get("logStreamName", ""), hit.get("timestamp", 0)
            window = self.events(group, None, logStreamNames=[stream], startTime=max(self.start, at - 900_000),
                                 endTime=at + 900_000) or []
            start = _start_before(window, at)
            if (stream, start) in seen:
                continue
            seen.add((stream, start))
            out += self._cut(group, stream, window, start, None)
        return out

    def _cut(self, group: str, stream: str, window: list[FilteredLogEvent], first: int,
             lambda_id: str | None) -> list[LogLine]:
        """The events from the end of the previous invocation (so an initialisation's lines come along) to this
        one's REPORT."""
        begin = 0
        for n, event in enumerate(window):
            if event.get("timestamp", 0) >= first:
                break
            if event.get("message", "").startswith(("END RequestId:", "REPORT RequestId:")):
                begin = n + 1
        end = len(window)
        for n in range(begin, len(window)):
            message = window[n].get("message", "")
            if message.startswith("REPORT RequestId:") and window[n].get("timestamp", 0) >= first and \
                    (lambda_id is None or lambda_id in message):
                end = n + 1
                break
        return read_records((f"{group} {stream} {_time(e.get('timestamp', 0))}", e.get("message", ""))
                            for e in window[begin:end])


def _start_before(window: list[FilteredLogEvent], at: int) -> int:
    """The time of the last START at or before `at` (the invocation that logged the failure)."""
    starts = [e.get("timestamp", 0) for e in window
              if e.get("message", "").startswith("START RequestId:") and e.get("timestamp", 0) <= at]
    return starts[-1] if starts else at
