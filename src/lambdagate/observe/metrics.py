"""API Gateway's CloudWatch metrics (fact sheet §7; AGDG api-gateway-metrics-and-dimensions.md), per minute.

REST APIs: Count, 4XXError, 5XXError, Latency and IntegrationLatency with the dimensions ApiName, Stage, Method,
Resource. HTTP APIs (aws-http-api.md §11, httpapi/metrics.py): Count, 4xx, 5xx, Latency, IntegrationLatency and
DataProcessed with the dimensions ApiId, Stage, Route. Finished minutes are appended to `.lambdagate/metrics.jsonl`
(rolled over to `metrics.jsonl.1` past `max_bytes`, as the log store rolls its files); the coarser dimension sets AWS
publishes (ApiName or ApiId; with Stage) are sums of these rows. A failed write keeps the rows for the next flush (at
most MAX_PENDING_ROWS, the oldest dropped and counted); a line of the file that is not a row is skipped when read.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..exchange import Exchange, Recorded
from ..httpapi import HttpApiExchange
from ..httpapi.metrics import metric_sample

SAMPLES_KEPT = 2000  # latency samples per row and minute, for percentiles
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
MAX_PENDING_ROWS = 5000  # rows kept in memory while the file cannot be written
ROW_FIELDS = {"minute": int, "ApiName": str, "Stage": str, "Method": str, "Resource": str, "Count": int,
              "4XXError": int, "5XXError": int}
HTTP_ROW_FIELDS = {"minute": int, "ApiId": str, "Stage": str, "Route": str, "Count": int, "4xx": int, "5xx": int,
                   "DataProcessed": int}


def api_name(name: str, api_id: str) -> str:
    """"Non-ASCII characters are stripped from ApiName; if nothing is left, the API id is used" (§7)."""
    stripped = name.encode("ascii", "ignore").decode()
    return stripped or api_id


REST, HTTP = "REST", "HTTP"
Key = tuple[str, str, str, str, str]   # kind, ApiName or ApiId, Stage, Method (REST), Resource or Route


@dataclass
class Row:
    minute: int                      # epoch seconds of the minute's start
    api: str                         # REST: ApiName; HTTP API: ApiId
    stage: str
    method: str                      # REST only
    resource: str                    # REST: Resource; HTTP API: Route (the route key)
    kind: str = REST
    count: int = 0
    errors_4xx: int = 0
    errors_5xx: int = 0
    latency: list[float] = field(default_factory=list)
    integration_latency: list[float] = field(default_factory=list)
    data_processed: int = 0

    def add(self, status: int, latency_ms: float, integration_ms: float | None) -> None:
        self.count += 1
        self.errors_4xx += 400 <= status < 500
        self.errors_5xx += status >= 500
        if len(self.latency) < SAMPLES_KEPT:
            self.latency.append(latency_ms)
        if integration_ms is not None and len(self.integration_latency) < SAMPLES_KEPT:
            self.integration_latency.append(integration_ms)

    def as_json(self) -> dict[str, object]:
        if self.kind == HTTP:   # the HTTP API's names (§11: `4xx`, not `4XXError`)
            return {"minute": self.minute, "ApiId": self.api, "Stage": self.stage, "Route": self.resource,
                    "Count": self.count, "4xx": self.errors_4xx, "5xx": self.errors_5xx,
                    "Latency": statistics(self.latency), "IntegrationLatency": statistics(self.integration_latency),
                    "DataProcessed": self.data_processed}
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
    data_processed: int = 0

    def add(self, status: int, latency_ms: float, integration_ms: float | None, data_processed: int) -> None:
        self.count += 1
        self.errors_4xx += 400 <= status < 500
        self.errors_5xx += status >= 500
        self.latency_sum += latency_ms
        self.data_processed += data_processed
        if integration_ms is not None:
            self.integration_latency_sum += integration_ms
            self.integration_count += 1


class Metrics:
    def __init__(self, path: Path | None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.dropped = 0                 # finished rows dropped since start: the file could not be written
        self._rows: dict[tuple[int, str, str, str, str, str], Row] = {}
        self.totals: dict[Key, Totals] = {}

    def record(self, exchange: Recorded, fallback_api: tuple[str, str] | None) -> None:
        """A REST request without a method is counted on the first REST API (`fallback_api`: ApiName, Stage); an HTTP
        API request without a stage is counted nowhere (there is no API to count it under, §2.1)."""
        data = 0
        if isinstance(exchange, HttpApiExchange):
            sample = metric_sample(exchange)
            reached = exchange.api_stage
            if sample is None or reached is None:
                return
            route = exchange.match.route.route_key if exchange.match is not None else ""
            key: Key = (HTTP, reached[0].id, reached[1].name, "", route)
            data = int(dict(sample.values)["DataProcessed"])
        elif isinstance(exchange, Exchange) and exchange.match is not None:
            match = exchange.match
            key = (REST, api_name(match.api.name, match.api.id), match.api.stage.name, match.method.http_method,
                   match.resource.path)
        elif fallback_api is not None:  # no route: counted on the API (and stage) the request went to
            key = (REST, *fallback_api, "", "")
        else:
            return
        minute = int(exchange.request.received_at) // 60 * 60
        row = self._rows.get((minute, *key))
        if row is None:
            kind, api, stage, method, resource = key
            row = self._rows[(minute, *key)] = Row(minute, api, stage, method, resource, kind)
        status = exchange.response.status
        integration = exchange.integration_latency_ms
        row.add(status, exchange.latency_ms, integration)
        row.data_processed += data
        total = self.totals.get(key)
        if total is None:
            total = self.totals[key] = Totals()
        total.add(status, exchange.latency_ms, integration, data)

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
        """Cumulative counters since start in Prometheus' text format: REST APIs' families labelled by ApiName, Stage,
        Method and Resource; HTTP APIs' (`apigateway_http_*`) by ApiId, Stage and Route."""
        lines: list[str] = []
        for kind, prefix, names in ((REST, "apigateway", ("4XXError", "5XXError")),
                                    (HTTP, "apigateway_http", ("4xx", "5xx"))):
            totals = {k: v for k, v in self.totals.items() if k[0] == kind}
            if not totals and kind == HTTP:
                continue
            counters = [(f"{prefix}_requests_total", "Count", "count"),
                        (f"{prefix}_4xx_errors_total", names[0], "errors_4xx"),
                        (f"{prefix}_5xx_errors_total", names[1], "errors_5xx")]
            if kind == HTTP:
                counters.append((f"{prefix}_data_processed_bytes_total", "DataProcessed", "data_processed"))
            for metric, aws_name, attribute in counters:
                lines += [f"# HELP {metric} API Gateway {aws_name} metric", f"# TYPE {metric} counter"]
                lines += [f"{metric}{_labels(k)} {getattr(v, attribute)}" for k, v in totals.items()]
            for metric, aws_name, total, count in (
                    (f"{prefix}_latency_milliseconds", "Latency", "latency_sum", "count"),
                    (f"{prefix}_integration_latency_milliseconds", "IntegrationLatency", "integration_latency_sum",
                     "integration_count")):
                lines += [f"# HELP {metric} API Gateway {aws_name} metric", f"# TYPE {metric} summary"]
                for k, v in totals.items():
                    lines += [f"{metric}_sum{_labels(k)} {getattr(v, total):.3f}",
                              f"{metric}_count{_labels(k)} {getattr(v, count)}"]
        return "\n".join(lines) + "\n"


def _labels(key: Key) -> str:
    kind, api, stage, method, resource = (v.replace("\\", "\\\\").replace('"', '\\"') for v in key)
    if kind == HTTP:
        return f'{{api_id="{api}",stage="{stage}",route="{resource}"}}'
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
    """A REST API's row or an HTTP API's, every field of its kind present with its type."""
    if not isinstance(row, dict):
        return False
    fields = HTTP_ROW_FIELDS if "ApiId" in row else ROW_FIELDS
    return all(isinstance(row.get(name), kind) and not isinstance(row.get(name), bool) for name, kind in fields.items())
