"""A local CloudWatch Logs: log groups named as AWS names them, kept under `.lambdagate/logs/`.

One JSON-lines file per group; a record holds the events one request or invocation wrote at one time: the messages
themselves (`{"timestamp": ms, "stream": ..., "messages": [...]}`), or a compact record of a kind whose messages are
rendered when read (`{"timestamp": ms, "stream": ..., "kind": "execution", "data": {...}}`: an execution log or an
access log line, rendered by RENDERERS, so that serving does not render what nobody reads). A group's file is
rolled over to `<file>.1` past `max_bytes`, so the store stays bounded (two files a group) and survives restarts.
Writes are buffered and flushed by `flush()` (the server flushes twice a second and on exit).

A write that fails (disk full, read-only, the folder removed) loses nothing yet: the records stay buffered and are
written by the next `flush()` that succeeds; what a failed flush keeps is bounded (`max_buffered` bytes), the oldest
records past it dropped and counted in `dropped`. A record cut short by a failed write is ended before the next one
is written, and whatever cannot be read back (a cut line, a file that is not ours) is skipped when read.
"""

from __future__ import annotations

import errno
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import orjson

from ..httpapi import access_log as http_access_log
from . import access_log, execution_log

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_BUFFERED = 16 * 1024 * 1024  # held in memory while writes fail
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
    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_buffered: int = DEFAULT_MAX_BUFFERED) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.max_buffered = max_buffered
        self.dropped = 0                                    # records dropped since start: the buffer was full
        self._buffer: deque[tuple[str, bytes]] = deque()    # (group, record), oldest first
        self._buffered = 0
        self._cut: set[str] = set()                         # groups whose file may end in a record cut short

    def put(self, group: str, stream: str, message: str, timestamp: float | None = None) -> None:
        self.put_many(group, stream, [message], timestamp)

    def put_many(self, group: str, stream: str, messages: list[str] | tuple[str, ...],
                 timestamp: float | None = None) -> None:
        if not messages:
            return
        ms = int((time.time() if timestamp is None else timestamp) * 1000)
        self._add(group, orjson.dumps({"timestamp": ms, "stream": stream, "messages": messages}))

    def put_record(self, group: str, stream: str, kind: str, data: dict[str, Any], timestamp: float) -> None:
        """A compact record whose messages RENDERERS[kind] renders when the group is read."""
        self.put_records(((group, kind),), stream, data, timestamp)

    def put_records(self, kinds: tuple[tuple[str, str], ...], stream: str, data: dict[str, Any],
                    timestamp: float) -> int:
        """One record's data for several (group, kind)s, serialised once; the bytes of the data."""
        blob = orjson.dumps(data)
        head = orjson.dumps({"timestamp": int(timestamp * 1000), "stream": stream})[:-1]
        for group, kind in kinds:
            self._add(group, b'%s,"kind":"%s","data":%s}' % (head, kind.encode(), blob))
        return len(blob)

    def _add(self, group: str, record: bytes) -> None:
        self._buffer.append((group, record))
        self._buffered += len(record) + 1

    @property
    def buffered(self) -> int:
        """Bytes buffered and not written yet."""
        return self._buffered

    @property
    def pending(self) -> int:
        """Records buffered and not written yet."""
        return len(self._buffer)

    def flush(self) -> None:
        """Write what is buffered. Raises the first OSError; what could not be written stays buffered."""
        if not self._buffer:
            return
        taken, self._buffer, self._buffered = self._buffer, deque(), 0
        groups: dict[str, list[bytes]] = {}
        for group, record in taken:
            groups.setdefault(group, []).append(record)
        failure: OSError | None = None
        unwritten: list[tuple[str, bytes]] = []
        for group, records in groups.items():
            written = 0
            if failure is None:
                written, failure = self._append(group, records)
            unwritten += [(group, r) for r in records[written:]]
        for group, record in reversed(unwritten):  # back in front of anything buffered meanwhile, in order
            self._buffer.appendleft((group, record))
            self._buffered += len(record) + 1
        if failure is not None:
            while self._buffered > self.max_buffered and self._buffer:  # kept for the next try: the latest only
                _, old = self._buffer.popleft()
                self._buffered -= len(old) + 1
                self.dropped += 1
            raise failure

    def _append(self, group: str, records: list[bytes]) -> tuple[int, OSError | None]:
        """Append records to the group's file: how many were written whole, and the error that stopped it."""
        data = b"".join(r + b"\n" for r in records)
        written = 0
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            path = self._file(group)
            if path.exists() and path.stat().st_size > self.max_bytes:
                path.replace(path.with_name(path.name + ".1"))
                self._cut.discard(group)
            with path.open("ab", buffering=0) as f:
                if group in self._cut:
                    f.write(b"\n")  # ends a record that a failed write cut short: the next starts on its own line
                    self._cut.discard(group)
                view = memoryview(data)
                while written < len(data):
                    count = f.write(view[written:])
                    if not count:
                        raise OSError(errno.EIO, "nothing written", str(path))
                    written += count
        except OSError as e:
            done = end = 0
            for record in records:
                end += len(record) + 1
                if end > written:
                    break
                done += 1
            if written > sum(len(r) + 1 for r in records[:done]):
                self._cut.add(group)
            return done, e
        return len(records), None

    def _file(self, group: str) -> Path:
        return self.root / (quote(group, safe="") + ".jsonl")

    def groups(self) -> list[str]:
        try:
            return sorted(unquote(p.name[: -len(".jsonl")]) for p in self.root.glob("*.jsonl") if p.is_file())
        except OSError:  # no folder yet, or one that cannot be read
            return []

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
        """The events of one file from byte `offset`. Lines that are not a record of ours (cut short by a failed
        write, or written by something else) are skipped, never an error."""
        try:
            with path.open("rb") as f:
                size = os.fstat(f.fileno()).st_size
                if offset > size:  # rolled over since the last read
                    offset = 0
                f.seek(offset)
                data = f.read()
        except OSError:
            return [], offset
        complete = data[: data.rfind(b"\n") + 1]
        out = []
        for line in complete.splitlines():
            try:
                record = orjson.loads(line)
                timestamp, stream = record["timestamp"], record["stream"]
                if not isinstance(timestamp, int) or not isinstance(stream, str) or timestamp < since_ms:
                    continue
                messages = _messages(record)
            except Exception:  # noqa: BLE001 - a damaged record costs that record, never the reading
                continue
            out += [LogEvent(group, stream, timestamp, m) for m in messages if isinstance(m, str)]
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
    """A record's messages (raises on a record that is not one of ours; the reader skips it)."""
    kind = record.get("kind")
    if kind is not None:
        render = RENDERERS.get(kind)
        return render(record["data"]) if render is not None else []
    return list(record.get("messages") or [record.get("message", "")])
