"""A CloudFormation template as CloudFormation reads it: resources, parameters, conditions and the values of `Ref`
and `Fn::GetAtt`. The SAM and CloudFormation loaders build on it.

`Ref`/`Fn::GetAtt` values follow the CloudFormation template reference of each type: a function's `Ref` is its
name and `Arn` its ARN; a log group's `Ref` its name and `Arn` `arn:aws:logs:<region>:<account>:log-group:<name>:*`;
an IAM role's `Arn` `arn:aws:iam::<account>:role/<name>`. A physical name CloudFormation would generate is stood
in for by the logical id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import DEFAULT_ACCOUNT, DEFAULT_REGION, STATE_FOLDER
from ..errors import DefinitionError
from .code import CodeStore
from .intrinsics import Resolver
from .mapping import Mapping
from .model import Location, Permission
from .template import Template

FUNCTION_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")
LAYER_TYPES = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")

Keys = tuple[str | int, ...]


@dataclass
class LoadOptions:
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    env_vars: dict[str, dict[str, str]] = field(default_factory=dict)   # SAM's env.json
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT
    stack_name: str = "lambdagate"
    state_dir: Path | None = None      # where inline code and unpacked zips go (.lambdagate/)
    stage: str | None = None           # --stage: the stage served (default: each API's first)
    mapping: Mapping = field(default_factory=Mapping)       # --function / --mapping
    policies: tuple[Permission, ...] = ()                   # --policy: resource policy statements


class Stack:
    def __init__(self, template: Template, options: LoadOptions) -> None:
        self.t = template
        self.o = options
        self.base = template.path.parent.resolve()
        self.warnings: list[str] = []
        self.code = CodeStore(options.state_dir or (self.base / STATE_FOLDER))
        resources = template.data.get("Resources")
        if not isinstance(resources, dict) or not resources:
            raise template.error(("Resources",), "a template needs a non-empty 'Resources' mapping")
        self.resources: dict[str, dict[str, Any]] = {}
        for logical_id, resource in resources.items():
            if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
                raise template.error(("Resources", logical_id), "each resource needs a 'Type'")
            self.resources[logical_id] = resource
        self.resolver = Resolver(template, self._parameters(), self._pseudo(), self.ref, self.get_att)

    # -- reading ---------------------------------------------------------------------------------------------
    def location(self, *keys: str | int) -> Location:
        return self.t.location(*keys)

    def warn(self, keys: Keys, message: str) -> None:
        self.warnings.append(f"{self.t.location(*keys)}: {message}")

    def type_of(self, logical_id: str) -> str | None:
        r = self.resources.get(logical_id)
        return r["Type"] if r else None

    def logical_ids(self, *types: str) -> list[str]:
        """The resources of these types whose Condition holds, in template order."""
        return [i for i, r in self.resources.items() if r["Type"] in types and self.enabled(i)]

    def enabled(self, logical_id: str) -> bool:
        condition = self.resources[logical_id].get("Condition")
        return condition is None or self.resolver.condition(str(condition), ("Resources", logical_id, "Condition"))

    def properties(self, logical_id: str) -> dict[str, Any]:
        props = self.resources[logical_id].get("Properties") or {}
        if not isinstance(props, dict):
            raise self.t.error(("Resources", logical_id, "Properties"), "Properties must be a mapping")
        return props

    def string(self, value: Any, keys: Keys) -> str:
        return self.resolver.string(value, keys)

    def resolve(self, value: Any, keys: Keys) -> Any:
        return self.resolver.resolve(value, keys)

    def logical_id_of(self, value: Any, types: tuple[str, ...], keys: Keys) -> str:
        """The logical id a `!Ref X` (or `!GetAtt X.Attr`, or a resolved physical id) designates, of one of `types`."""
        target = value.get("Ref") if isinstance(value, dict) and "Ref" in value else None
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            target = att.split(".", 1)[0] if isinstance(att, str) else att[0] if isinstance(att, list) else None
        if isinstance(target, str) and self.type_of(target) in types:
            return target
        resolved = self.string(value, keys)
        for logical_id in self.logical_ids(*types):
            if self.ref(logical_id) == resolved:
                return logical_id
        raise self.t.error(keys, f"{resolved!r} is not a {' or '.join(types)} of this template")

    # -- parameters and references ---------------------------------------------------------------------------
    def _pseudo(self) -> dict[str, str]:
        o = self.o
        return {"AWS::Region": o.region, "AWS::AccountId": o.account_id, "AWS::StackName": o.stack_name,
                "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
                "AWS::StackId": f"arn:aws:cloudformation:{o.region}:{o.account_id}:stack/{o.stack_name}/"
                                "00000000-0000-0000-0000-000000000000"}

    def _parameters(self) -> dict[str, str]:
        declared = self.t.data.get("Parameters") or {}
        unknown = set(self.o.parameter_overrides) - set(declared)
        if unknown:
            raise DefinitionError(self.t.file, self.t.line_of("Parameters"), "--parameter-overrides",
                                  f"no parameter named {', '.join(sorted(unknown))} in the template")
        values: dict[str, str] = {}
        for name, spec in declared.items():
            if name in self.o.parameter_overrides:
                values[name] = self.o.parameter_overrides[name]
            elif isinstance(spec, dict) and "Default" in spec:
                default = spec["Default"]
                values[name] = ",".join(map(str, default)) if isinstance(default, list) else str(default)
            else:
                raise self.t.error(("Parameters", name),
                                   f"parameter {name!r} has no Default: pass --parameter-overrides {name}=VALUE")
        return values

    def ref(self, logical_id: str) -> str | None:
        kind = self.type_of(logical_id)
        if kind is None:
            return None
        if kind in FUNCTION_TYPES:
            return self.function_name(logical_id)
        if kind in LAYER_TYPES:
            return f"arn:aws:lambda:{self.o.region}:{self.o.account_id}:layer:{logical_id}:1"
        if kind == "AWS::Logs::LogGroup":
            return self._named(logical_id, "LogGroupName")
        return logical_id

    def get_att(self, logical_id: str, attribute: str) -> str | None:
        kind = self.type_of(logical_id)
        if kind in FUNCTION_TYPES and attribute == "Arn":
            return self.function_arn(logical_id)
        if kind == "AWS::Logs::LogGroup" and attribute == "Arn":
            return f"arn:aws:logs:{self.o.region}:{self.o.account_id}:log-group:{self.ref(logical_id)}:*"
        if kind == "AWS::IAM::Role" and attribute == "Arn":
            return f"arn:aws:iam::{self.o.account_id}:role/{self._named(logical_id, 'RoleName')}"
        return None

    def _named(self, logical_id: str, prop: str) -> str:
        props = self.properties(logical_id)
        return self.string(props[prop], ("Resources", logical_id, "Properties", prop)) if prop in props \
            else logical_id

    def function_name(self, logical_id: str) -> str:
        return self._named(logical_id, "FunctionName")

    def function_arn(self, logical_id: str) -> str:
        return f"arn:aws:lambda:{self.o.region}:{self.o.account_id}:function:{self.function_name(logical_id)}"
