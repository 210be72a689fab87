"""What the terminal shows while serving: one access line per request, the functions' output, and for every
failed request what AWS would have logged of it (a REST API's execution-log lines; an HTTP API, which has no
execution log, its access-log line with `$context.integrationErrorMessage`), then lambdagate's own remark."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TextIO

from ..definition.model.function import Function
from ..exchange import Exchange, InvocationLog, Recorded
from ..httpapi import HttpApiExchange
from ..httpapi.access_log import terminal_line
from .execution_log import error_tail, prefixed


class Console:
    """An observer (exchange.Observer) that writes to the terminal. The functions' lines printed while the event loop
    works on one batch of events go out together (one write per batch, not per line); a request's line goes out at
    once, before its answer does."""

    def __init__(self, out: TextIO | None = None, quiet: bool = False) -> None:
        self.out = out or sys.stdout
        self.quiet = quiet
        self._pending: list[str] = []
        self._scheduled = False
        self._second = -1
        self._clock = ""

    def _write(self, text: str) -> None:
        self._pending.append(text)
        if self._scheduled:
            return
        try:
            asyncio.get_running_loop().call_soon(self.flush)
            self._scheduled = True
        except RuntimeError:  # no event loop (start-up, tests): at once
            self.flush()

    def flush(self) -> None:
        self._scheduled = False
        if self._pending:
            text, self._pending = "\n".join(self._pending) + "\n", []
            self.out.write(text)
            self.out.flush()

    def _stamp(self, epoch: float) -> str:
        """`HH:MM:SS` in local time, made once a second."""
        second = int(epoch)
        if second != self._second:
            self._second, self._clock = second, time.strftime("%H:%M:%S", time.localtime(second))
        return self._clock

    def notice(self, text: str) -> None:
        self._write(f"lambdagate: {text}")

    def function_output(self, function: Function, line: str) -> None:
        if not self.quiet:
            self._write(f"[{function.logical_id}] {line}")

    def invocation(self, log: InvocationLog) -> None:
        """The function's lines were shown as they came (`function_output`)."""

    def exchange(self, exchange: Recorded) -> None:
        status = exchange.response.status
        if self.quiet and status < 400:
            return
        r = exchange.request
        stamp = self._stamp(r.received_at)
        lines = [f"{stamp} {r.method} {r.target} {status} {exchange.latency_ms:.1f} ms"]
        if isinstance(exchange, Exchange) and exchange.error is not None and status >= 500:
            lines += ["  " + line for line in prefixed(exchange.ids.request_id, error_tail(exchange))]
        elif isinstance(exchange, HttpApiExchange) and exchange.error is not None:
            line = terminal_line(exchange)
            if line is not None:
                lines.append("  " + line)
        if exchange.hint:
            lines.append(f"  lambdagate: {exchange.hint}")
        self._pending.append("\n".join(lines))
        self.flush()
