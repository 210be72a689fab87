"""What the terminal shows while serving: one access line per request, the functions' output, and for every
failed request the execution-log lines AWS would have written for it, then lambdagate's own remark."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ..definition.model import Function
from ..gateway import Exchange
from .execution_log import error_tail, prefixed


class Console:
    def __init__(self, out: TextIO | None = None, quiet: bool = False) -> None:
        self.out = out or sys.stdout
        self.quiet = quiet

    def _write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def notice(self, text: str) -> None:
        self._write(f"lambdagate: {text}")

    def function_log(self, function: Function, line: str) -> None:
        if not self.quiet:
            self._write(f"[{function.logical_id}] {line}")

    def exchange(self, exchange: Exchange) -> None:
        if self.quiet and exchange.response.status < 400:
            return
        r = exchange.request
        target = r.raw_path + (f"?{r.raw_query}" if r.raw_query is not None else "")
        stamp = time.strftime("%H:%M:%S", time.localtime(r.received_at))
        lines = [f"{stamp} {r.method} {target} {exchange.response.status} {exchange.latency_ms:.1f} ms"]
        if exchange.error is not None and exchange.response.status >= 500:
            lines += ["  " + line for line in prefixed(exchange.trace.ids.request_id, error_tail(exchange.trace))]
        if exchange.error is not None and exchange.error.hint:
            lines.append(f"  lambdagate: {exchange.error.hint}")
        self._write("\n".join(lines))
