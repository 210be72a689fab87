"""What AWS would have logged and measured for each request, kept under `.lambdagate/`:

- execution logs in `API-Gateway-Execution-Logs_<apiId>/<stage>` (fact sheet §4.1), at each method's level, kept as
  compact records and rendered when read (execution_log.py);
- access logs in the stage's AccessLogSetting destination (or `API-Gateway-Access-Logs_<apiId>/<stage>`), in its
  Format or CLF; an HTTP API's in its stage's `AccessLogSettings.Format` or lambdagate's CLF with
  `$context.integrationErrorMessage` (httpapi/access_log.py), and no execution log (HTTP APIs write none);
- Lambda logs in `/aws/lambda/<function>`, one stream per execution environment (§5.3);
- metrics per minute (§7);
- the latest requests, for the dashboard.

The request's path only records metrics and queues a reference; records are built and written by `flush()`, off the
request's way. A write that fails never stops the recording: it is said once on the terminal, the records wait in a
bounded buffer (log_store.py, metrics.py) and the next flush tries again; the queue is bounded too (MAX_QUEUED, the
oldest dropped and counted). A `.lambdagate/` that cannot be written at start is said once, and nothing is kept on
disk. The latest requests kept for the dashboard are bounded in count and in bytes: once written, a request keeps
its access log's and execution log's compact records (bodies cut at about 1 KB, as the data trace cuts them, fact
sheet §4.1) and its function's log up to FUNCTION_LOG_BYTES; the whole of each is in the log store.
"""

from __future__ import annotations

import asyncio
import copy
import tempfile
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from ..definition.model.deployment import Deployment
from ..definition.model.function import Function
from ..exchange import Exchange, HttpResponse, InvocationLog, Recorded
from ..httpapi import HttpApiExchange
from ..httpapi import access_log as http_access_log
from . import access_log
from .execution_log import at_level, method_log_level, record, render, render_record
from .log_groups import access_log_group, execution_log_group, stream_name
from .log_store import LogStore
from .metrics import Metrics, api_name

RECENT = 200                        # the latest requests the dashboard lists
RECENT_BYTES = 16 * 1024 * 1024     # ... and the bytes they may hold, at most
FUNCTION_LOG_BYTES = 64 * 1024      # of one invocation's log, kept for the dashboard (the log store has it all)
STEP_BYTES = 1024 * 1024            # records buffered before flush_in_steps writes them out mid-way
MAX_QUEUED = 50_000                 # requests and invocations waiting to be written, at most


@dataclass
class RequestRecord:
    """One request as the dashboard lists it. Once written, `exchange` is a copy without payloads, `log` the
    compact record of its execution log (execution_log.record) and `access` its access-log line's (kind and data,
    as the log store keeps them; None when none is written), the two sharing one dict where both are written, as the
    store does; `size` about the bytes that this keeps (the records' as serialised, the function log's)."""

    exchange: Recorded
    invocation: InvocationLog | None = None
    log: dict[str, Any] | None = None
    access: tuple[str, dict[str, Any]] | None = None
    size: int = 0
    log_bytes: int = 0


