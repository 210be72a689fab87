"""SAM CLI's configuration file, read as `sam local start-api` reads it, onto lambdagate's options (config.py).

AWS SAM developer guide, "AWS SAM CLI configuration file" (serverless-sam-cli-config.html), and SAM CLI's own reader
(aws/aws-sam-cli samcli/lib/config/samconfig.py, samcli/cli/cli_config_file.py):
- the file is `samconfig.toml`, else `samconfig.yaml`, else `samconfig.yml`, in the template's folder (the current
  folder without --template); `--config-file` names another, relative to that folder, and must exist;
- it needs a numeric `version`; `--config-env` picks the environment table (`default`);
- `[<env>.local_start_api.parameters]` overrides `[<env>.global.parameters]`, and a flag on the command line
  overrides both;
- option names are the flags' names with `_` (`parameter_overrides`, `env_vars`, `warm_containers`);
  `parameter_overrides` is one string (`"A=1 B=2"`), a list of them, a mapping, or `file://` references.

The start-api options lambdagate has map onto its own; the others of the `local_start_api` table are named at
start-up (container and debugger settings have no meaning without Docker).
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import LambdagateError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

NAMES = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")   # SAM CLI's order (FILE_MANAGER_MAPPER)
DEFAULT_ENV = "default"
COMMAND = "local_start_api"
GLOBAL = "global"
# sam local start-api option -> lambdagate option (config.Source / config.Config field)
FIELDS = {"template_file": "template", "template": "template", "parameter_overrides": "parameter_overrides",
          "env_vars": "env_vars", "region": "region", "host": "host", "port": "port", "no_watch": "watch"}
SERVE_ONLY = frozenset({"host", "port", "watch"})
# lambdagate keeps environments warm between requests, as `warm_containers` asks.
OWN_BEHAVIOUR = frozenset({"warm_containers"})


@dataclass(frozen=True)
class Settings:
    """Option values by lambdagate's field names, as the flags take them (paths absolute), and start-up notices."""

    values: dict[str, Any]
    notices: tuple[str, ...] = ()
    path: Path | None = None


def find(folder: Path, config_file: Path | None) -> Path | None:
    """The configuration file: `config_file` (relative to `folder`), else samconfig.toml/.yaml/.yml in `folder`."""
    if config_file is not None:
        path = config_file if config_file.is_absolute() else folder / config_file
        if not path.is_file():   # SAM CLI's ConfigException
            raise LambdagateError(f"Config file {config_file} does not exist or could not be read! ({path})")
        return path
    return next((folder / name for name in NAMES if (folder / name).is_file()), None)


def load(folder: Path, config_file: Path | None = None, config_env: str = DEFAULT_ENV) -> Settings:
    """The settings `sam local start-api` would take from the configuration file of `folder` (none: empty)."""
    path = find(folder, config_file)
    if path is None:
        return Settings({})
    document = _read(path)
    if not isinstance(document.get("version"), float):   # SAM CLI's SamConfigVersionException
        raise LambdagateError(f"{path}: 'version' key is not present or is in unrecognized format (version = 0.1)")
    environment = document.get(config_env)
    if environment is None:
        if config_env != DEFAULT_ENV:
            known = ", ".join(k for k, v in document.items() if isinstance(v, dict)) or "none"
            raise LambdagateError(f"{path}: no environment {config_env!r} for --config-env (environments: {known})")
        return Settings({}, (), path)
    if not isinstance(environment, dict):
        raise LambdagateError(f"{path}: {config_env} must be a table of commands")
    command = _parameters(environment, COMMAND, path, config_env)
    merged = {**_parameters(environment, GLOBAL, path, config_env), **command}
    values: dict[str, Any] = {}
    for option, value in merged.items():
        if option in FIELDS:
            values[FIELDS[option]] = _value(FIELDS[option], value, path)
    ignored = sorted(k for k in command if k not in FIELDS and k not in OWN_BEHAVIOUR)
    notices: tuple[str, ...] = ()
    if ignored:
        notices = (f"{path}: [{config_env}.{COMMAND}.parameters] {', '.join(ignored)}: not used by lambdagate (it "
                   "runs functions without Docker or a debugger)",)
    return Settings(values, notices, path)


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LambdagateError(f"{path}: cannot read the configuration file: {e}") from None
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except tomllib.TOMLDecodeError as e:
        raise LambdagateError(f"{path}: not TOML: {e}") from None
    except yaml.YAMLError as e:
        raise LambdagateError(f"{path}: not YAML: {e}") from None
    if not isinstance(data, dict):
        raise LambdagateError(f"{path}: expected tables of environments, commands and parameters")
    return data


def _parameters(environment: dict[str, Any], command: str, path: Path, env: str) -> dict[str, Any]:
    table = (environment.get(command) or {}).get("parameters") if isinstance(environment.get(command), dict) else None
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise LambdagateError(f"{path}: [{env}.{command}.parameters] must be a table of option = value")
    return table


