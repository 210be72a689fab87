"""Stages: which one is served, its variables, method settings and access log; `${stageVariables.x}` in URIs.

A REST API is invoked through a stage (`https://<api>.execute-api.<region>.amazonaws.com/<stage>/...`, AGDG
stages.md), so an API with no stage answers nothing on AWS. lambdagate serves one stage of each API on its port:
the one `--stage NAME` names, else the API's first in template order. Stage properties read here have the same
names on `AWS::ApiGateway::Stage`, on a Deployment's `StageDescription` and on `AWS::Serverless::Api`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import DefinitionError
from .mapping import env_text
from .model.location import Location
from .model.restapi import Api, MethodSetting, Stage
from .stack import Keys, Stack

_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
# StageDescription's own settings apply to every method of the stage (CloudFormation template reference,
# AWS::ApiGateway::Deployment StageDescription), as a MethodSettings entry `/*` `*` would.
_STAGE_WIDE = ("LoggingLevel", "DataTraceEnabled", "ThrottlingBurstLimit", "ThrottlingRateLimit", "CachingEnabled")


@dataclass(frozen=True)
class Candidate:
    """An API before its stage is chosen: `build` makes the Api as that stage serves it."""

    logical_id: str
    stages: tuple[Stage, ...]
    build: Callable[[Stage], Api]
    location: Location


def choose(candidates: list[Candidate], wanted: str | None, warnings: list[str], file: str,
           strict: bool = True) -> list[Api]:
    """Each API with the wanted stage (else its first); `--stage` that no API has is an error listing the stages
    (`strict`; a nested stack's APIs without it serve their first stage)."""
    if wanted is not None and not strict and not any(s.name == wanted for c in candidates for s in c.stages):
        wanted = None
    if wanted is not None and candidates and not any(s.name == wanted for c in candidates for s in c.stages):
        known = "; ".join(f"{c.logical_id}: {', '.join(s.name for s in c.stages) or '(none)'}" for c in candidates)
        raise DefinitionError(file, None, "--stage", f"no API has a stage named {wanted!r} (stages: {known})")
    apis = []
    for c in candidates:
        names = [s.name for s in c.stages]
        if not c.stages:
            warnings.append(f"{c.location}: API {c.logical_id} has no stage (no AWS::ApiGateway::Stage or Deployment "
                            "with StageName names it), so it cannot be invoked: not served")
            continue
        stage = c.stages[names.index(wanted)] if wanted in names else None if wanted else c.stages[0]
        if stage is None:
            warnings.append(f"{c.location}: API {c.logical_id} has no stage {wanted!r} (it has "
                            f"{', '.join(names)}): not served")
            continue
        apis.append(c.build(stage))
    return apis


def unique(stages: list[tuple[Stage, Location]], warnings: list[str]) -> tuple[Stage, ...]:
    """A stage name is unique within an API; a second stage of the same name is reported and left out."""
    out: dict[str, Stage] = {}
    for stage, location in stages:
        if stage.name in out:
            warnings.append(f"{location}: a second stage named {stage.name!r} for the same API; lambdagate keeps the "
                            "first")
        else:
            out[stage.name] = stage
    return tuple(out.values())


def stage_from(stack: Stack, props: dict[str, Any], keys: Keys, name: str, deployment_id: str) -> Stage:
    """`Variables`, `AccessLogSetting`, `MethodSettings` (and a StageDescription's stage-wide settings)."""
    variables = {str(k): env_text(v) for k, v in stack.resolve(props.get("Variables") or {},
                                                               keys + ("Variables",)).items()}
    access = stack.resolve(props.get("AccessLogSetting") or {}, keys + ("AccessLogSetting",))
    access = access if isinstance(access, dict) else {}
    settings = list(method_settings(stack, props.get("MethodSettings") or [], keys + ("MethodSettings",)))
    if any(k in props for k in _STAGE_WIDE):
        settings.insert(0, _setting(stack.resolve({k: props[k] for k in _STAGE_WIDE if k in props}, keys)))
    for setting in settings:
        if setting.caching_enabled:
            stack.warn(keys + ("MethodSettings",), f"stage {name}: CachingEnabled for {setting.http_method} "
                       f"{setting.resource_path}: API Gateway's response cache is not emulated; every request reaches "
                       "the integration")
    return Stage(name, deployment_id, variables,
                 str(access["Format"]) if "Format" in access else None,
                 str(access["DestinationArn"]) if "DestinationArn" in access else None,
                 tuple(settings))


def method_settings(stack: Stack, value: Any, keys: Keys) -> tuple[MethodSetting, ...]:
    entries = stack.resolve(value, keys)
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise stack.t.error(keys, "MethodSettings is a list of {HttpMethod, ResourcePath, LoggingLevel, ...}")
    return tuple(_setting(e) for e in entries)


def _setting(entry: dict[str, Any]) -> MethodSetting:
    def flag(key: str) -> bool | None:
        value = entry.get(key)
        return None if value is None else str(value).lower() == "true"

    def number(key: str, kind: type[int] | type[float]) -> Any:
        value = entry.get(key)
        return None if value is None else kind(value)

    return MethodSetting(resource_path(str(entry.get("ResourcePath", "/*"))), str(entry.get("HttpMethod", "*")),
                         str(entry["LoggingLevel"]) if "LoggingLevel" in entry else None, flag("DataTraceEnabled"),
                         number("ThrottlingBurstLimit", int),
                         number("ThrottlingRateLimit", float), flag("CachingEnabled"))


def resource_path(value: str) -> str:
    """MethodSetting.ResourcePath writes `/resource/subresource` as `/~1resource~1subresource`; `/` is the root and
    `*` a wildcard (CloudFormation template reference, AWS::ApiGateway::Stage MethodSetting)."""
    if value in ("/", "/*", "*"):
        return value
    return value[1:].replace("~1", "/") if value.startswith("/~1") else value


def substitute(uri: str, variables: dict[str, str]) -> tuple[str, list[str]]:
    """`${stageVariables.name}` replaced by the stage's value (AGDG amazon-api-gateway-using-stage-variables.md: the
    Lambda function of an integration may be `${stageVariables.function}`, and each function it can name needs its
    own permission, else 500); the names the stage does not define."""
    missing = [m.group(1) for m in _STAGE_VARIABLE.finditer(uri) if m.group(1) not in variables]
    return _STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), uri), missing
