"""A Lambda function as deployed (its code, its build, its settings) and the statements of its resource policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .location import Location

_NO_LOCATION = Location("")   # frozen, so one shared default value is safe


@dataclass(frozen=True)
class Build:
    """How `sam build` builds a function's or a layer's code: `Metadata: BuildMethod` (esbuild, makefile, or a
    runtime such as python3.12 for a layer) and `BuildProperties` (AWS SAM developer guide, "Building ... with
    esbuild", "Building custom runtimes", "Building layers"); or `nodejs-npm`, the build `sam build` gives a
    Node.js function without BuildMethod (its code and its node_modules in one folder)."""

    logical_id: str
    method: str
    source: str                        # absolute path: the CodeUri / ContentUri folder it builds from
    properties: tuple[tuple[str, Any], ...] = ()   # BuildProperties, lists as tuples
    location: Location = Location("")


@dataclass(frozen=True)
class Function:
    logical_id: str
    name: str
    arn: str
    runtime: str
    handler: str
    code_dir: str                      # absolute path: the environment's task root (/var/task)
    timeout: float = 3.0               # seconds; Lambda's default
    memory_size: int = 128             # MB; Lambda's default
    environment: tuple[tuple[str, str], ...] = ()
    reserved_concurrency: int | None = None
    layers: tuple[str, ...] = ()       # absolute paths, in the order they are merged into /opt
    architecture: str = "x86_64"
    location: Location = Location("")
    build: Build | None = None         # Metadata: BuildMethod; code_dir is then the build's output
    layer_builds: tuple[tuple[str, Build], ...] = ()   # layer path -> how it is built
    package_dirs: tuple[str, ...] = ()  # built dependencies Lambda would find in /var/task, after code_dir


@dataclass(frozen=True)
class Condition:
    """One test of a statement's Condition block: `{"ArnLike": {"AWS:SourceArn": [...]}}` is
    `Condition("ArnLike", "aws:sourcearn", (...))`. Operators as IAM spells them; keys lower-cased."""

    operator: str
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Permission:
    """One statement of a function's resource policy: an AWS::Lambda::Permission (Lambda stores its SourceArn as
    `ArnLike` and its SourceAccount as `StringEquals`, LDG access-control-resource-based.md), SAM's implicit one, or a
    statement of `aws lambda get-policy` output."""

    function: str                      # function name, ARN or logical id as written
    action: str
    principal: str
    conditions: tuple[Condition, ...] = ()
    effect: str = "Allow"              # or "Deny"
    location: Location = Location("")

    @classmethod
    def allow(cls, function: str, action: str, principal: str, source_arn: str | None = None,
              source_account: str | None = None, location: Location = _NO_LOCATION) -> Permission:
        """What `AddPermission` / AWS::Lambda::Permission creates."""
        conditions = []
        if source_arn is not None:
            conditions.append(Condition("ArnLike", "aws:sourcearn", (source_arn,)))
        if source_account is not None:
            conditions.append(Condition("StringEquals", "aws:sourceaccount", (source_account,)))
        return cls(function, action, principal, tuple(conditions), "Allow", location)

    @property
    def source_arn(self) -> str | None:
        """The SourceArn the statement allows (or denies), for messages: its first positive SourceArn test."""
        return next((c.values[0] for c in self.conditions if c.key == "aws:sourcearn" and c.values and
                     "Not" not in c.operator), None)
