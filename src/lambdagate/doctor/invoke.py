"""Invoke each function in real execution environments (lambdagate's LambdaService), once per route or event.

A route's invocation waits as long as API Gateway would (the integration timeout); past it the request would
have seen 504, and the function's further probes are skipped (its environment is still busy). Only routes of safe
methods (GET, HEAD, OPTIONS; ANY as GET) are invoked unless `--invoke-all` asks for all, and every invocation runs in
doctor's sandbox (sandbox.py): nothing reaches AWS.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config, Source
from ..definition.model.deployment import Deployment
from ..definition.model.function import Function
from ..definition.model.httpapi import DEFAULT_STAGE
from ..events import build_event, encode_event
from ..exchange import HttpRequest, InvocationLog, RequestIds
from ..httpapi.event import build_event_v2
from ..httpapi.event_v1 import build_event_v1
from ..httpapi.request import HttpApiIds
from ..httpapi.routing import RouteMatch
from ..routing import Match
from ..runtime import Answered, FunctionFailed, Throttled, TimedOut, Unavailable, call_integration, json_object
from ..runtime.paths import TASK_ROOT
from ..runtime.service import LambdaService
from .findings import Evidence, shown
from .sandbox import AwsCall, Sandbox
from .targets import HttpApiRoute, Route

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")  # RFC 9110 §9.2.1: no side effect is asked for

_PYTHON_FRAME = re.compile(r'File "(?P<file>[^"]+)",? [Ll]ine (?P<line>\d+)(?:, in (?P<fn>\S+))?(?:\n\s*(?P<code>.*))?')
_NODE_FRAME = re.compile(r"\(?(?:file://)?(?P<file>/[^:()\s]+):(?P<line>\d+):\d+\)?")


@dataclass
class Probe:
    label: str                               # "GET /items/1" or the --event file's name
    route: Route | None
    event: bytes
    wait: float                              # seconds the caller waits (the integration timeout)
    cold: bool = False                       # first invocation of a fresh execution environment
    result: Answered | FunctionFailed | None = None
    throttled: bool = False
    unavailable: str | None = None           # the runtime cannot run here
    gave_up: bool = False                    # the wait passed (a 504 through API Gateway)
    not_run: str | None = None               # skipped, and why
    import_only: bool = False                # only to see the function start: its answer is not checked
    log: list[str] = field(default_factory=list)
    aws_calls: list[AwsCall] = field(default_factory=list)  # what it asked of AWS (answered by the sandbox)
    http_route: HttpApiRoute | None = None   # an HTTP API's route: its answer follows payload_format_version's rules

    @property
    def failed(self) -> bool:
        return isinstance(self.result, FunctionFailed)

    @property
    def init_failed(self) -> bool:
        return self.cold and isinstance(self.result, FunctionFailed) and self.result.phase == "init"

    @property
    def error_type(self) -> str:
        return str(self.result.error_type or "") if isinstance(self.result, FunctionFailed) else ""


def sample_path(template: str) -> tuple[str, dict[str, str]]:
    """A path for a route's path template: `{name}` as `1`, `{name+}` as `example`; and its parameters."""
    params: dict[str, str] = {}
    parts = []
    for part in [p for p in template.split("/") if p]:
        if part.startswith("{") and part.endswith("+}"):
            params[part[1:-2]] = "example"
            parts.append("example")
        elif part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = "1"
            parts.append("1")
        else:
            parts.append(part)
    return "/" + "/".join(parts), params


def _sample(verb: str, path: str, host: str, now: float) -> HttpRequest:
    """ANY as GET; `{}` as a write's body."""
    body = b"{}" if verb in ("POST", "PUT", "PATCH") else b""
    headers = [("Host", host), ("Accept", "application/json"), ("User-Agent", "lambdagate-doctor")]
    if body:
        headers.append(("Content-Type", "application/json"))
    return HttpRequest(verb, path, None, tuple(headers), body, "127.0.0.1", 443, now)


def sample_request(route: Route, region: str, now: float) -> tuple[HttpRequest, Match]:
    """A request for the route: ANY as GET, `{name}` as `1`, `{name+}` as `example`, `{}` as a write's body."""
    verb = "GET" if route.method.http_method == "ANY" else route.method.http_method
    path, params = sample_path(route.resource.path)
    request = _sample(verb, path, f"{route.api.id}.execute-api.{region}.amazonaws.com", now)
    return request, Match(route.api, route.resource, route.method, params or None)


def route_probe(deployment: Deployment, route: Route, now: float | None = None, invoke_all: bool = False) -> Probe:
    now = time.time() if now is None else now
    request, match = sample_request(route, deployment.region, now)
    event = encode_event(build_event(request, match, RequestIds.new(now), deployment.account_id))
    label = f"{request.method} {request.raw_path}"
    if label != route.label:
        label += f" (resource {route.label})"
    probe = Probe(label, route, event, route.method.integration.timeout_ms / 1000)
    if request.method not in SAFE_METHODS and not invoke_all:
        probe.not_run = f"{request.method} may change data; --invoke-all invokes it"
    return probe


