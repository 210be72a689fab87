"""A local CloudWatch Logs: log groups named as AWS names them, kept under `.lambdagate/logs/`.

One JSON-lines file per group; a record holds the events one request or invocation wrote at one time: the messages
themselves (`{"timestamp": ms, "stream": ..., "messages": [...]}`), or a compact record of a kind whose messages are
rendered when read (`{"timestamp": ms, "stream": ..., "kind": "execution", "data": {...}}`: an execution log, rendered
by execution_log.stored_lines, so that serving does not render what nobody reads). A group's file is rolled over to
`<file>.1` past `max_bytes`, so the store stays bounded (two files a group) and survives restarts. Writes are
buffered and flushed by `flush()` (the server flushes twice a second and on exit).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import orjson

from .execution_log import stored_lines

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
# How the messages of each kind of compact record are rendered when read.
RENDERERS: dict[str, Callable[[dict[str, Any]], list[str]]] = {"execution": stored_lines}


@dataclass(frozen=True)
class LogEvent:
    group: str
    stream: str
    timestamp: int       # ms since the epoch
    message: str


class LogStore:
    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._buffer: dict[str, list[str]] = {}

    def put(self, group: str, stream: str, message: str, timestamp: float | None = None) -> None:
        self.put_many(group, stream, [message], timestamp)

    def put_many(self, group: str, stream: str, messages: list[str] | tuple[str, ...],
                 timestamp: float | None = None) -> None:
        if not messages:
            return
        ms = int((time.time() if timestamp is None else timestamp) * 1000)
        record = orjson.dumps({"timestamp": ms, "stream": stream, "messages": messages}).decode()
        self._buffer.setdefault(group, []).append(record)

    def put_record(self, group: str, stream: str, kind: str, data: dict[str, Any], timestamp: float) -> None:
        """A compact record whose messages RENDERERS[kind] renders when the group is read."""
        self._buffer.setdefault(group, []).append(orjson.dumps(
            {"timestamp": int(timestamp * 1000), "stream": stream, "kind": kind, "data": data}).decode())

    def flush(self) -> None:
        if not self._buffer:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        buffered, self._buffer = self._buffer, {}
        for group, records in buffered.items():
            path = self._file(group)
            if path.exists() and path.stat().st_size > self.max_bytes:
                path.replace(path.with_name(path.name + ".1"))
            with path.open("a", encoding="utf-8") as f:
                f.write("\n".join(records) + "\n")

    def _file(self, group: str) -> Path:
        return self.root / (quote(group, safe="") + ".jsonl")

    def groups(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(unquote(p.name[: -len(".jsonl")]) for p in self.root.glob("*.jsonl"))

    def events(self, group: str, since_ms: int = 0, offset: int = 0) -> tuple[list[LogEvent], int]:
        """Events of `group` at or after `since_ms`, reading the current file from byte `offset` (for --follow);
        returns the events and the offset to continue from."""
        path = self._file(group)
        out: list[LogEvent] = []
        if offset == 0:
            out += self._read(path.with_name(path.name + ".1"), group, since_ms, 0)[0]
        events, offset = self._read(path, group, since_ms, offset)
        return out + events, offset

    @staticmethod
    def _read(path: Path, group: str, since_ms: int, offset: int) -> tuple[list[LogEvent], int]:
        if not path.exists():
            return [], offset
        with path.open("rb") as f:
            if offset > path.stat().st_size:  # rolled over since the last read
                offset = 0
            f.seek(offset)
            data = f.read()
        complete = data[: data.rfind(b"\n") + 1]
        out = []
        for line in complete.splitlines():
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if record["timestamp"] >= since_ms:
                for message in _messages(record):
                    out.append(LogEvent(group, record["stream"], record["timestamp"], message))
        return out, offset + len(complete)

    def search(self, group: str | None, since_ms: int, text: str | None) -> Iterator[LogEvent]:
        """Events of the groups matching `group` (exact name, or a part of it), oldest first."""
        events: list[LogEvent] = []
        for name in self.matching_groups(group):
            events += self.events(name, since_ms)[0]
        events.sort(key=lambda e: e.timestamp)
        for event in events:
            if text is None or text in event.message:
                yield event

    def matching_groups(self, group: str | None) -> list[str]:
        names = self.groups()
        if group is None:
            return names
        return [group] if group in names else [name for name in names if group in name]


def _messages(record: dict[str, Any]) -> list[str]:
    kind = record.get("kind")
    if kind is not None:
        render = RENDERERS.get(kind)
        return render(record["data"]) if render is not None else []
    return list(record.get("messages") or [record.get("message", "")])
