"""A local CloudWatch Logs: log groups named as AWS names them, kept under `.lambdagate/logs/`.

One JSON-lines file per group; a record holds the events one request or invocation wrote at one time: the messages
themselves (`{"timestamp": ms, "stream": ..., "messages": [...]}`), or a compact record of a kind whose messages are
rendered when read (`{"timestamp": ms, "stream": ..., "kind": "execution", "data": {...}}`: an execution log, rendered
by execution_log.stored_lines, so that serving does not render what nobody reads). A group's file is rolled over to
`<file>.1` past `max_bytes`, so the store stays bounded (two files a group) and survives restarts. Writes are
buffered and flushed by `flush()` (the server flushes twice a second and on exit).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, unquote

import orjson

from ..httpapi import access_log as http_access_log
from . import access_log, execution_log

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
# How the messages of each kind of compact record are rendered when read.
RENDERERS: dict[str, Callable[[dict[str, Any]], list[str]]] = {"execution": execution_log.stored_lines,
                                                              "access": access_log.stored_lines,
                                                              "http-access": http_access_log.stored_lines}


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
        self._buffer: dict[str, list[bytes]] = {}
        self._handles: dict[str, BinaryIO] = {}     # each group's file, open for appending while serving
        self._sizes: dict[str, int] = {}

    def put(self, group: str, stream: str, message: str, timestamp: float | None = None) -> None:
        self.put_many(group, stream, [message], timestamp)

    def put_many(self, group: str, stream: str, messages: list[str] | tuple[str, ...],
                 timestamp: float | None = None) -> None:
        if not messages:
            return
        ms = int((time.time() if timestamp is None else timestamp) * 1000)
        record = orjson.dumps({"timestamp": ms, "stream": stream, "messages": messages})
        self._buffer.setdefault(group, []).append(record)

    def put_record(self, group: str, stream: str, kind: str, data: dict[str, Any], timestamp: float) -> None:
        """A compact record whose messages RENDERERS[kind] renders when the group is read."""
        self.put_records(((group, kind),), stream, data, timestamp)

    def put_records(self, kinds: tuple[tuple[str, str], ...], stream: str, data: dict[str, Any],
                    timestamp: float) -> None:
        """One record's data for several (group, kind)s, serialised once."""
        blob = orjson.dumps(data)
        head = orjson.dumps({"timestamp": int(timestamp * 1000), "stream": stream})[:-1]
        for group, kind in kinds:
            self._buffer.setdefault(group, []).append(b'%s,"kind":"%s","data":%s}' % (head, kind.encode(), blob))

    def flush(self) -> None:
        if not self._buffer:
            return
        buffered, self._buffer = self._buffer, {}
        for group, records in buffered.items():
            handle = self._handles.get(group)
            if handle is not None and self._sizes[group] > self.max_bytes:
                handle.close()   # roll over: the group keeps this file and the one before
                path = self._file(group)
                path.replace(path.with_name(path.name + ".1"))
                handle = None
            if handle is None:
                self.root.mkdir(parents=True, exist_ok=True)
                handle = self._handles[group] = self._file(group).open("ab")
                self._sizes[group] = os.fstat(handle.fileno()).st_size
            data = b"\n".join(records) + b"\n"
            handle.write(data)
            handle.flush()
            self._sizes[group] += len(data)

    def close(self) -> None:
        self.flush()
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()

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
    """A record's messages; one this version cannot render (another version's, or damaged) has none."""
    kind = record.get("kind")
    if kind is not None:
        render = RENDERERS.get(kind)
        try:
            return render(record["data"]) if render is not None else []
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return []
    return list(record.get("messages") or [record.get("message", "")])