def http_route_probe(deployment: Deployment, ref: HttpApiRoute, now: float | None = None,
                     invoke_all: bool = False) -> Probe:
    """The route's event in its payload format, for a sample request on the API's first stage."""
    now = time.time() if now is None else now
    route, stage = ref.route, ref.api.stages[0]
    verb = "GET" if route.method in ("ANY", "$default") else route.method
    path, params = sample_path(route.path or "/")
    prefix = "" if stage.name == DEFAULT_STAGE else f"/{stage.name}"
    request = _sample(verb, prefix + path if path != "/" or not prefix else prefix,
                      f"{ref.api.id}.execute-api.{deployment.region}.amazonaws.com", now)
    match = RouteMatch(ref.api, stage, route, request.raw_path, params or None)
    ids = HttpApiIds.new(now)
    event = build_event_v2(request, match, ids, deployment.account_id) if ref.payload_format_version == "2.0" \
        else build_event_v1(request, match, ids, deployment.account_id)
    label = f"{verb} {request.raw_path}"
    if route.path is None or label != route.route_key:
        label += f" (route {route.route_key})"
    probe = Probe(label, None, json.dumps(event).encode(), ref.timeout_ms / 1000, http_route=ref)
    if verb not in SAFE_METHODS and not invoke_all:
        probe.not_run = f"{verb} may change data; --invoke-all invokes it"
    return probe


def event_probe(path: Path, event: dict[str, Any], function: Function) -> Probe:
    return Probe(path.name, None, json.dumps(event).encode(), function.timeout + 5.0)


def import_probe(function: Function) -> Probe:
    """For a function with no route and no --event: an empty event, to import the handler in a clean execution
    environment (Lambda initialises a function at its first invocation)."""
    return Probe("import check", None, b"{}", function.timeout + 5.0, import_only=True)


class _Output:
    """The observer of doctor's Lambda service: each function's output lines, nothing on the terminal."""

    def __init__(self) -> None:
        self.lines: dict[str, list[str]] = defaultdict(list)

    def function_output(self, function: Function, line: str) -> None:
        self.lines[function.arn].append(line)

    def exchange(self, exchange: object) -> None: ...

    def invocation(self, log: InvocationLog) -> None: ...

    def notice(self, text: str) -> None: ...


async def run(deployment: Deployment, source: Source, plans: dict[str, list[Probe]]) -> None:
    """Fill in each probe's result; functions in parallel, each function's probes one after the other."""
    output = _Output()
    sandbox = Sandbox()
    await sandbox.start()
    service = LambdaService(deployment, Config(source=source, max_environments=1, watch=False), output,
                            sandbox.environment)
    await service.start()
    try:
        await asyncio.gather(*(_function(service, deployment.functions[arn], probes, output.lines[arn], sandbox)
                               for arn, probes in plans.items()))
    finally:
        await service.close()
        await sandbox.close()


async def _function(service: LambdaService, function: Function, probes: list[Probe], log: list[str],
                    sandbox: Sandbox) -> None:
    fresh = True
    busy = False  # the last invocation is still running (it outlived its wait)
    for probe in probes:
        if probe.not_run is not None:
            continue
        if busy:
            probe.not_run = "the previous invocation is still running"
            continue
        probe.cold = fresh
        start, calls = len(log), len(sandbox.calls_of(function))
        outcome = await call_integration(service, function, probe.event, RequestIds.new(time.time()).trace_id,
                                         probe.wait)
        probe.log = log[start:]
        probe.aws_calls = sandbox.calls_of(function)[calls:]
        busy = isinstance(outcome, TimedOut)
        if isinstance(outcome, TimedOut):
            probe.gave_up = True
        elif isinstance(outcome, Unavailable):
            probe.unavailable = outcome.reason
        elif isinstance(outcome, Throttled):
            probe.throttled = True
        else:
            probe.result = outcome
            fresh = isinstance(outcome, FunctionFailed) and outcome.environment_lost


def error_json(payload: bytes) -> dict[str, Any]:
    return json_object(payload)


def frames(error: dict[str, Any], code_dir: str) -> list[Evidence]:
    """The stack frames of a runtime error payload (Python `stackTrace`, Node.js `trace`), the function's own
    code first, as file:line evidence."""
    out: list[Evidence] = []
    for entry in [str(e) for e in (error.get("stackTrace") or error.get("trace") or [])]:
        found = _PYTHON_FRAME.search(entry) or _NODE_FRAME.search(entry)
        file = found.group("file") if found is not None else ""
        if file.startswith(TASK_ROOT + "/"):  # traces name the code folder as Lambda does (runtime/paths.py)
            file = code_dir.rstrip("/") + file[len(TASK_ROOT):]
        if found is None or not file.startswith(code_dir):
            continue
        code = found.groupdict().get("code") or ""
        text = code.strip() or entry.strip().splitlines()[0].replace(found.group(0), "").strip()
        out.append(Evidence(text, shown(file), int(found.group("line"))))
    return list(reversed(out))
