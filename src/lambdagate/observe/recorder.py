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
request's way.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path

from ..definition.model import Api, Deployment, Function, HttpApi, HttpStage, Method, MethodSetting, Stage
from ..exchange import Exchange, InvocationLog, Recorded
from ..httpapi import HttpApiExchange
from ..httpapi import access_log as http_access_log
from . import access_log
from .execution_log import at_level, record, render
from .log_store import LogStore
from .metrics import Metrics, api_name

RECENT = 200


def execution_log_group(api: Api) -> str:
    return f"API-Gateway-Execution-Logs_{api.id}/{api.stage.name}"


def access_log_group(api: Api) -> str:
    """The destination's log group name (`arn:aws:logs:<region>:<account>:log-group:<name>`), or lambdagate's own
    `API-Gateway-Access-Logs_<apiId>/<stage>` when the stage names none."""
    destination = api.stage.access_log_destination or ""
    if ":log-group:" in destination:
        return destination.split(":log-group:", 1)[1].removesuffix(":*")
    return f"API-Gateway-Access-Logs_{api.id}/{api.stage.name}"


def http_access_log_group(api: HttpApi, stage: HttpStage) -> str:
    """As `access_log_group`, for an HTTP API's stage."""
    destination = stage.access_log_destination or ""
    if ":log-group:" in destination:
        return destination.split(":log-group:", 1)[1].removesuffix(":*")
    return f"API-Gateway-Access-Logs_{api.id}/{stage.name}"


def _stream(api_id: str, stage: str) -> str:
    return hashlib.sha256(f"{api_id}/{stage}".encode()).hexdigest()[:32]


def method_log_level(stage: Stage, resource_path: str, method: Method, default: str) -> str:
    """The execution-log level the stage's MethodSettings give a method (CloudFormation AWS::ApiGateway::Stage
    MethodSetting: LoggingLevel OFF/ERROR/INFO, DataTraceEnabled for the full requests and responses), the most
    specific setting first (`/resource` + verb over `/*` + `*`); `default` where no setting says."""
    def rank(s: MethodSetting) -> int:
        return (s.resource_path == resource_path) * 2 + (s.http_method.upper() == method.http_method)

    matching = [s for s in stage.method_settings
                if s.resource_path in ("/*", "*", resource_path) and s.http_method in ("*", method.http_method)]
    matching.sort(key=rank, reverse=True)
    level = next((s.logging_level for s in matching if s.logging_level is not None), None)
    data_trace = next((s.data_trace_enabled for s in matching if s.data_trace_enabled is not None), None)
    if level is None and data_trace is None:
        return default
    level = (level or ("INFO" if data_trace else "OFF")).upper()
    if level == "INFO":
        return "full" if data_trace else "info"
    return "error" if level == "ERROR" else "off"


@dataclass
class RequestRecord:
    """One request as the dashboard lists it."""

    exchange: Recorded
    invocation: InvocationLog | None = None


