"""CloudWatch metrics of an HTTP API request (docs/aws-http-api.md §11 [DOC] AGDG http-api-metrics): namespace
`AWS/ApiGateway`, metrics `Count`, `4xx`, `5xx` (not REST's `4XXError`/`5XXError`), `Latency`,
`IntegrationLatency`, `DataProcessed`; dimensions `ApiId` and `ApiId, Stage`, plus per route only with detailed
metrics enabled. The third set's names disagree between doc versions ([UNCERTAIN]): `ApiId, Stage, Route` as the
2023 page names them. Which requests count as 4xx is [UNCERTAIN]: every 4xx answer, as REST ([INFERRED]).
`DataProcessed` counts the request and response payload bytes ([INFERRED] from "bytes processed").
"""

from __future__ import annotations

from dataclasses import dataclass

from .record import HttpApiExchange, Reached

NAMESPACE = "AWS/ApiGateway"


@dataclass(frozen=True)
class MetricSample:
    dimensions: tuple[tuple[tuple[str, str], ...], ...]   # each set of (name, value)
    values: tuple[tuple[str, float], ...]                 # (metric name, value)


def metric_sample(x: HttpApiExchange) -> MetricSample | None:
    """None when no stage matched: there is no API to count it under. A request that reached a stage but no route
    counts on the API and stage only."""
    reached = x.api_stage
    if reached is None:
        return None
    api, stage = reached
    dimensions: list[tuple[tuple[str, str], ...]] = [(("ApiId", api.id),), (("ApiId", api.id), ("Stage", stage.name))]
    route_key = x.match.route.route_key if x.match is not None else None
    settings = dict(stage.route_settings).get(route_key or "")
    detailed = (settings.detailed_metrics_enabled if settings and settings.detailed_metrics_enabled is not None
                else stage.default_route_settings.detailed_metrics_enabled)
    if detailed and route_key is not None:
        dimensions.append((("ApiId", api.id), ("Stage", stage.name), ("Route", route_key)))
    status = x.status
    body = len(x.response.body) if x.response is not None else 0
    values = [("Count", 1.0), ("4xx", 1.0 if 400 <= status < 500 else 0.0), ("5xx", 1.0 if status >= 500 else 0.0),
              ("Latency", float(round(x.latency_ms))), ("DataProcessed", float(len(x.request.body) + body))]
    if x.reached >= Reached.SENT and x.integration_latency_ms is not None:
        values.append(("IntegrationLatency", float(x.integration_latency_ms)))
    return MetricSample(tuple(dimensions), tuple(values))
