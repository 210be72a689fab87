"""Log text as users paste it -> one LogLine per log message, wrappers taken off.

Understood wrappers (outermost first):
- `aws logs filter-log-events` / `get-log-events` JSON (`{"events": [{"message": ...}]}`), `aws apigateway
  test-invoke-method` JSON (`{"log": "..."}`), and JSON lines with a `message`;
- `aws logs tail` lines: `2024-01-01T00:00:00.000000+00:00 <log stream> <message>` (short format: no stream);
- lambdagate's terminal: `[<FunctionLogicalId>] <Lambda log line>`, two-space indented execution-log tails;
- the console's test-invoke stamp `Wed Aug 03 08:10:00 UTC 2022 : ` (fact sheet §4.2) and CloudWatch's
  `(<requestId>) ` prefix (§4.1).
Glued lines are split at every stamp, even a damaged one (the article's `... error: WE Aug 03 09:10:00 UTC 2022 :
Method completed with status: 502`), at every `(<requestId>) ` prefix and before `Method completed with status:`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import METHOD_COMPLETED_LINE
from ..observe.execution_log import (
    ENDPOINT_REQUEST_BODY,
    ENDPOINT_RESPONSE_BODY,
    METHOD_REQUEST_BODY,
    METHOD_RESPONSE_BODY,
)

_MONTH = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
# `EEE MMM dd HH:mm:ss UTC yyyy : `; the weekday may be damaged or missing, the rest is needed
STAMP = re.compile(rf"(?:\b[A-Za-z]{{1,3}}\s+)?{_MONTH}\s+\d{{1,2}}\s+\d{{1,2}}:\d\d:\d\d\s+UTC\s+\d{{4}}\s*:\s?")
# a request id, AWS's or the article's `xxxxxxxx-xxxx-...` placeholder
ID = r"[0-9a-zA-Z]{8}-[0-9a-zA-Z]{4}-[0-9a-zA-Z]{4}-[0-9a-zA-Z]{4}-[0-9a-zA-Z]{12}"
PREFIX = re.compile(rf"\((?P<rid>{ID}|test-invoke-request)\) ")
# `aws logs tail` (and `lambdagate logs`, which names the group when it prints several)
_TAIL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?[+-]\d\d:\d\d (?:(?:/aws/|API-Gateway-)\S+ )?"
                   r"(?P<stream>\S+) (?P<message>.*)$")
_TAIL_SHORT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d (?P<message>\S.*)$")
# `serverless logs`/`awslogs`-style prefixes: a log stream's short id and a time, or a bare time, before an execution
# log line (e.g. aws/serverless-application-model#553: `a5bfc9 14:52:31  (<requestId>) ...`)
_CLOCK = re.compile(r"^(?:[0-9a-f]{6,32}\s+)?\d\d:\d\d:\d\d(?:\.\d+)?\s+(?=\(|Method |Endpoint |Execution |Lambda |"
                    r"Starting execution|HTTP Method:|Gateway response|Received response|Sending request|"
                    r"Successfully completed)")
_FUNCTION_PREFIX = re.compile(r"^\[(?P<name>[A-Za-z][A-Za-z0-9]*)\] (?P<rest>.*)$")
_LOG_LEVELS = frozenset({"ERROR", "INFO", "WARNING", "WARN", "DEBUG", "CRITICAL", "TRACE", "FATAL"})
_COMPLETED = re.compile(r"(?<=\S)\s+(?=" + re.escape(METHOD_COMPLETED_LINE.split("{")[0]) + r"\d)")
# lines whose rest is a payload: never split inside them
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_PAYLOAD_HEADS = tuple(head.rstrip() for head in (ENDPOINT_RESPONSE_BODY, ENDPOINT_REQUEST_BODY, METHOD_RESPONSE_BODY,
                                                    METHOD_REQUEST_BODY))


@dataclass(frozen=True)
class LogLine:
    where: str                   # "line 3", "line 3, part 2", "event 4": where the user finds it
    text: str                    # the log message, wrappers off
    request_id: str | None = None   # API Gateway's request id, from the `(<id>) ` prefix
    stamped: bool = False        # carried the console's test-invoke stamp
    function: str | None = None  # lambdagate's `[<FunctionLogicalId>]` prefix


def read_lines(text: str) -> list[LogLine]:
    records = _json_records(text)
    if records is None:
        records = [(f"line {i}", line) for i, line in enumerate(text.splitlines(), start=1)]
    out: list[LogLine] = []
    for where, message in records:
        for k, part in enumerate(message.split("\r")):
            out += _unwrap(where if k == 0 else f"{where}, part {k + 1}", part)
    return out


def read_records(records: Iterable[tuple[str, str]]) -> list[LogLine]:
    """Log events as CloudWatch Logs returns them: (where, message); a message may hold several lines (a Python
    traceback is one event)."""
    out: list[LogLine] = []
    for where, message in records:
        for j, part in enumerate(_LINE_BREAK.split(message.rstrip("\r\n")) or [""]):
            out += _unwrap(where if j == 0 else f"{where}, line {j + 1}", part)
    return out


def _json_records(text: str) -> list[tuple[str, str]] | None:
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        data: Any = json.loads(stripped)
    except ValueError:
        return _json_lines(stripped)
    if isinstance(data, dict) and isinstance(data.get("log"), str):
        return [(f"log line {i}", line) for i, line in enumerate(data["log"].splitlines(), start=1)]
    events = data.get("events") if isinstance(data, dict) else data
    if not isinstance(events, list) or not all(isinstance(e, dict) and "message" in e for e in events):
        return None
    out = []
    for i, event in enumerate(events, start=1):
        for j, line in enumerate(str(event["message"]).splitlines() or [""]):
            out.append((f"event {i}" if j == 0 else f"event {i}, line {j + 1}", line))
    return out


def _json_lines(text: str) -> list[tuple[str, str]] | None:
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        try:
            data = json.loads(line)
        except ValueError:
            return None
        if not isinstance(data, dict) or "message" not in data:
            return None
        out.append((f"line {i}", str(data["message"])))
    return out


def _unwrap(where: str, raw: str) -> list[LogLine]:
    text = raw.strip().rstrip("\n")
    tail = _TAIL.match(text) or _TAIL_SHORT.match(text)
    if tail:
        text = tail.group("message").strip()
    clock = _CLOCK.match(text)
    if clock:
        text = text[clock.end():]
    function = None
    named = _FUNCTION_PREFIX.match(text)
    if named and named.group("name") not in _LOG_LEVELS:
        function, text = named.group("name"), named.group("rest")
    if not text:
        return []
    pieces = _split_glued(text)
    out = []
    for n, piece in enumerate(pieces):
        spot = where if len(pieces) == 1 else f"{where}, part {n + 1}"
        out.append(_line(spot, piece, function))
    return out


def _split_glued(text: str) -> list[str]:
    cuts = {m.start() for m in STAMP.finditer(text)} | {m.start() for m in PREFIX.finditer(text)}
    cuts.discard(0)
    bounds = [0, *sorted(cuts), len(text)]
    out = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        piece = text[start:end]
        head = _wrapper_length(piece)
        body = piece[head:]
        if body.strip().startswith(_PAYLOAD_HEADS):
            out.append(piece)
            continue
        parts = _COMPLETED.split(body)
        out += [piece[:head] + parts[0], *parts[1:]]
    return [p for p in out if p.strip()]


def _wrapper_length(piece: str) -> int:
    """How many leading characters are a stamp and/or a `(<requestId>) ` prefix."""
    end = 0
    stamp = STAMP.match(piece)
    if stamp:
        end = stamp.end()
    prefix = PREFIX.match(piece, end)
    return prefix.end() if prefix else end


def _line(where: str, piece: str, function: str | None) -> LogLine:
    text = piece.strip()
    stamped = False
    stamp = STAMP.match(text)
    if stamp:
        stamped, text = True, text[stamp.end():].strip()
    request_id = None
    prefix = PREFIX.match(text)
    if prefix:
        request_id, text = prefix.group("rid"), text[prefix.end():]
    return LogLine(where, text.rstrip(), request_id, stamped, function)