class Recorder:
    """An observer (exchange.Observer) that writes the logs and metrics; `level` None: each method's level from the
    stage's MethodSettings, full where they say nothing; a level: that level for every method."""

    def __init__(self, deployment: Deployment, state_dir: Path | None, level: str | None = None) -> None:
        self.deployment = deployment
        self.store = LogStore(state_dir / "logs") if state_dir is not None else None
        self.metrics = Metrics(state_dir / "metrics.jsonl" if state_dir is not None else None)
        self.recent: OrderedDict[str, RequestRecord] = OrderedDict()
        self._by_lambda_request: dict[str, RequestRecord] = {}
        self._early: dict[str, InvocationLog] = {}   # function logs complete before their request was recorded
        self._queued: deque[Recorded | InvocationLog] = deque()
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
            _, old = self.recent.popitem(last=False)
            if old.exchange.lambda_request_id:
                self._by_lambda_request.pop(old.exchange.lambda_request_id, None)
        lambda_id = exchange.lambda_request_id
        if lambda_id:
            entry.invocation = self._early.pop(lambda_id, None)
            self._by_lambda_request[lambda_id] = entry
        if not test_invoke:
            self._queued.append(exchange)

    def invocation(self, log: InvocationLog) -> None:
        entry = self._by_lambda_request.get(log.lambda_request_id)
        if entry is not None:
            entry.invocation = log
        else:  # its request is not recorded yet (the log completed first), or it was a direct invocation
            self._early[log.lambda_request_id] = log
            while len(self._early) > RECENT:
                self._early.pop(next(iter(self._early)))
        self._queued.append(log)

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

    def access_log(self, exchange: Recorded) -> list[str]:
        """The request's access-log line as the stage writes it (see `_write_exchange`); none without a stage."""
        if isinstance(exchange, HttpApiExchange):
            data = self._http_access_record(exchange)
            return http_access_log.stored_lines(data[1]) if data is not None else []
        if isinstance(exchange, Exchange):
            api = exchange.match.api if exchange.match is not None else self._first
            if api is not None:
                log_format = api.stage.access_log_format or access_log.CLF
                return access_log.stored_lines(access_log.record(exchange, self.deployment.account_id, log_format))
        return []

    def flush(self) -> None:
        while self._queued:
            self._write(self._take(len(self._queued)))
        self._finish()

    async def flush_in_steps(self, step: int = 50) -> None:
        """As flush(), letting other work run every `step` requests, so that a busy second never stalls the
        requests being served while it is written."""
        while self._queued:
            self._write(self._take(step))
            if self.store is not None:
                self.store.flush()
            await asyncio.sleep(0)
        self._finish()

    def _take(self, count: int) -> list[Recorded | InvocationLog]:
        return [self._queued.popleft() for _ in range(min(count, len(self._queued)))]

    def _write(self, items: list[Recorded | InvocationLog]) -> None:
        store = self.store
        if store is None:
            return
        for item in items:
            if isinstance(item, InvocationLog):
                store.put_many(f"/aws/lambda/{item.function.name}", item.stream, item.lines, item.started_at)
            elif isinstance(item, HttpApiExchange):
                self._write_http_exchange(store, item)
            elif isinstance(item, Exchange):
                self._write_exchange(store, item)

    def _finish(self) -> None:
        if self.store is not None:
            self.store.flush()
        self.metrics.flush()

    def _write_exchange(self, store: LogStore, exchange: Exchange) -> None:
        api = exchange.match.api if exchange.match is not None else self._first
        if api is None:
            return
        at = exchange.request.received_at
        stream = self._stream(api.id, api.stage.name)
        level = self.level(exchange)
        data = access_log.record(exchange, self.deployment.account_id, api.stage.access_log_format or access_log.CLF)
        kinds: tuple[tuple[str, str], ...] = ((access_log_group(api), "access"),)
        if exchange.match is not None and level != "off" and (level != "error" or exchange.response.status >= 400):
            data.update(record(exchange, level))   # one record for both logs (their keys agree where they meet)
            kinds += ((execution_log_group(api), "execution"),)
        store.put_records(kinds, stream, data, at)

    def _http_access_record(self, x: HttpApiExchange) -> tuple[str, dict[str, object]] | None:
        """(log group, compact record) of an HTTP API request's access-log line; None when no stage matched (AWS
        writes nothing then, §2.1)."""
        reached = x.api_stage
        if reached is None:
            return None
        api, stage = reached
        log_format = stage.access_log_format or http_access_log.LAMBDAGATE_FORMAT
        return http_access_log_group(api, stage), http_access_log.record(x, self.deployment.account_id, log_format)

    def _write_http_exchange(self, store: LogStore, x: HttpApiExchange) -> None:
        found = self._http_access_record(x)
        reached = x.api_stage
        if found is None or reached is None:
            return
        group, data = found
        store.put_records(((group, "http-access"),), self._stream(reached[0].id, reached[1].name), data,
                          x.request.received_at)

    def _stream(self, api_id: str, stage: str) -> str:
        key = f"{api_id}/{stage}"
        return self._streams.get(key) or self._streams.setdefault(key, _stream(api_id, stage))

    def close(self) -> None:
        self.flush()
        self.metrics.flush(everything=True)
        if self.store is not None:
            self.store.close()
