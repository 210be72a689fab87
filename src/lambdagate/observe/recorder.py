"""What AWS would have logged and measured for each request, kept under `.lambdagate/`:

- execution logs in `API-Gateway-Execution-Logs_<apiId>/<stage>` (fact sheet §4.1), at the chosen level;
- access logs in the stage's AccessLogSetting destination (or `API-Gateway-Access-Logs_<apiId>/<stage>`), in its
  Format or CLF;
- Lambda logs in `/aws/lambda/<function>`, one stream per execution environment (§5.3);
- metrics per minute (§7);
- the latest requests, for the dashboard.

The request path only queues references; rendering and writing happen in `flush()`, off the request's way.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path

from ..definition.model import Api, Deployment
from ..gateway import Exchange
from ..runtime.pool import InvocationLog
from . import access_log
from .execution_log import at_level, render
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


def _stream(api: Api) -> str:
    return hashlib.sha256(f"{api.id}/{api.stage.name}".encode()).hexdigest()[:32]


@dataclass
class RequestRecord:
    """One request as the dashboard lists it."""

    exchange: Exchange
    function: str | None = None
    invocation: InvocationLog | None = None


class Recorder:
    def __init__(self, deployment: Deployment, state_dir: Path | None, execution_log_level: str = "full") -> None:
        self.deployment = deployment
        self.level = execution_log_level
        self.store = LogStore(state_dir / "logs") if state_dir is not None else None
        self.metrics = Metrics(state_dir / "metrics.jsonl" if state_dir is not None else None)
        self.recent: OrderedDict[str, RequestRecord] = OrderedDict()
        self._by_lambda_request: dict[str, RequestRecord] = {}
        self._early: dict[str, InvocationLog] = {}   # function logs complete before their request was recorded
        self._queued: deque[Exchange | InvocationLog] = deque()
        self._streams: dict[str, str] = {}
        first = deployment.apis[0] if deployment.apis else None
        self._fallback = (api_name(first.name, first.id), first.stage.name) if first else None

    # -- on the request's way: cheap ------------------------------------------------------------------------------
    def exchange(self, exchange: Exchange) -> None:
        """A console test writes no execution or access log and no metrics (only the function's own log)."""
        if not exchange.test_invoke:
            self.metrics.record(exchange, self._fallback)
        record = RequestRecord(exchange, exchange.trace.function_arn)
        self.recent[exchange.trace.ids.request_id] = record
        if len(self.recent) > RECENT:
            _, old = self.recent.popitem(last=False)
            if old.exchange.trace.lambda_request_id:
                self._by_lambda_request.pop(old.exchange.trace.lambda_request_id, None)
        lambda_id = exchange.trace.lambda_request_id
        if lambda_id:
            record.invocation = self._early.pop(lambda_id, None)
            self._by_lambda_request[lambda_id] = record
        self._queued.append(exchange)

    def invocation(self, log: InvocationLog) -> None:
        record = self._by_lambda_request.get(log.result.request_id)
        if record is not None:
            record.invocation = log
        else:  # its request is not recorded yet (the log completed first), or it was a direct invocation
            self._early[log.result.request_id] = log
            while len(self._early) > RECENT:
                self._early.pop(next(iter(self._early)))
        self._queued.append(log)

    # -- off the request's way -----------------------------------------------------------------------------------
    def execution_log(self, exchange: Exchange) -> list[str]:
        return at_level(render(exchange.trace), self.level, exchange.response.status >= 400)

    def flush(self) -> None:
        while self._queued:
            self._write(self._take(len(self._queued)))
        self._finish()

    async def flush_in_steps(self, step: int = 20) -> None:
        """As flush(), letting other work run every `step` requests, so that a busy second never stalls the
        requests being served while it is written."""
        while self._queued:
            self._write(self._take(step))
            if self.store is not None:
                self.store.flush()
            await asyncio.sleep(0)
        self._finish()

    def _take(self, count: int) -> list[Exchange | InvocationLog]:
        return [self._queued.popleft() for _ in range(min(count, len(self._queued)))]

    def _write(self, items: list[Exchange | InvocationLog]) -> None:
        store = self.store
        if store is None:
            return
        for item in items:
            if isinstance(item, InvocationLog):
                store.put_many(f"/aws/lambda/{item.function.name}", item.stream, item.lines, item.started_at)
            elif not item.test_invoke:
                self._write_exchange(store, item)

    def _finish(self) -> None:
        if self.store is not None:
            self.store.flush()
        self.metrics.flush()

    def _write_exchange(self, store: LogStore, exchange: Exchange) -> None:
        match = exchange.trace.match
        api = match.api if match is not None else (self.deployment.apis[0] if self.deployment.apis else None)
        if api is None:
            return
        at = exchange.request.received_at
        prefix = f"({exchange.trace.ids.request_id}) "
        stream = self._streams.get(api.id) or self._streams.setdefault(api.id, _stream(api))
        store.put_many(execution_log_group(api), stream, [prefix + line for line in self.execution_log(exchange)], at)
        variables = access_log.context_variables(exchange, self.deployment.account_id)
        line = access_log.render(api.stage.access_log_format or access_log.CLF, variables)
        store.put(access_log_group(api), stream, line, at)

    def close(self) -> None:
        self.flush()
        self.metrics.flush(everything=True)
