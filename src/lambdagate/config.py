"""Every option lambdagate has, with its default, in one place: what to serve (`Source`) and how (`Config`).

A flag's name is the field's name is the Python keyword (`--max-environments` = `max_environments`), as in uvicorn:
`serve`, `test-invoke` and `doctor` take the same source flags, `Gateway.from_template(path, stage="dev")` the same
keywords, and tests/test_config.py checks that the three agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, TypedDict, get_args

from .errors import LambdagateError
from .samconfig import load, parameter_overrides

Channel = Literal["socket", "runtime-api"]
LogLevel = Literal["off", "error", "info", "full"]
CHANNELS: tuple[str, ...] = get_args(Channel)
LOG_LEVELS: tuple[str, ...] = get_args(LogLevel)

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"   # AWS's documentation account: what a deployed API's ARNs hold in its place
DEFAULT_PORT = 3000                # `sam local start-api`'s
DEFAULT_DASHBOARD_PORT = 3001
TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
STATE_FOLDER = ".lambdagate"       # logs, metrics, unpacked code and builds, next to the definition


@dataclass(frozen=True, kw_only=True)
class Source:
    """What to serve: a template (SAM, CloudFormation, CDK output) or an OpenAPI file, and what the definition
    cannot say by itself."""

    template: Path | None = None            # default: template.yaml (.yml, .json) in the current folder
    openapi: Path | None = None             # an OpenAPI 3 / Swagger 2 file instead of a template
    functions: tuple[str, ...] = ()         # NAME=PATH:HANDLER:RUNTIME, for functions known only by ARN
    layers: tuple[str, ...] = ()            # ARN=PATH, for layers known only by ARN (the Powertools layer)
    mapping: Path | None = None             # YAML/JSON: functions and, for an OpenAPI file, stages
    stage: str | None = None                # the stage served (default: each API's first)
    policies: tuple[Path, ...] = ()         # `aws lambda get-policy` output, checked as AWS does
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)
    env_vars: Path | None = None            # SAM's env.json
    region: str = DEFAULT_REGION
    user_pool_jwks: tuple[str, ...] = ()    # POOL_ID=FILE: a Cognito user pool's keys (JWKS) for its authorizers
    iam_credentials: tuple[str, ...] = ()   # KEY:SECRET[:CALLER_ARN]: secrets that AWS_IAM signatures are checked with
    config_file: Path | None = None         # SAM CLI's samconfig file (default: samconfig.toml/.yaml/.yml beside it)
    config_env: str = "default"             # the samconfig environment whose start-api parameters apply

    def definition(self, cwd: Path | None = None) -> Path:
        """The file to serve, absolute: --openapi, --template, or template.yaml found in `cwd`."""
        if self.openapi is not None and self.template is not None:
            raise LambdagateError("--template and --openapi: serve one definition at a time")
        return (self.openapi or find_template(self.template, cwd)).resolve()

    @property
    def sam_built(self) -> bool:
        """The definition is `sam build`'s output (`.aws-sam/build/template.yaml`)."""
        return self.definition().parent.parts[-2:] == SAM_BUILD.parts

    @property
    def state_dir(self) -> Path:
        """`.lambdagate/` next to the definition (next to the project's template for `sam build`'s output)."""
        folder = self.definition().parent
        return (folder.parent.parent if self.sam_built else folder) / STATE_FOLDER


@dataclass(frozen=True, kw_only=True)
class Config:
    """How to serve it. The CLI's `serve` flags, the Gateway's keywords."""

    source: Source = field(default_factory=Source)
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    dashboard_port: int | None = DEFAULT_DASHBOARD_PORT   # None: no dashboard
    dashboard_host: str = "127.0.0.1"       # the dashboard shows request logs: loopback unless asked, whatever host
    max_environments: int = 8               # per function; a local cap, AWS has none
    watch: bool = True                      # recycle a function's environments when its code changes
    build: bool = True                      # build functions (dependencies, esbuild, ...) before serving; False:
                                            # serve what earlier builds left, install nothing (lambdagate.build)
    quiet: bool = False                     # the terminal shows failed requests and notices only
    python_channel: Channel = "socket"      # or awslambdaric's native client over the HTTP Runtime API
    node_channel: Channel = "socket"        # or lambdagate's Node.js bootstrap over the HTTP Runtime API
    # INFO with data tracing (full), INFO, ERROR or no execution log for every method; None: each method's level
    # from its stage's MethodSettings (LoggingLevel, DataTraceEnabled) as on AWS, full where they say nothing
    execution_log: LogLevel | None = None


