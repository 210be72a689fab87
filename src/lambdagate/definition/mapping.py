"""What a definition cannot say by itself: the local code of functions it names only by ARN (`--function`,
`--mapping FILE`), stage variables of an OpenAPI file's stages, and resource policies (`--policy FILE`).

A mapping file (YAML or JSON; paths relative to it):

    functions:
      books:                        # the function name in the ARN, or the whole function ARN
        path: ./books               # the code folder (or .zip): the task root, /var/task
        handler: books.handler
        runtime: python3.12
        timeout: 10                 # seconds (Lambda's default 3)
        memory: 256                 # MB (Lambda's default 128)
        environment: {TABLE: books}
    stages:                         # for --openapi: the stages and their stage variables
      prod: {variables: {fn: books}}
    layers:                         # layers known only by ARN (the Powertools layer): a folder or .zip of their
      arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:32: ./layers/powertools
                                    # content (python/..., nodejs/node_modules/...); an ARN without its version
                                    # stands for every version
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..arns import function_name
from ..errors import LambdagateError
from .model.location import Location
from .template import Template, load_template

FUNCTION_FLAG = "--function NAME=PATH:HANDLER:RUNTIME"
LAYER_FLAG = "--layer ARN=PATH"
_LAYER_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+(:\d+)?$")
_FUNCTION_FIELDS = {"path", "handler", "runtime", "timeout", "memory", "environment"}


@dataclass(frozen=True)
class FunctionSpec:
    key: str                           # a function name, or a whole function ARN, as the user wrote it
    path: Path                         # absolute: a folder or a .zip
    handler: str
    runtime: str
    timeout: float | None = None
    memory_size: int | None = None
    environment: tuple[tuple[str, str], ...] | None = None
    location: Location = Location("")


@dataclass(frozen=True)
class Mapping:
    functions: tuple[FunctionSpec, ...] = ()
    stages: dict[str, dict[str, str]] = field(default_factory=dict)   # stage name -> stage variables
    layers: dict[str, Path] = field(default_factory=dict)             # layer version ARN -> folder or .zip

    def layer(self, arn: str) -> Path | None:
        """The local content of a layer version: mapped by its whole ARN, else by the ARN without the version."""
        return self.layers.get(arn) or self.layers.get(arn.rsplit(":", 1)[0] if arn.count(":") == 7 else arn)

    def find(self, *names: str) -> FunctionSpec | None:
        """The spec for a function known by any of `names` (ARN, name, logical id): a key equal to one of them
        first, in their order (so an ARN key beats a name key), then a name key for the name in an ARN."""
        by_key = {spec.key: spec for spec in self.functions}
        for name in list(names) + [function_name(n) for n in names if ":function:" in n]:
            if name in by_key:
                return by_key[name]
        return None


def parse_function_flag(value: str, cwd: Path | None = None) -> FunctionSpec:
    """`NAME=PATH:HANDLER:RUNTIME`; PATH may itself contain colons (C:\\code), so it is split from the right."""
    name, sep, rest = value.partition("=")
    parts = rest.rsplit(":", 2)
    if not sep or not name.strip() or len(parts) != 3 or not all(p.strip() for p in parts):
        raise LambdagateError(f"{FUNCTION_FLAG}: expected e.g. books=./src:app.handler:python3.12, got {value!r}")
    path, handler, runtime = (p.strip() for p in parts)
    resolved = ((cwd or Path.cwd()) / path).resolve()
    if not resolved.exists():
        raise LambdagateError(f"--function {value}: no such folder or .zip: {resolved}")
    return FunctionSpec(name.strip(), resolved, handler, runtime, location=Location(f"--function {name.strip()}"))


def parse_layer_flag(value: str, cwd: Path | None = None) -> tuple[str, Path]:
    """`ARN=PATH`: a layer version ARN (or one without its version) and the folder or .zip of its content."""
    arn, sep, path = value.partition("=")
    if not sep or not _LAYER_ARN.match(arn.strip()) or not path.strip():
        raise LambdagateError(f"{LAYER_FLAG}: expected e.g. arn:aws:lambda:us-east-1:017000801446:layer:"
                              f"AWSLambdaPowertoolsPythonV2:32=./layers/powertools, got {value!r}")
    resolved = ((cwd or Path.cwd()) / path.strip()).resolve()
    if not resolved.exists():
        raise LambdagateError(f"--layer {value}: no such folder or .zip: {resolved}")
    return arn.strip(), resolved


def read_mapping(path: Path | None, flags: list[str] | tuple[str, ...] = (),
                 layer_flags: list[str] | tuple[str, ...] = ()) -> Mapping:
    """The --mapping file (if any), the --function and the --layer flags; a flag wins over the file for the same
    key."""
    specs: dict[str, FunctionSpec] = {}
    stages: dict[str, dict[str, str]] = {}
    layers: dict[str, Path] = {}
    if path is not None:
        template = load_template(path)
        specs.update({s.key: s for s in _functions(template)})
        stages = _stages(template)
        layers = _layers(template)
    for flag in flags:
        spec = parse_function_flag(flag)
        specs[spec.key] = spec
    layers.update(parse_layer_flag(flag) for flag in layer_flags)
    return Mapping(tuple(specs.values()), stages, layers)


def _layers(t: Template) -> dict[str, Path]:
    section = t.data.get("layers") or {}
    if not isinstance(section, dict):
        raise t.error(("layers",), "expected a mapping of layer version ARN to the folder or .zip of its content")
    out = {}
    for arn, where in section.items():
        keys: tuple[str | int, ...] = ("layers", arn)
        if not _LAYER_ARN.match(str(arn)):
            raise t.error(keys, f"{arn!r} is not a layer version ARN (arn:aws:lambda:<region>:<account>:layer:"
                          "<name>[:<version>])")
        if not isinstance(where, str) or not where:
            raise t.error(keys, "expected the path of the layer's folder or .zip")
        path = (t.path.parent / where).resolve()
        if not path.exists():
            raise t.error(keys, f"no such folder or .zip: {path}")
        out[str(arn)] = path
    return out


def _functions(t: Template) -> list[FunctionSpec]:
    section = t.data.get("functions") or {}
    if not isinstance(section, dict):
        raise t.error(("functions",), "expected a mapping of function name or ARN to {path, handler, runtime}")
    out = []
    for key, entry in section.items():
        keys: tuple[str | int, ...] = ("functions", key)
        if not isinstance(entry, dict):
            raise t.error(keys, "expected {path, handler, runtime[, timeout, memory, environment]}")
        unknown = set(entry) - _FUNCTION_FIELDS
        if unknown:
            raise t.error(keys + (sorted(unknown)[0],),
                          f"unknown field; expected {', '.join(sorted(_FUNCTION_FIELDS))}")
        for required in ("path", "handler", "runtime"):
            if not isinstance(entry.get(required), str) or not entry[required]:
                raise t.error(keys, f"function {key!r} needs {required}")
        code = (t.path.parent / entry["path"]).resolve()
        if not code.exists():
            raise t.error(keys + ("path",), f"no such folder or .zip: {code}")
        env = entry.get("environment")
        if env is not None and not isinstance(env, dict):
            raise t.error(keys + ("environment",), "expected a mapping of NAME: value")
        out.append(FunctionSpec(
            str(key), code, entry["handler"], entry["runtime"],
            _number(t, keys + ("timeout",), entry.get("timeout"), float),
            _number(t, keys + ("memory",), entry.get("memory"), int),
            None if env is None else tuple((str(k), env_text(v)) for k, v in env.items()),
            t.location(*keys)))
    return out


def _number(t: Template, keys: tuple[str | int, ...], value: Any, kind: type[int] | type[float]) -> Any:
    if value is None:
        return None
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise t.error(keys, f"expected a number, got {value!r}") from None


def _stages(t: Template) -> dict[str, dict[str, str]]:
    section = t.data.get("stages") or {}
    if not isinstance(section, dict):
        raise t.error(("stages",), "expected a mapping of stage name to {variables: {...}}")
    out: dict[str, dict[str, str]] = {}
    for name, entry in section.items():
        variables = (entry.get("variables") or {}) if isinstance(entry, dict) else {} if entry is None else None
        if not isinstance(variables, dict):
            raise t.error(("stages", name), "expected {variables: {NAME: value}}")
        out[str(name)] = {str(k): env_text(v) for k, v in variables.items()}
    return out


def env_text(value: Any) -> str:
    """A template value as the string Lambda and API Gateway store (booleans lower case, null empty)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