def parameter_file(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, str]:
    """`--parameter-overrides file://params.yaml` (.toml, .yaml, .yml), read as SAM CLI reads it (samcli/cli/types.py,
    CfnParameterOverridesType): a mapping of names to values (a list is comma-joined, null is empty), a list of such
    mappings or of `Name=Value` strings, and `$include` / `file://` references relative to the file."""
    path = path.resolve()
    if not path.is_file():
        raise LambdagateError(f"--parameter-overrides: file://{path} was not found or is a directory")
    if path.suffix not in (".toml", ".yaml", ".yml"):
        raise LambdagateError(f"--parameter-overrides: file://{path} uses an unsupported extension")
    if path in seen:
        raise LambdagateError(f"--parameter-overrides: Infinite recursion detected in file references: {path}")
    return _overrides(_read(path) if path.suffix == ".toml" else yaml.safe_load(path.read_text(encoding="utf-8")),
                      path, seen + (path,))


def _overrides(value: Any, path: Path, seen: tuple[Path, ...]) -> dict[str, str]:

    out: dict[str, str] = {}
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, list):
            out.update(_overrides(item, path, seen))
        elif isinstance(item, str) and item.startswith("file://"):
            out.update(parameter_file(path.parent / item[len("file://"):], seen))
        elif isinstance(item, str):
            out.update(parameter_overrides([item]))
        elif isinstance(item, dict):
            for key, v in item.items():
                if key == "$include":
                    out.update(_overrides(v, path, seen))
                elif isinstance(v, list):
                    out[str(key)] = ",".join(str(x).strip() for x in v if x not in (None, ""))
                else:
                    out[str(key)] = "" if v is None else "true" if v is True else "false" if v is False else str(v)
        elif item is not None:
            raise LambdagateError(f"{path}: parameter overrides are Name: value mappings or Name=Value strings, "
                                  f"got {item!r}")
    return out


def _value(field: str, value: Any, path: Path) -> Any:
    """A value as the flag takes it: parameter_overrides a list of `Name=Value` strings (a mapping, or `file://`
    references, as SAM CLI takes them), paths absolute (relative to the file), watch the negation of no_watch."""
    where = f"{path}: {field}"
    if field == "parameter_overrides":
        if isinstance(value, str) and not value.startswith("file://"):
            return [value]
        return [f"{k}={shlex.quote(v)}" for k, v in _overrides(value, path, ()).items()]
    if field in ("template", "env_vars"):
        if not isinstance(value, str):
            raise LambdagateError(f"{where}: expected a path, got {value!r}")
        return (path.parent / value).resolve()
    if field == "port":
        if isinstance(value, bool) or not isinstance(value, int):
            raise LambdagateError(f"{where}: expected a port number, got {value!r}")
        return value
    if field == "watch":
        if not isinstance(value, bool):
            raise LambdagateError(f"{path}: no_watch: expected true or false, got {value!r}")
        return not value
    if not isinstance(value, str):
        raise LambdagateError(f"{where}: expected a string, got {value!r}")
    return value


def pairs(values: Sequence[str], flag: str, separator: str = "=") -> list[tuple[str, str]]:
    """`NAME=VALUE` items (`NAME:VALUE` for headers) as pairs; a missing separator or name is an error."""
    out = []
    for item in values:
        name, sep, value = item.partition(separator)
        if not sep or not name.strip():
            raise LambdagateError(f"{flag}: expected NAME{separator}VALUE, got {item!r}")
        out.append((name.strip(), value.strip() if separator == ":" else value))
    return out


def parameter_overrides(values: Sequence[str]) -> dict[str, str]:
    """`--parameter-overrides` as SAM CLI takes it: `Name=Value` pairs or CloudFormation's
    `ParameterKey=Name,ParameterValue=Value`, separated by spaces (quote a value that holds one), in one argument or
    several (AWS SAM CLI command reference, sam local start-api), or `file://params.yaml` (samconfig.parameter_file;
    SAM CLI's samcli/cli/types.py CfnParameterOverridesType)."""
    out: dict[str, str] = {}
    for argument in values:
        try:
            items = shlex.split(argument)
        except ValueError as e:
            raise LambdagateError(f"--parameter-overrides: {e} in {argument!r}") from None
        if not all("=" in item or item.startswith("file://") for item in items):  # one pair whose value has spaces
            items = [argument]
        for item in items:
            if item.startswith("file://"):   # SAM CLI's third form: a file of parameters
                out.update(parameter_file(Path(item[len("file://"):])))
            elif item.startswith("ParameterKey="):
                key, sep, value = item.removeprefix("ParameterKey=").partition(",ParameterValue=")
                if not sep or not key:
                    raise LambdagateError("--parameter-overrides: expected ParameterKey=NAME,ParameterValue=VALUE, "
                                          f"got {item!r}")
                out[key] = value
            else:
                out.update(pairs([item], "--parameter-overrides"))
    return out
