"""Wiring: a template -> a deployment -> the local Lambda service -> the gateway -> the HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .build import prepare
from .dashboard.server import DashboardServer
from .definition.loader import load_definition
from .definition.mapping import read_mapping, read_policy
from .definition.model import Deployment
from .definition.stack import LoadOptions
from .errors import LambdagateError
from .gateway import ApiGateway, Exchange
from .observe.console import Console
from .observe.recorder import Recorder
from .runtime.service import LambdaService
from .server import GatewayServer

TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")


@dataclass
class ServeConfig:
    template: Path | None = None
    host: str = "127.0.0.1"
    port: int = 3000
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    env_vars: Path | None = None
    region: str = "us-east-1"
    max_environments: int = 8
    watch: bool = True
    quiet: bool = False
    python_channel: str = "socket"     # or "runtime-api": awslambdaric's native client over HTTP
    node_channel: str = "socket"       # or "runtime-api": lambdagate's Node.js bootstrap over HTTP
    execution_log: str = "full"        # off | error | info | full (INFO with data tracing)
    dashboard_port: int | None = 3001  # None: no dashboard
    openapi: Path | None = None        # an OpenAPI 3 / Swagger 2 file instead of a template
    functions: tuple[str, ...] = ()    # --function NAME=PATH:HANDLER:RUNTIME, for functions known only by ARN
    mapping: Path | None = None        # --mapping FILE: functions (and, for --openapi, stages) as YAML/JSON
    stage: str | None = None           # the stage served (default: each API's first)
    policies: tuple[Path, ...] = ()    # --policy FILE: `aws lambda get-policy` output, checked as AWS does
    install: bool = True               # build and install what functions need; False: use earlier builds only


def find_template(given: Path | None, cwd: Path | None = None) -> Path:
    if given is not None:
        return given
    folder = cwd or Path.cwd()
    for name in TEMPLATE_NAMES:
        if (folder / name).is_file():
            return sam_built_template(folder / name) or folder / name
    raise LambdagateError(f"no template.yaml, template.yml or template.json in {folder}; pass --template PATH")


SAM_BUILD = Path(".aws-sam") / "build"


def sam_built_template(template: Path) -> Path | None:
    """`sam build`'s output template, which `sam local start-api` serves when it finds it, unless it is older than
    the template it was built from (then the build is stale and the source is served)."""
    built = template.parent / SAM_BUILD / "template.yaml"
    if built.is_file() and built.stat().st_mtime >= template.stat().st_mtime:
        return built
    return None


def _say(text: str) -> None:
    print(f"lambdagate: {text}", file=sys.stderr, flush=True)


def read_env_vars(path: Path | None) -> dict[str, dict[str, str]]:
    """SAM's `--env-vars` file: {"Parameters": {...}, "<FunctionLogicalId>": {...}}."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise LambdagateError(f"{path}: cannot read the --env-vars file: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise LambdagateError(f"{path}:{e.lineno}: the --env-vars file is not JSON: {e.msg}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise LambdagateError(f"{path}: expected {{\"FunctionLogicalId\": {{\"NAME\": \"value\"}}, ...}} "
                              "(SAM's env.json format)")
    return {k: {n: str(v) for n, v in section.items()} for k, section in data.items()}


def load(config: ServeConfig, notice: Callable[[str], None] | None = None) -> tuple[Deployment, Path]:
    """The deployment a definition describes, its functions built (lambdagate.build); progress goes to
    `notice` (default: stderr)."""
    deployment, state_dir, sam_built = load_unbuilt(config)
    return prepare(deployment, state_dir, notice or _say, config.install, sam_built), state_dir


