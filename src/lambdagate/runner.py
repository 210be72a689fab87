"""A running lambdagate: the deployment's Lambda service, the two API Gateway pipelines (REST APIs and HTTP APIs, on
the one service and the one port: dispatch.py), the recorder that writes what AWS would log and measure, and
optionally the HTTP server and the dashboard (uvicorn's `Server(config)`)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
from collections.abc import Awaitable, Callable

from . import dispatch, routing
from .auth import api_keys, user_pool_keys
from .auth.sigv4 import IamCredentials
from .auth.user_pool_keys import UserPoolKeys, issuer_lines, jwks_flags
from .build import rebuild
from .config import Config
from .dashboard.server import DashboardServer
from .definition.model.deployment import Deployment
from .definition.model.httpapi import DEFAULT_ROUTE, JwtAuthorizer
from .definition.model.restapi import Api, Method
from .dispatch import Dispatch, PortRouter
from .errors import LambdagateError
from .exchange import HttpRequest, HttpResponse, Observers
from .gateway import ApiGateway
from .httpapi import HttpApiGateway
from .httpapi import routing as http_routing
from .observe.console import Console
from .observe.recorder import Recorder
from .routing import Router
from .runtime.platform import release_free_memory
from .runtime.service import LambdaService
from .runtime.watch import CodeWatcher
from .server import HttpServer


class Runner:
    """Start with `start()`, open ports with `listen()`, stop with `close()`."""

    def __init__(self, deployment: Deployment, console: Console, config: Config, record: bool = True) -> None:
        self.deployment = deployment
        self.config = config
        self.console = console
        self.recorder = Recorder(deployment, config.source.state_dir if record else None, config.execution_log,
                                 console.notice)
        self.observer = Observers(console, self.recorder)
        self.lambdas = LambdaService(deployment, config, self.observer)
        source = config.source   # the flags are read here, so that a malformed one stops the start (exit code 2)
        # one set of keys for both kinds of API: Cognito pools and JWT issuers, and the IAM secrets
        self.pool_keys = UserPoolKeys(jwks_flags(source.user_pool_jwks), state_dir=source.state_dir)
        iam = IamCredentials(source.iam_credentials)
        self.gateway = ApiGateway(deployment, self.lambdas, self.observer.exchange, self.pool_keys, iam)
        self.http_gateway = HttpApiGateway(deployment, self.lambdas, self.pool_keys, iam, self.observer.exchange)
        self.dispatch = Dispatch(self.gateway, self.http_gateway)
        self.watcher = CodeWatcher(self.lambdas.served(), self.lambdas.recycle, console.notice,
                                   config.source.state_dir, rebuild) if config.watch else None
        self.server: HttpServer | None = None
        self.dashboard: DashboardServer | None = None
        self._flusher: asyncio.Task[None] | None = None

    def access_notices(self) -> list[str]:
        """Who may call, said at start-up: each API key's value and plans (generated ones marked), and where each
        Cognito authorizer's pool keys come from and how to make its tokens."""
        pools = [(a.name, a.provider_arns) for api in self.deployment.apis for a in api.authorizers
                 if a.type == "COGNITO_USER_POOLS"]
        return api_keys.startup_lines(self.deployment) + user_pool_keys.startup_lines(pools, self.pool_keys) + \
            self.authorizer_lines()

    async def start(self) -> None:
        await self.lambdas.start()
        if self.watcher is not None:
            self.watcher.start()
        self._flusher = asyncio.get_running_loop().create_task(self._flush_every(0.5))

    async def listen(self, host: str, port: int = 0, dashboard_port: int | None = None,
                     dashboard_host: str | None = None) -> int:
        """Open the HTTP port (and the dashboard's, on `dashboard_host`, by default Config.dashboard_host: the
        dashboard shows request logs, so it stays on loopback unless asked); returns the port."""
        if self.server is not None:
            raise RuntimeError("this gateway already serves HTTP")
        self.server = HttpServer(self._answer, host, port)
        await _opened(self.server.start(), host, port, "--port")
        if dashboard_port is not None:
            self.dashboard = DashboardServer(self.recorder, dashboard_host or self.config.dashboard_host,
                                             dashboard_port)
            await _opened(self.dashboard.start(), self.dashboard.host, dashboard_port,
                          "--dashboard-port (or --no-dashboard)")
        return self.server.port

    def authorizer_lines(self) -> list[str]:
        """Where the keys of the HTTP APIs' JWT authorizers come from (user_pool_keys.issuer_lines)."""
        found = set()
        for api in self.deployment.http_apis:
            for a in api.authorizers:
                if isinstance(a, JwtAuthorizer):
                    scopes = sorted({s for r in api.routes if r.authorizer == a.name for s in r.authorization_scopes})
                    found.add((a.name, a.issuer, a.audience, tuple(scopes)))
        return issuer_lines(sorted(found), self.pool_keys)

    async def _answer(self, request: HttpRequest) -> HttpResponse:
        return (await self.dispatch.handle(request)).response

    async def _flush_every(self, seconds: float) -> None:
        """Writes the logs twice a second for as long as the gateway runs: a failure costs one round, said once.
        Every 5 s, memory freed meanwhile goes back to the operating system."""
        said = False
        rounds = 0
        while True:
            await asyncio.sleep(seconds)
            rounds += 1
            if rounds % max(1, int(5 / seconds)) == 0:
                release_free_memory()
            try:
                await self.recorder.flush_in_steps()
            except Exception as e:  # noqa: BLE001 - the recorder already turns OSError into a notice
                if not said:
                    self.console.notice(f"writing the logs failed ({type(e).__name__}: {e}); trying again")
                    said = True

    async def close(self) -> None:
        """Stop everything, each part even if another fails: no environment is left running."""
        steps: list[Callable[[], Awaitable[None]]] = [self._stop_flusher]
        if self.dashboard is not None:
            steps.append(self.dashboard.close)
        if self.server is not None:
            steps.append(self.server.close)
        if self.watcher is not None:
            steps.append(self.watcher.close)
        steps.append(self.lambdas.close)
        failures: list[BaseException] = []
        for step in steps:
            try:
                await step()
            except Exception as e:  # noqa: BLE001 - said below, after every part is stopped
                failures.append(e)
        try:
            self.recorder.close()
        except Exception as e:  # noqa: BLE001
            failures.append(e)
        for failure in failures:
            self.console.notice(f"while stopping: {type(failure).__name__}: {failure}")
        self.console.flush()

    async def _stop_flusher(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._flusher


def startup_notices(deployment: Deployment) -> list[str]:
    """What the definition cannot serve as AWS would, then what sharing one port changes (routing.notices,
    httpapi/routing.notices where HTTP APIs meet, and dispatch.notices where REST and HTTP APIs meet)."""
    return list(dict.fromkeys(deployment.warnings + tuple(routing.notices(deployment.apis)) +
                              tuple(http_routing.notices(deployment.http_apis)) +
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
                lines.append(f"{verb:<7} {urls}  ->  {name}   ({api.logical_id}){_who_may_call(api, method)}")
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


def _who_may_call(api: Api, method: Method) -> str:
    """` [authorizer TokenAuth, API key]`: what a route's caller must present (aws-auth.md), nothing when open."""
    auth = method.auth
    parts = []
    if auth.authorization_type == "AWS_IAM":
        parts.append("AWS_IAM")
    elif auth.authorization_type != "NONE":
        authorizer = api.authorizer(auth.authorizer_id)
        parts.append(f"authorizer {authorizer.name if authorizer else auth.authorizer_id}")
    if auth.api_key_required:
        parts.append("API key")
    if method.request.validator_id is not None:
        parts.append("validated")
    return f" [{', '.join(parts)}]" if parts else ""


async def _opened(start: Awaitable[None], host: str, port: int, flag: str) -> None:
    """A port that cannot be opened (another server on it, a host this machine does not have) is said in one line
    that names the flag to change, not a traceback."""
    try:
        await start
    except OSError as e:
        reason = e.strerror or str(e)
        if e.errno == errno.EADDRINUSE:
            reason = "address already in use (another lambdagate, or another server, listens there)"
        raise LambdagateError(f"cannot listen on {host}:{port}: {reason}; choose another with {flag}") from None
