"""The dashboard: its own port (so that no path of the user's API can collide with it), a page with the metrics as
charts over time, the latest requests, and each request's execution log and function log; JSON behind it and a
Prometheus text endpoint. No CDN: the page's assets are package data."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from aiohttp import web

from ..arns import function_name
from ..exchange import Exchange
from ..httpapi import HttpApiExchange
from ..observe.recorder import Recorder, RequestRecord

STATIC = Path(__file__).with_name("static")


def request_summary(record: RequestRecord) -> dict[str, Any]:
    """A request as the dashboard lists it: REST's resource and x-amzn-RequestId, or an HTTP API's route key and
    apigw-requestid (`kind` says which)."""
    ex = record.exchange
    r = ex.request
    out: dict[str, Any] = {
        "requestId": ex.request_id,
        "time": int(r.received_at * 1000),
        "method": r.method,
        "path": r.target,
        "status": ex.response.status,
        "latencyMs": round(ex.latency_ms, 2),
        "integrationLatencyMs": ex.integration_latency_ms,
        "lambdaRequestId": ex.lambda_request_id,
        "hint": ex.hint or None,
    }
    if isinstance(ex, HttpApiExchange):
        match = ex.match
        function = ex.function.name if ex.function is not None else None
        out.update({"kind": "HTTP", "api": match.api.name if match else None,
                    "apiId": match.api.id if match else None, "stage": match.stage.name if match else None,
                    "resource": match.route.route_key if match else None,
                    "error": ex.error.message if ex.error else None})
    elif isinstance(ex, Exchange):
        rest = ex.match
        call = ex.call
        function = function_name(call.function_arn) if call is not None and call.function_arn else None
        out.update({"kind": "REST", "api": rest.api.name if rest else None, "apiId": rest.api.id if rest else None,
                    "stage": rest.api.stage.name if rest else None, "resource": rest.resource.path if rest else None,
                    "error": ex.error.response_type if ex.error else None})
    else:
        function = None
    out["function"] = record.invocation.function.name if record.invocation else function
    return out


class DashboardServer:
    def __init__(self, recorder: Recorder, host: str, port: int) -> None:
        self.recorder = recorder
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self._index)
        app.router.add_static("/static/", STATIC)
        app.router.add_get("/api/overview", self._overview)
        app.router.add_get("/api/metrics", self._metrics)
        app.router.add_get("/api/requests", self._requests)
        app.router.add_get("/api/requests/{request_id}", self._request)
        app.router.add_get("/metrics", self._prometheus)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def _overview(self, request: web.Request) -> web.Response:
        deployment = self.recorder.deployment
        apis = [{"name": api.name, "id": api.id, "stage": api.stage.name, "kind": "REST",
                 "routes": [{"resource": r.path, "methods": sorted(r.methods)} for r in api.resources if r.methods]}
                for api in deployment.apis]
        apis += [{"name": api.name, "id": api.id, "stage": ", ".join(s.name for s in api.stages), "kind": "HTTP",
                  "routes": [{"resource": r.path or r.route_key, "methods": [r.method]} for r in api.routes]}
                 for api in deployment.http_apis]
        functions = [{"name": f.name, "logicalId": f.logical_id, "runtime": f.runtime} for f in
                     deployment.functions.values()]
        return web.json_response({"apis": apis, "functions": functions, "now": int(time.time() * 1000)})

    async def _metrics(self, request: web.Request) -> web.Response:
        minutes = int(request.query.get("minutes", "60"))
        since = int(time.time()) // 60 * 60 - minutes * 60
        return web.json_response({"rows": self.recorder.metrics.rows(since)})

    async def _requests(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", "100"))
        records = list(self.recorder.recent.values())[-limit:]
        return web.json_response({"requests": [request_summary(r) for r in reversed(records)]})

    async def _request(self, request: web.Request) -> web.Response:
        record = self.recorder.recent.get(request.match_info["request_id"])
        if record is None:
            raise web.HTTPNotFound(text="no such request among the latest ones")
        prefix = f"({record.exchange.request_id}) "
        body = request_summary(record)
        body["executionLog"] = [prefix + line for line in self.recorder.execution_log(record.exchange)]
        body["accessLog"] = self.recorder.access_log(record.exchange)
        body["functionLog"] = list(record.invocation.lines) if record.invocation else []
        return web.json_response(body)

    async def _prometheus(self, request: web.Request) -> web.Response:
        return web.Response(text=self.recorder.metrics.prometheus(), content_type="text/plain",
                            headers={"X-Content-Type-Options": "nosniff"})
