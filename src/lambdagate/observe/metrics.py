"""API Gateway's CloudWatch metrics (fact sheet §7; AGDG api-gateway-metrics-and-dimensions.md), per minute.

Count, 4XXError, 5XXError, Latency and IntegrationLatency with the dimensions ApiName, Stage, Method, Resource.
Finished minutes are appended to `.lambdagate/metrics.jsonl` (rolled over to `metrics.jsonl.1` past `max_bytes`, as
the log store rolls its files); the coarser dimension sets AWS publishes (ApiName; ApiName+Stage) are sums of these
rows. A failed write keeps the rows for the next flush (at most MAX_PENDING_ROWS, the oldest dropped and counted);
a line of the file that is not a row is skipped when read.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..exchange import Exchange

SAMPLES_KEPT = 2000  # latency samples per row and minute, for percentiles
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
MAX_PENDING_ROWS = 5000  # rows kept in memory while the file cannot be written
ROW_FIELDS = {"minute": int, "ApiName": str, "Stage": str, "Method": str, "Resource": str, "Count": int,
              "4XXError": int, "5XXError": int}


def api_name(name: str, api_id: str) -> str:
    """"Non-ASCII characters are stripped from ApiName; if nothing is left, the API id is used" (§7)."""
    stripped = name.encode("ascii", "ignore").decode()
    return stripped or api_id


@dataclass
class Row:
    minute: int                      # epoch seconds of the minute's start
    api: str
    stage: str
    method: str
    resource: str
    count: int = 0
    errors_4xx: int = 0
    errors_5xx: int = 0
    latency: list[float] = field(default_factory=list)
    integration_latency: list[float] = field(default_factory=list)

    def add(self, status: int, latency_ms: float, integration_ms: float | None) -> None:
        self.count += 1
        self.errors_4xx += 400 <= status < 500
        self.errors_5xx += status >= 500
        if len(self.latency) < SAMPLES_KEPT:
            self.latency.append(latency_ms)
        if integration_ms is not None and len(self.integration_latency) < SAMPLES_KEPT:
            self.integration_latency.append(integration_ms)

    def as_json(self) -> dict[str, object]:
        return {"minute": self.minute, "ApiName": self.api, "Stage": self.stage, "Method": self.method,
                "Resource": self.resource, "Count": self.count, "4XXError": self.errors_4xx,
                "5XXError": self.errors_5xx, "Latency": statistics(self.latency),
                "IntegrationLatency": statistics(self.integration_latency)}


def statistics(samples: list[float]) -> dict[str, float] | None:
    if not samples:
        return None
    ordered = sorted(samples)

    def percentile(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, max(0, math.ceil(p * len(ordered)) - 1))], 2)

    return {"Average": round(sum(ordered) / len(ordered), 2), "Minimum": round(ordered[0], 2),
            "Maximum": round(ordered[-1], 2), "p50": percentile(0.5), "p99": percentile(0.99),
            "SampleCount": len(ordered)}


@dataclass
class Totals:
    """Cumulative counters since start, for the Prometheus endpoint."""

    count: int = 0
    errors_4xx: int = 0
    errors_5xx: int = 0
    latency_sum: float = 0.0
    integration_latency_sum: float = 0.0
    integration_count: int = 0


class Metrics:
    def __init__(self, path: Path | None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.dropped = 0                 # finished rows dropped since start: the file could not be written
        self._rows: dict[tuple[int, str, str, str, str], Row] = {}
        self.totals: dict[tuple[str, str, str, str], Totals] = {}

    def record(self, exchange: Exchange, fallback_api: tuple[str, str] | None) -> None:
        match = exchange.match
        if match is not None:
            api, stage = api_name(match.api.name, match.api.id), match.api.stage.name
            method, resource = match.method.http_method, match.resource.path
        elif fallback_api is not None:  # no route: counted on the API (and stage) the request went to
            (api, stage), method, resource = fallback_api, "", ""
        else:
            return
        minute = int(exchange.request.received_at) // 60 * 60
        key = (minute, api, stage, method, resource)
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = Row(minute, api, stage, method, resource)
        status = exchange.response.status
        integration = exchange.integration_latency_ms
        row.add(status, exchange.latency_ms, integration)
        total = self.totals.get((api, stage, method, resource))
        if total is None:
            total = self.totals[(api, stage, method, resource)] = Totals()
        total.count += 1
        total.errors_4xx += 400 <= status < 500
        total.errors_5xx += status >= 500
        total.latency_sum += exchange.latency_ms
        if integration is not None:
            total.integration_latency_sum += integration
            total.integration_count += 1

    def rows(self, since: int = 0) -> list[dict[str, object]]:
        """Finished and current rows at or after `since` (epoch seconds): the file's, then memory's."""
        out: list[dict[str, object]] = []
        if self.path is not None:
            out += read_rows(self.path, since)
        out += [r.as_json() for r in self._rows.values() if r.minute >= since]
        return out

    def flush(self, everything: bool = False) -> None:
        """Append finished minutes (all of them when `everything`) to the file and forget them. Raises OSError when
        the file cannot be written; the rows are then kept for the next flush."""
        current = int(time.time()) // 60 * 60
        done = sorted(k for k in self._rows if everything or k[0] < current)
        if not done or self.path is None:
            for key in done:
                del self._rows[key]
            return
        text = "".join(json.dumps(self._rows[k].as_json()) + "\n" for k in done)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and self.path.stat().st_size > self.max_bytes:
                self.path.replace(self.path.with_name(self.path.name + ".1"))
            with self.path.open("a", encoding="utf-8") as f:
                f.write(text)
        except OSError:
            finished = sorted(k for k in self._rows if k[0] < current)
            for key in finished[: max(0, len(finished) - MAX_PENDING_ROWS)]:
                del self._rows[key]
                self.dropped += 1
            raise
        for key in done:
            del self._rows[key]

    def prometheus(self) -> str:
        """Cumulative counters since start in Prometheus' text format."""
        lines = []
        names = [("apigateway_requests_total", "Count", "count"), ("apigateway_4xx_errors_total", "4XXError",
                                                                    "errors_4xx"),
                 ("apigateway_5xx_errors_total", "5XXError", "errors_5xx")]
        for metric, aws_name, attribute in names:
            lines += [f"# HELP {metric} API Gateway {aws_name} metric", f"# TYPE {metric} counter"]
            lines += [f"{metric}{_labels(k)} {getattr(v, attribute)}" for k, v in self.totals.items()]
        for metric, aws_name, total, count in (
                ("apigateway_latency_milliseconds", "Latency", "latency_sum", "count"),
                ("apigateway_integration_latency_milliseconds", "IntegrationLatency", "integration_latency_sum",
                 "integration_count")):
            lines += [f"# HELP {metric} API Gateway {aws_name} metric", f"# TYPE {metric} summary"]
            for k, v in self.totals.items():
                lines += [f"{metric}_sum{_labels(k)} {getattr(v, total):.3f}",
                          f"{metric}_count{_labels(k)} {getattr(v, count)}"]
        return "\n".join(lines) + "\n"


def _labels(key: tuple[str, str, str, str]) -> str:
    api, stage, method, resource = (v.replace("\\", "\\\\").replace('"', '\\"') for v in key)
    return f'{{api_name="{api}",stage="{stage}",method="{method}",resource="{resource}"}}'


def read_rows(path: Path, since: int = 0) -> list[dict[str, object]]:
    """The rows of the file and of the file it rolled over to, oldest first; lines that are not a row (a line cut
    short, another program's) are skipped."""
    out = []
    for file in (path.with_name(path.name + ".1"), path):
        try:
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if _is_row(row) and row["minute"] >= since:
                out.append(row)
    return out


def _is_row(row: object) -> bool:
    return isinstance(row, dict) and all(isinstance(row.get(name), kind) and not isinstance(row.get(name), bool)
                                         for name, kind in ROW_FIELDS.items())
