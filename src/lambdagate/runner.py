"""A running lambdagate: the deployment's Lambda service, the two API Gateway pipelines (REST APIs and HTTP APIs, on
the one service and the one port: dispatch.py), the recorder that writes what AWS would log and measure, and
optionally the HTTP server and the dashboard (uvicorn's `Server(config)`)."""

from __future__ import annotations

import asyncio
import contextlib

from . import dispatch, routing
from .auth.sigv4 import IamCredentials
from .auth.user_pool_keys import UserPoolKeys, issuer_lines, jwks_flags
from .config import Config
from .dashboard.server import DashboardServer
from .definition.model import DEFAULT_ROUTE, Deployment, JwtAuthorizer
from .dispatch import Dispatch, PortRouter
from .exchange import HttpRequest, HttpResponse, Observers
from .gateway import ApiGateway
from .httpapi import HttpApiGateway
from .observe.console import Console
from .observe.recorder import Recorder
from .routing import Router
from .runtime.service import LambdaService
from .server import HttpServer


class Runner:
    """Start with `start()`, open ports with `listen()`, stop with `close()`."""

    def __init__(self, deployment: Deployment, console: Console, config: Config, record: bool = True) -> None:
        self.deployment = deployment
        self.config = config
        self.console = console
        self.recorder = Recorder(deployment, config.source.state_dir if record else None, config.execution_log)
        self.observer = Observers(console, self.recorder)
        self.lambdas = LambdaService(deployment, config, self.observer)
        self.gateway = ApiGateway(deployment, self.lambdas, self.observer.exchange)
        source = config.source
        self.keys = UserPoolKeys(jwks_flags(source.user_pool_jwks), state_dir=source.state_dir)
        self.http_gateway = HttpApiGateway(deployment, self.lambdas, self.keys, IamCredentials(source.iam_credentials),
                                           self.observer.exchange)
        self.dispatch = Dispatch(self.gateway, self.http_gateway)
        self.server: HttpServer | None = None
        self.dashboard: DashboardServer | None = None
        self._flusher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.lambdas.start()
        self._flusher = asyncio.get_running_loop().create_task(self._flush_every(0.5))

    async def listen(self, host: str, port: int = 0, dashboard_port: int | None = None) -> int:
        """Open the HTTP port (and the dashboard's); returns the port."""
        if self.server is not None:
            raise RuntimeError("this gateway already serves HTTP")
        self.server = HttpServer(self._answer, host, port)
        await self.server.start()
        if dashboard_port is not None:
            self.dashboard = DashboardServer(self.recorder, host, dashboard_port)
            await self.dashboard.start()
        return self.server.port

    def authorizer_lines(self) -> list[str]:
        """Where the keys of the HTTP APIs' JWT authorizers come from (user_pool_keys.issuer_lines)."""
        found = {(a.name, a.issuer) for api in self.deployment.http_apis for a in api.authorizers
                 if isinstance(a, JwtAuthorizer)}
        return issuer_lines(sorted(found), self.keys)

    async def _answer(self, request: HttpRequest) -> HttpResponse:
        return (await self.dispatch.handle(request)).response

    async def _flush_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            await self.recorder.flush_in_steps()

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        if self.dashboard is not None:
            await self.dashboard.close()
        if self.server is not None:
            await self.server.close()
        await self.lambdas.close()
        self.recorder.close()
        self.console.flush()


def startup_notices(deployment: Deployment) -> list[str]:
    """What the definition cannot serve as AWS would, then what sharing one port changes (routing.notices, and
    dispatch.notices where REST and HTTP APIs meet)."""
    return list(dict.fromkeys(deployment.warnings + tuple(routing.notices(deployment.apis)) +
                              tuple(dispatch.notices(deployment))))


def describe_routes(deployment: Deployment) -> list[str]:
    """One line per method, with both URL forms it answers: the stage's (as deployed) and the root form (routing.py)."""
    lines = []
    router = Router(deployment.apis)
    for api in deployment.apis:
        for resource in api.resources:
            for verb, method in resource.methods.items():
                integration = method.integration
                fn = deployment.function_by_arn(integration.function_arn) if integration.function_arn else None
                name = fn.logical_id if fn else integration.function_arn or integration.uri
                if integration.type != "aws_proxy":
                    kind = integration.type.upper()
                    name = f"{kind} {name}".rstrip() if kind != "NONE" else "(no integration)"
                urls = " or ".join(router.url_forms(api, resource, verb)) or "(not reachable here: see above)"
                lines.append(f"{verb:<7} {urls}  ->  {name}   ({api.logical_id})")
    return lines + _http_routes(deployment, PortRouter(deployment, router))


def _http_routes(deployment: Deployment, port: PortRouter) -> list[str]:
    """An HTTP API route per line: its URL on the port (with the stage's prefix), its function, its authorization."""
    lines = []
    for api in deployment.http_apis:
        for route in api.routes:
            integration = route.integration
            fn = deployment.function_by_arn(integration.function_arn) if integration and integration.function_arn \
                else None
            if integration is None:
                name = "(no integration)"
            elif integration.type != "aws_proxy" or integration.subtype is not None:
                name = f"{integration.subtype or integration.type.upper()} {integration.uri}".rstrip()
            else:
                name = fn.logical_id if fn else integration.function_arn or integration.uri
            auth = f" [{route.authorization_type}]" if route.authorization_type != "NONE" else ""
            urls = " or ".join(dispatch.http_url_forms(port, api, route)) or \
                f"{route.path} (not reachable here: see above)"
            verb = "$default" if route.route_key == DEFAULT_ROUTE else route.method
            version = f", payload {integration.payload_format_version}" if integration is not None else ""
            lines.append(f"{verb:<7} {urls}  ->  {name}{auth}   ({api.logical_id}, HTTP API{version})")
    return lines