class Options(TypedDict, total=False):
    """The keywords of `Gateway.from_template` / `from_openapi`: Source's and Config's fields by name."""

    functions: tuple[str, ...]
    layers: tuple[str, ...]
    mapping: Path
    stage: str
    policies: tuple[Path, ...]
    parameter_overrides: Mapping[str, str]
    env_vars: Path
    region: str
    user_pool_jwks: tuple[str, ...]
    iam_credentials: tuple[str, ...]
    config_file: Path
    config_env: str
    host: str
    port: int
    dashboard_port: int | None
    dashboard_host: str
    max_environments: int
    watch: bool
    build: bool
    quiet: bool
    python_channel: Channel
    node_channel: Channel
    execution_log: LogLevel | None


SOURCE_FIELDS = frozenset(f.name for f in fields(Source))
CONFIG_FIELDS = frozenset(f.name for f in fields(Config)) - {"source"}


def config_from(options: Mapping[str, Any], **source: Any) -> Config:
    """A Config from keywords named as the fields of Source and Config (a Path may be given as a string); what they
    leave out, the samconfig file beside the definition gives, as to `sam local start-api` (samconfig.py)."""

    unknown = set(options) - SOURCE_FIELDS - CONFIG_FIELDS
    if unknown:
        raise TypeError(f"unknown option {', '.join(sorted(unknown))}; options are "
                        f"{', '.join(sorted(SOURCE_FIELDS | CONFIG_FIELDS))}")
    given: dict[str, Any] = {**{k: v for k, v in options.items() if k in SOURCE_FIELDS}, **source}
    for name in ("template", "openapi", "mapping", "env_vars", "config_file"):
        if isinstance(given.get(name), str):
            given[name] = Path(given[name])
    definition = given.get("openapi") or given.get("template")
    settings = load(Path(definition).resolve().parent if definition else Path.cwd(), given.get("config_file"),
                    given.get("config_env", "default"))
    configured = dict(options)
    for name, value in settings.values.items():
        if name in SOURCE_FIELDS and name not in given:
            given[name] = parameter_overrides(value) if name == "parameter_overrides" else value
        elif name in CONFIG_FIELDS and name not in configured:
            configured[name] = value
    options = configured
    if "policies" in given:
        given["policies"] = tuple(Path(p) for p in given["policies"])
    for name in ("functions", "layers", "user_pool_jwks", "iam_credentials"):
        if name in given:
            given[name] = tuple(given[name])
    return Config(source=Source(**given), **{k: v for k, v in options.items() if k in CONFIG_FIELDS})


SAM_BUILD = Path(".aws-sam") / "build"


def sam_built_template(template: Path) -> Path | None:
    """`sam build`'s output template, which `sam local start-api` serves when it finds it, unless it is older than
    the template it was built from (then the build is stale and the source is served)."""
    built = template.parent / SAM_BUILD / "template.yaml"
    if built.is_file() and built.stat().st_mtime >= template.stat().st_mtime:
        return built
    return None


def find_template(given: Path | None, cwd: Path | None = None) -> Path:
    if given is not None:
        return given
    folder = cwd or Path.cwd()
    for name in TEMPLATE_NAMES:
        if (folder / name).is_file():
            return sam_built_template(folder / name) or folder / name
    raise LambdagateError(f"no template.yaml, template.yml or template.json in {folder}; pass --template PATH")
