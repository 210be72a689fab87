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
    mapping: Path | None = None             # YAML/JSON: functions and, for an OpenAPI file, stages
    stage: str | None = None                # the stage served (default: each API's first)
    policies: tuple[Path, ...] = ()         # `aws lambda get-policy` output, checked as AWS does
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)
    env_vars: Path | None = None            # SAM's env.json
    region: str = DEFAULT_REGION

    def definition(self, cwd: Path | None = None) -> Path:
        """The file to serve, absolute: --openapi, --template, or template.yaml found in `cwd`."""
        if self.openapi is not None and self.template is not None:
            raise LambdagateError("--template and --openapi: serve one definition at a time")
        return (self.openapi or find_template(self.template, cwd)).resolve()

    @property
    def state_dir(self) -> Path:
        """`.lambdagate/` next to the definition."""
        return self.definition().parent / STATE_FOLDER


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
    quiet: bool = False                     # the terminal shows failed requests and notices only
    python_channel: Channel = "socket"      # or awslambdaric's native client over the HTTP Runtime API
    node_channel: Channel = "socket"        # or lambdagate's Node.js bootstrap over the HTTP Runtime API
    # INFO with data tracing (full), INFO, ERROR or no execution log for every method; None: each method's level
    # from its stage's MethodSettings (LoggingLevel, DataTraceEnabled) as on AWS, full where they say nothing
    execution_log: LogLevel | None = None


class Options(TypedDict, total=False):
    """The keywords of `Gateway.from_template` / `from_openapi`: Source's and Config's fields by name."""

    functions: tuple[str, ...]
    mapping: Path
    stage: str
    policies: tuple[Path, ...]
    parameter_overrides: Mapping[str, str]
    env_vars: Path
    region: str
    host: str
    port: int
    dashboard_port: int | None
    dashboard_host: str
    max_environments: int
    watch: bool
    quiet: bool
    python_channel: Channel
    node_channel: Channel
    execution_log: LogLevel | None


SOURCE_FIELDS = frozenset(f.name for f in fields(Source))
CONFIG_FIELDS = frozenset(f.name for f in fields(Config)) - {"source"}


def config_from(options: Mapping[str, Any], **source: Any) -> Config:
    """A Config from keywords named as the fields of Source and Config (a Path may be given as a string)."""
    unknown = set(options) - SOURCE_FIELDS - CONFIG_FIELDS
    if unknown:
        raise TypeError(f"unknown option {', '.join(sorted(unknown))}; options are "
                        f"{', '.join(sorted(SOURCE_FIELDS | CONFIG_FIELDS))}")
    given: dict[str, Any] = {**{k: v for k, v in options.items() if k in SOURCE_FIELDS}, **source}
    for name in ("template", "openapi", "mapping", "env_vars"):
        if isinstance(given.get(name), str):
            given[name] = Path(given[name])
    if "policies" in given:
        given["policies"] = tuple(Path(p) for p in given["policies"])
    if "functions" in given:
        given["functions"] = tuple(given["functions"])
    return Config(source=Source(**given), **{k: v for k, v in options.items() if k in CONFIG_FIELDS})


def find_template(given: Path | None, cwd: Path | None = None) -> Path:
    if given is not None:
        return given
    folder = cwd or Path.cwd()
    for name in TEMPLATE_NAMES:
        if (folder / name).is_file():
            return folder / name
    raise LambdagateError(f"no template.yaml, template.yml or template.json in {folder}; pass --template PATH")