def writable(folder: Path) -> OSError | None:
    """None when files can be created in `folder` (made if missing), else why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        return e
    return None


class Recorder:
    """An observer (exchange.Observer) that writes the logs and metrics; `level` None: each method's level from the
    stage's MethodSettings, full where they say nothing; a level: that level for every method."""

    def __init__(self, deployment: Deployment, state_dir: Path | None, level: str | None = None,
                 notice: Callable[[str], None] | None = None) -> None:
        self.deployment = deployment
        self._notice = notice or (lambda text: None)
        if state_dir is not None and (problem := writable(state_dir)) is not None:
            self._notice(f"cannot write under {state_dir} ({_reason(problem)}): serving without logs and metrics on "
                         "disk (the terminal and the dashboard still show every request)")
            state_dir = None
        self.store = LogStore(state_dir / "logs") if state_dir is not None else None
        self.metrics = Metrics(state_dir / "metrics.jsonl" if state_dir is not None else None)
        self.recent: OrderedDict[str, RequestRecord] = OrderedDict()
        self._recent_bytes = 0
        self._by_lambda_request: dict[str, RequestRecord] = {}
        self._early: dict[str, InvocationLog] = {}   # function logs complete before their request was recorded
        self._queued: deque[Recorded | InvocationLog] = deque()
        self.queue_dropped = 0                       # requests and invocations never written: the queue was full
        self._failing: str | None = None             # why the last write failed, while it does
        self._streams: dict[str, str] = {}
        self._levels = {(api.id, resource.path, verb): level or method_log_level(api.stage, resource.path, m, "full")
                        for api in deployment.apis for resource in api.resources
                        for verb, m in resource.methods.items()}
        self._first = deployment.apis[0] if deployment.apis else None
        self._fallback = (api_name(self._first.name, self._first.id), self._first.stage.name) if self._first else None
        self._default_level = level or "full"

    # -- on the request's way: cheap ------------------------------------------------------------------------------
    def exchange(self, exchange: Recorded) -> None:
        """A console test writes no execution or access log and no metrics (only the function's own log)."""
        test_invoke = isinstance(exchange, Exchange) and exchange.test_invoke
        if not test_invoke:
            self.metrics.record(exchange, self._fallback)
        entry = RequestRecord(exchange)
        self.recent[exchange.request_id] = entry
        if len(self.recent) > RECENT:
            self._forget_oldest()
        lambda_id = exchange.lambda_request_id
        if lambda_id:
            entry.invocation = self._early.pop(lambda_id, None)
            self._by_lambda_request[lambda_id] = entry
        if not test_invoke:
            self._queue(exchange)
        else:  # never written: kept as a written request is
            assert isinstance(exchange, Exchange)
            rec = record(exchange, self.level(exchange))
            self._keep(entry, rec, None, len(orjson.dumps(rec)))

    def _queue(self, item: Recorded | InvocationLog) -> None:
        self._queued.append(item)
        if len(self._queued) > MAX_QUEUED:
            self._queued.popleft()
            self.queue_dropped += 1

    def _forget_oldest(self) -> None:
        _, old = self.recent.popitem(last=False)
        self._recent_bytes -= old.size
        if old.exchange.lambda_request_id:
            self._by_lambda_request.pop(old.exchange.lambda_request_id, None)

    def invocation(self, log: InvocationLog) -> None:
        entry = self._by_lambda_request.get(log.lambda_request_id)
        if entry is not None:
            entry.invocation = log
        else:  # its request is not recorded yet (the log completed first), or it was a direct invocation
            self._early[log.lambda_request_id] = log
            while len(self._early) > RECENT:
                self._early.pop(next(iter(self._early)))
        self._queue(log)

    def function_output(self, function: Function, line: str) -> None:
        """The function's lines are written with its invocation (`invocation`)."""

    def notice(self, text: str) -> None:
        """Notices are the terminal's."""

    # -- off the request's way -----------------------------------------------------------------------------------
    def level(self, exchange: Exchange) -> str:
        m = exchange.match
        if m is None:
            return self._default_level
        return self._levels.get((m.api.id, m.resource.path, m.method.http_method), self._default_level)

    def execution_log(self, exchange: Recorded) -> list[str]:
        """The request's execution log as the stage keeps it (its method's level); none for an HTTP API."""
        if not isinstance(exchange, Exchange):
            return []
        return at_level(render(exchange), self.level(exchange), exchange.response.status >= 400)

    def request_log(self, entry: RequestRecord) -> list[str]:
        """The execution log of one of the latest requests, as `execution_log` gives it."""
        if entry.log is None:
            return self.execution_log(entry.exchange)
        return at_level(render_record(entry.log), entry.log.get("level", "full"), entry.exchange.response.status >= 400)

    def request_access_log(self, entry: RequestRecord) -> list[str]:
        """The access-log line of one of the latest requests, as the stage writes it; none without a stage, or for
        a console test."""
        # not written yet: the whole request is still there
        found = self._access_record(entry.exchange) if entry.log is None else entry.access
        if found is None:
            return []
        kind, data = found
        return (http_access_log.stored_lines if kind == "http-access" else access_log.stored_lines)(data)

    def _access_record(self, x: Recorded) -> tuple[str, dict[str, Any]] | None:
        """(kind, compact record) of a request's access-log line, as the log store keeps it."""
        if isinstance(x, HttpApiExchange):
            reached = x.api_stage
            if reached is None:  # AWS writes nothing when no stage matched (aws-http-api.md §2.1)
                return None
            log_format = reached[1].access_log_format or http_access_log.LAMBDAGATE_FORMAT
            return "http-access", http_access_log.record(x, self.deployment.account_id, log_format)
        if isinstance(x, Exchange) and not x.test_invoke:
            api = x.match.api if x.match is not None else self._first
            if api is not None:
                log_format = api.stage.access_log_format or access_log.CLF
                return "access", access_log.record(x, self.deployment.account_id, log_format)
        return None

    def flush(self) -> None:
        while self._queued:
            self._write(self._take(len(self._queued)))
        self._finish()

    async def flush_in_steps(self, step: int = 50) -> None:
        """As flush(), letting other work run every `step` requests, so that a busy second never stalls the
        requests being served while it is written."""
        while self._queued:
            self._write(self._take(step))
            if self.store is not None and self._failing is None and self.store.buffered > STEP_BYTES:
                self._files(self.store.flush)   # a busy second's records go out in pieces, not all at the end
            await asyncio.sleep(0)
        self._finish()

    def _take(self, count: int) -> list[Recorded | InvocationLog]:
        return [self._queued.popleft() for _ in range(min(count, len(self._queued)))]

    def _write(self, items: list[Recorded | InvocationLog]) -> None:
        store = self.store
        for item in items:
            if isinstance(item, InvocationLog):
                if store is not None:
                    store.put_many(f"/aws/lambda/{item.function.name}", item.stream, item.lines, item.started_at)
                self._keep_invocation(item)
            elif isinstance(item, Exchange):
                self._write_exchange(store, item)
            elif isinstance(item, HttpApiExchange):
                self._write_http_exchange(store, item)

    def _finish(self, everything: bool = False) -> None:
        if self.store is not None:
            self._files(self.store.flush)
        self._files(lambda: self.metrics.flush(everything))

    def _files(self, write: Callable[[], None]) -> None:
        """One write to the files: a failure is said once (and its end once), the records wait for the next."""
        try:
            write()
        except OSError as e:
            if self._failing is None:
                where = self.store.root.parent if self.store is not None else self.metrics.path
                self._notice(f"cannot write logs and metrics under {where} ({_reason(e)}): keeping the latest in "
                             "memory and trying again every 0.5 s")
            self._failing = _reason(e)
            return
        if self._failing is not None and (self.store is None or self.store.pending == 0):
            self._failing = None
            dropped = (self.store.dropped if self.store is not None else 0) + self.metrics.dropped
            self._notice("logs and metrics are written again" + (f" ({dropped} records were dropped while they "
                                                                 "could not be)" if dropped else ""))

    def _write_exchange(self, store: LogStore | None, exchange: Exchange) -> None:
        api = exchange.match.api if exchange.match is not None else self._first
        entry = self.recent.get(exchange.ids.request_id)
        level = self.level(exchange)
        rec = record(exchange, level) if exchange.match is not None and level != "off" else None
        access = self._access_record(exchange)
        if api is None or access is None:   # no REST API to log it under (rec is None too: nothing matched)
            if entry is not None and entry.exchange is exchange:
                self._keep(entry, None, None, 0)
            return
        data = access[1]
        kinds: tuple[tuple[str, str], ...] = (
            (access_log_group(api.id, api.stage.name, api.stage.access_log_destination), "access"),)
        if rec is not None:
            data.update(rec)   # one record for both logs, serialised once (their keys agree where they meet)
            if level != "error" or exchange.response.status >= 400:
                kinds += ((execution_log_group(api.id, api.stage.name), "execution"),)
        at = exchange.request.received_at
        size = store.put_records(kinds, self._stream(api.id, api.stage.name), data, at) if store is not None else 0
        if entry is not None and entry.exchange is exchange:
            self._keep(entry, data if rec is not None else None, access, size or len(orjson.dumps(data)))

    def _write_http_exchange(self, store: LogStore | None, x: HttpApiExchange) -> None:
        entry = self.recent.get(x.request_id)
        access = self._access_record(x)
        reached = x.api_stage
        if access is None or reached is None:   # no stage reached: AWS writes no access log
            if entry is not None and entry.exchange is x:
                self._keep(entry, None, None, 0)
            return
        api, stage = reached
        group = access_log_group(api.id, stage.name, stage.access_log_destination)
        size = store.put_records(((group, "http-access"),), self._stream(api.id, stage.name), access[1],
                                 x.request.received_at) if store is not None else 0
        if entry is not None and entry.exchange is x:
            self._keep(entry, None, access, size or len(orjson.dumps(access[1])))

    def _stream(self, api_id: str, stage: str) -> str:
        key = f"{api_id}/{stage}"
        return self._streams.get(key) or self._streams.setdefault(key, stream_name(api_id, stage))

    # -- the latest requests, bounded ---------------------------------------------------------------------------
    def _keep(self, entry: RequestRecord, rec: dict[str, Any] | None,
              access: tuple[str, dict[str, Any]] | None, log_bytes: int) -> None:
        """A written request keeps its logs' compact records and a copy of itself without payloads."""
        entry.log = rec if rec is not None else {"reached": 0, "level": "off"}
        entry.access = access
        entry.exchange = _without_payloads(entry.exchange)
        entry.log_bytes = log_bytes
        self._resize(entry)

    def _keep_invocation(self, log: InvocationLog) -> None:
        short = _shortened(log)
        if self._early.get(log.lambda_request_id) is log:
            self._early[log.lambda_request_id] = short
        entry = self._by_lambda_request.get(log.lambda_request_id)
        if entry is not None and entry.invocation is log:
            entry.invocation = short
            self._resize(entry)

    def _resize(self, entry: RequestRecord) -> None:
        size = entry.log_bytes + (_size(entry.invocation.lines) if entry.invocation is not None else 0)
        if entry.exchange.request_id in self.recent:
            self._recent_bytes += size - entry.size
        entry.size = size
        while self._recent_bytes > RECENT_BYTES and len(self.recent) > 1:
            self._forget_oldest()

    def close(self) -> None:
        """The last writes; never raises (a failure is said on the terminal)."""
        while self._queued:
            self._write(self._take(len(self._queued)))
        self._finish(everything=True)
        lost = (self.store.pending if self.store is not None else 0) + self.queue_dropped
        if self._failing is not None and lost:
            self._notice(f"{lost} log records could not be written ({self._failing})")