def load_unbuilt(config: ServeConfig) -> tuple[Deployment, Path, bool]:
    """The deployment as the definition describes it, its state folder, and whether it is `sam build`'s output."""
    if config.openapi is not None and config.template is not None:
        raise LambdagateError("--template and --openapi: serve one definition at a time")
    definition = (config.openapi or find_template(config.template)).resolve()
    sam_built = definition.parent.parts[-2:] == SAM_BUILD.parts
    project = definition.parent.parent.parent if sam_built else definition.parent
    state_dir = project / ".lambdagate"
    options = LoadOptions(parameter_overrides=config.parameter_overrides, env_vars=read_env_vars(config.env_vars),
                          region=config.region, state_dir=state_dir, stage=config.stage,
                          mapping=read_mapping(config.mapping, config.functions),
                          policies=tuple(p for path in config.policies for p in read_policy(path)))
    deployment = load_definition(definition, options, openapi_only=config.openapi is not None)
    if sam_built:
        deployment = replace(deployment, warnings=(
            f"serving {SAM_BUILD / 'template.yaml'}, `sam build`'s output (not older than the template it was "
            "built from), as `sam local start-api` does; run `sam build` again after changing the template, or "
            "remove .aws-sam/ to serve the source",) + deployment.warnings)
    return deployment, state_dir, sam_built


class LocalGateway:
    """A running gateway: its Lambda service, its recorder, and optionally its HTTP server and dashboard."""

    def __init__(self, deployment: Deployment, state_dir: Path, console: Console, config: ServeConfig,
                 record: bool = True) -> None:
        self.deployment = deployment
        self.console = console
        self.recorder = Recorder(deployment, state_dir if record else None, config.execution_log)
        self.lambdas = LambdaService(deployment, state_dir, console.function_log, console.notice,
                                     max_environments=config.max_environments, watch=config.watch,
                                     python_channel=config.python_channel, on_invocation=self.recorder.invocation,
                                     node_channel=config.node_channel)
        self.gateway = ApiGateway(deployment, self.lambdas, self._exchange)
        self.server: GatewayServer | None = None
        self.dashboard: DashboardServer | None = None
        self._flusher: asyncio.Task[None] | None = None

    def _exchange(self, exchange: Exchange) -> None:
        self.console.exchange(exchange)
        self.recorder.exchange(exchange)

    async def start(self, host: str | None = None, port: int = 0, dashboard_port: int | None = None) -> None:
        await self.lambdas.start()
        self._flusher = asyncio.get_running_loop().create_task(self._flush_every(0.5))
        if host is not None:
            await self.listen(host, port, dashboard_port)

    async def listen(self, host: str, port: int = 0, dashboard_port: int | None = None) -> int:
        """Open the HTTP port (and the dashboard's); returns the port."""
        if self.server is not None:
            raise RuntimeError("this gateway already serves HTTP")
        self.server = GatewayServer(self.gateway.handle, host, port)
        await self.server.start()
        if dashboard_port is not None:
            self.dashboard = DashboardServer(self.recorder, host, dashboard_port)
            await self.dashboard.start()
        return self.server.port

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


def describe_routes(deployment: Deployment) -> list[str]:
    lines = []
    for api in deployment.apis:
        for resource in api.resources:
            for verb, method in resource.methods.items():
                integration = method.integration
                fn = deployment.function_by_arn(integration.function_arn) if integration.function_arn else None
                name = fn.logical_id if fn else integration.function_arn or integration.uri
                if integration.type != "aws_proxy":
                    kind = integration.type.upper()
                    name = f"{kind} {name}".rstrip() if kind != "NONE" else "(no integration)"
                lines.append(f"{verb:<7} {resource.path}  ->  {name}   ({api.logical_id}, stage {api.stage.name})")
    return lines


async def serve(config: ServeConfig) -> None:
    console = Console(quiet=config.quiet)
    deployment, state_dir = load(config, console.notice)
    for warning in deployment.warnings:
        console.notice(warning)
    local = LocalGateway(deployment, state_dir, console, config)
    await local.start(config.host, config.port, config.dashboard_port)
    assert local.server is not None
    for line in describe_routes(deployment):
        console.notice(line)
    if local.dashboard is not None:
        console.notice(f"dashboard on http://{config.host}:{local.dashboard.port}/ "
                       f"(Prometheus metrics at /metrics)")
    console.notice(f"logs and metrics under {state_dir} (`lambdagate logs`, `lambdagate metrics`)")
    console.notice(f"serving on http://{config.host}:{local.server.port} (Ctrl-C stops)")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await local.close()
