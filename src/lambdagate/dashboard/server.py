"""The dashboard: its own port (so that no path of the user's API can collide with it), a page with the metrics as
charts over time, the latest requests, and each request's execution log and function log; JSON behind it and a
Prometheus text endpoint. No CDN: the page's assets are package data.

It shows request logs, `Authorization` headers included, so it answers only requests whose `Host` names the address
it serves (an IP address, `localhost`, or the name it was given, with its port): a web page that rebinds its own
DNS name to 127.0.0.1 cannot read it. Query parameters are checked and a bad one is a 400 that says why.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from ..arns import function_name
from ..exchange import Exchange
from ..httpapi import HttpApiExchange
from ..observe.recorder import RECENT, Recorder, RequestRecord

STATIC = Path(__file__).with_name("static")
MAX_MINUTES = 7 * 24 * 60
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def host_allowed(host_header: str | None, served_host: str, port: int) -> bool:
    """Whether a `Host` header names this server: an IP address or `localhost` (names no web page can rebind), or
    the host name the server was given; with the server's port (or none, when that port is 80)."""
    value = (host_header or "").strip()
    if value.startswith("["):  # [IPv6]:port
        name, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return False
        port_text = rest[1:]
    elif value.count(":") > 1:  # an IPv6 address needs brackets in a Host header
        return False
    else:
        name, _, port_text = value.partition(":")
    if port_text:
        if not port_text.isdigit() or int(port_text) != port:
            return False
    elif port != 80:
        return False
    name = name.lower().rstrip(".")
    if not name:
        return False
    if name in ("localhost", served_host.lower()):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _number(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query.get(name)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise web.HTTPBadRequest(text=f"{name}: expected a whole number from {low} to {high}, got {text!r}")
    return int(text)


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


def authorization_summary(exchange: Exchange) -> dict[str, Any]:
    """Who was let call, for a request's detail: the authorizer's decision (aws-auth.md §1-§3) and the usage plan's
    (§4). API key values and tokens stay out; the key and plan are named."""
    a, plan = exchange.authorization, exchange.usage_plan
    return {
        "authorization": None if a is None else {
            "type": a.type, "authorizer": a.authorizer, "decision": a.decision.value, "principal": a.principal,
            "cached": a.cached, "latencyMs": a.latency_ms, "hint": a.hint or None},
        "usagePlan": None if plan is None else {
            "apiKey": plan.key_name, "plan": plan.plan_name, "required": plan.required, "refused": plan.refused},
    }


class DashboardServer:
    def __init__(self, recorder: Recorder, host: str, port: int) -> None:
        self.recorder = recorder
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._only_this_host])
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

    @web.middleware
    async def _only_this_host(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        host = request.headers.get("Host")
        if not host_allowed(host, self.host, self.port):
            return web.Response(status=403, text=f"lambdagate dashboard: Host {host!r} is not this dashboard's "
                                f"address; open http://{_shown(self.host)}:{self.port}/\n",
                                headers={"X-Content-Type-Options": "nosniff"})
        return await handler(request)

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
        minutes = _number(request, "minutes", 60, 1, MAX_MINUTES)
        since = int(time.time()) // 60 * 60 - minutes * 60
        return web.json_response({"rows": self.recorder.metrics.rows(since)})

    async def _requests(self, request: web.Request) -> web.Response:
        limit = _number(request, "limit", 100, 1, RECENT)
        records = list(self.recorder.recent.values())[-limit:]
        return web.json_response({"requests": [request_summary(r) for r in reversed(records)]})

    async def _request(self, request: web.Request) -> web.Response:
        record = self.recorder.recent.get(request.match_info["request_id"])
        if record is None:
            raise web.HTTPNotFound(text="no such request among the latest ones")
        prefix = f"({record.exchange.request_id}) "
        body = request_summary(record)
        if isinstance(record.exchange, Exchange):
            body.update(authorization_summary(record.exchange))
        body["executionLog"] = [prefix + line for line in self.recorder.request_log(record)]
        body["accessLog"] = self.recorder.request_access_log(record)
        body["functionLog"] = list(record.invocation.lines) if record.invocation else []
        return web.json_response(body)

    async def _prometheus(self, request: web.Request) -> web.Response:
        return web.Response(text=self.recorder.metrics.prometheus(), content_type="text/plain",
                            headers={"X-Content-Type-Options": "nosniff"})


def _shown(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