def _reason(e: OSError) -> str:
    return f"[Errno {e.errno}] {e.strerror}" if e.errno is not None else str(e)


def _without_payloads(x: Recorded) -> Recorded:
    """What the dashboard's list needs of a request once its logs are kept: no bodies, no headers. (Shallow copies
    with the payloads set aside: dataclasses.replace's walk of every field cost a kept request ~10 µs.)"""
    if isinstance(x, HttpApiExchange):
        http = copy.copy(x)
        http.event = http.result = None
        http.request, http.response = x.request.without_payload(), HttpResponse(x.response.status)
        return http
    if isinstance(x, Exchange):
        rest = copy.copy(x)
        if x.call is not None:
            rest.call = copy.copy(x.call)
            rest.call.event, rest.call.result = b"", None
        rest.method_response_headers, rest.mock = [], None
        rest.request, rest.response = x.request.without_payload(), HttpResponse(x.response.status)
        return rest
    return x


def _shortened(log: InvocationLog) -> InvocationLog:
    """The invocation's log up to FUNCTION_LOG_BYTES (START and the first lines, then END and REPORT), with a line
    that says how much more the log store holds."""
    lines = log.lines
    if _size(lines) <= FUNCTION_LOG_BYTES:
        return log
    head: list[str] = []
    budget = FUNCTION_LOG_BYTES - _size(lines[-2:])
    for line in lines[:-2]:
        if len(line) > budget:
            break
        head.append(line)
        budget -= len(line)
    more = _size(lines[len(head):-2])
    note = (f"[lambdagate: {more} more bytes of this invocation's output are in the log store: "
            f"`lambdagate logs /aws/lambda/{log.function.name}`]")
    return replace(log, lines=(*head, note, *lines[-2:]))


def _size(lines: tuple[str, ...]) -> int:
    """About the bytes a function log's lines hold."""
    return sum(len(line) + 50 for line in lines) + 50
