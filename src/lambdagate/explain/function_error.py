"""The function's own unhandled error, from whatever part of a request's story holds it: its type, its message and
the frames of its stack with their source lines.

Where it is written (fact sheet §4.1, §5.1, §5.3):
- Python's Lambda log: `[ERROR] <Type>: <message>`, then `Traceback (most recent call last):` and one `File "<file>",
  line <n>, in <function>` line per frame, each followed by its source line (indented with U+00A0); or, with the
  JSON log format, `{"level": "ERROR", "message": {"errorMessage", "errorType", "stackTrace"}}`;
- Node.js's Lambda log: `<time>\\t<id>\\tERROR\\tInvoke Error \\t{"errorType", "errorMessage", "stack": [...]}` (or
  `Uncaught Exception`), frames `at <fn> (<file>:<line>:<column>)` with no source line;
- API Gateway's execution log with data tracing: `Endpoint response body before transformations: {"errorMessage",
  "errorType", "stackTrace" | "trace"}`;
- API Gateway's failure line, `... customer function error: <errorMessage>. Lambda request id: ...`: the message
  alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .reading import LogLine

_ERROR_RECORD = re.compile(r"^\[ERROR\]\s+(?P<type>[\w.]+):\s?(?P<message>.*)$")
_PY_FRAME = re.compile(r'File "(?P<file>[^"]+)",? [Ll]ine (?P<line>\d+)(?:, in (?P<function>\S+))?')
_JS_FRAME = re.compile(r"at (?:(?P<function>[^\s(]+) )?\(?(?:file://)?(?P<file>/[^:()\s]+):(?P<line>\d+):\d+\)?")
_JSON_START = re.compile(r"\{\s*\"")
# Node.js's older console format: `<time>\t<request id>\t[ERROR\t]TypeError: <message>`, frames `    at ...` after it
_NODE_ERROR = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z\t\S+\t(?:ERROR\t)?(?:Uncaught Exception\s+)?"
                         r"(?P<type>[A-Z]\w*(?:Error|Exception)): (?P<message>.*)$")
# the runtime's own frames, not the function's code (fact sheet §5.5: /var/runtime, /var/lang)
RUNTIME_FOLDERS = ("/var/runtime/", "/var/lang/", "node:internal", "/opt/python/lib/python")


@dataclass(frozen=True)
class Frame:
    file: str
    line: int
    function: str = ""
    code: str = ""             # the source line, when the runtime wrote it (Python)

    @property
    def own(self) -> bool:
        """The function's code (or what it packaged), not the runtime's or the language's library."""
        return not self.file.startswith(RUNTIME_FOLDERS)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f" in {self.function}" if self.function else "")
        return f"{where}: {self.code}" if self.code else where


@dataclass(frozen=True)
class FunctionError:
    type: str                  # "KeyError", "TypeError", "Runtime.ImportModuleError"; "" when only the message is known
    message: str
    frames: tuple[Frame, ...]  # outermost first, as tracebacks print them
    evidence: tuple[LogLine, ...]

    @property
    def failing(self) -> Frame | None:
        """The innermost frame of the function's own code: the line that failed."""
        own = [f for f in self.frames if f.own]
        return own[-1] if own else (self.frames[-1] if self.frames else None)

    @property
    def code(self) -> str:
        """Every source line the error's frames show, innermost first (rules look for event fields in them)."""
        return "\n".join(f.code for f in reversed(self.frames) if f.code)

    @property
    def said(self) -> str:
        return f"{self.type}: {self.message}" if self.type else self.message


def from_lines(lines: list[LogLine]) -> FunctionError | None:
    """The first unhandled error in the function's log lines (a Python traceback, a Node.js or JSON error record)."""
    for n, line in enumerate(lines):
        record = _ERROR_RECORD.match(line.text)
        if record:
            frames, used = _python_traceback(lines[n + 1:])
            message = record.group("message").strip().removesuffix("Traceback (most recent call last):").strip()
            return FunctionError(record.group("type"), message, frames, (line, *lines[n + 1:n + 1 + used][:6]))
        node = _NODE_ERROR.match(line.text)
        if node:
            stack = [f for item in lines[n + 1:n + 40] if item.text.startswith("at ") for f in _frames_of(item.text)]
            return FunctionError(node.group("type"), node.group("message").strip(), tuple(reversed(stack)), (line,))
        data = _embedded_json(line.text)
        if data is not None:
            error = from_payload(data, line)
            if error is not None:
                return error
    return None


def from_payload(data: Any, line: LogLine) -> FunctionError | None:
    """An error object as the runtime returns it (§5.1) or logs it in JSON."""
    if isinstance(data, dict) and isinstance(data.get("message"), dict):
        data = data["message"]     # the JSON log format's ERROR record
    if not isinstance(data, dict) or not ("errorType" in data or "errorMessage" in data):
        return None
    trace = data.get("stackTrace") or data.get("trace") or data.get("stack") or []
    frames: list[Frame] = []
    for entry in trace if isinstance(trace, list) else []:
        frames += _frames_of(str(entry))
    if trace and isinstance(trace, list) and _is_node(trace):
        frames.reverse()           # Node.js prints the innermost frame first
    return FunctionError(str(data.get("errorType") or ""), str(data.get("errorMessage") or ""), tuple(frames),
                         (line,))


def from_message(message: str, line: LogLine) -> FunctionError:
    """Only API Gateway's failure line: the errorMessage, no type, no frames (Python's KeyError message is the key
    in quotes, `'orderId'`)."""
    return FunctionError("", message, (), (line,))


def _python_traceback(lines: list[LogLine]) -> tuple[tuple[Frame, ...], int]:
    frames: list[Frame] = []
    used = 0
    for n, line in enumerate(lines):
        text = line.text
        if n == 0 and text.startswith("Traceback (most recent call last):"):
            used = 1
            continue
        frame = _PY_FRAME.match(text)
        if frame:
            frames.append(Frame(frame.group("file"), int(frame.group("line")), frame.group("function") or ""))
            used = n + 1
        elif frames and not frames[-1].code and used == n and not _ends_traceback(text):
            last = frames[-1]
            frames[-1] = Frame(last.file, last.line, last.function, text.strip())
            used = n + 1
        else:
            break
    return tuple(frames), used


def _ends_traceback(text: str) -> bool:
    return text.startswith(("START RequestId:", "END RequestId:", "REPORT RequestId:", "INIT_", "[ERROR]", "[INFO]"))


def _frames_of(entry: str) -> list[Frame]:
    """One stackTrace entry: Python's `  File "...", line n, in f\\n    code\\n`, or Node.js's `    at f (file:l:c)`."""
    found = _PY_FRAME.search(entry)
    if found:
        rest = entry[found.end():].strip().splitlines()
        return [Frame(found.group("file"), int(found.group("line")), found.group("function") or "",
                      rest[0].strip() if rest else "")]
    found = _JS_FRAME.search(entry)
    if found:
        return [Frame(found.group("file"), int(found.group("line")), found.group("function") or "")]
    return []


def _is_node(trace: list[Any]) -> bool:
    return any(str(entry).lstrip().startswith("at ") for entry in trace)


def _embedded_json(text: str) -> Any:
    """The JSON object a Node.js error record or a JSON log line carries after its prefix."""
    start = _JSON_START.search(text)
    if start is None:
        return None
    try:
        return json.loads(text[start.start():])
    except ValueError:
        return None
