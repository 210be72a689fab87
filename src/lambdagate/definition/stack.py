"""A CloudFormation template as CloudFormation reads it: resources, parameters, conditions and the values of `Ref`
and `Fn::GetAtt`. The SAM and CloudFormation loaders build on it.

Before anything reads the template, its AWS::Include snippets are inserted (include.py) and, with
`Transform: AWS::LanguageExtensions`, its Fn::ForEach loops expanded (language_extensions.py), as CloudFormation
processes them before the SAM transform.

`Ref`/`Fn::GetAtt` values follow the CloudFormation template reference of each type: a function's `Ref` is its
name and `Arn` its ARN; a log group's `Ref` its name and `Arn` `arn:aws:logs:<region>:<account>:log-group:<name>:*`.
A physical name CloudFormation would generate is stood in for by the logical id (in a nested stack, prefixed by the
stack's path: `Child-Function`). Resources lambdagate does not run give placeholders in CloudFormation's shapes
(placeholders.py), named at start-up; nested stacks are nested.py's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import DEFAULT_ACCOUNT, DEFAULT_REGION, STATE_FOLDER
from ..errors import DefinitionError
from . import language_extensions, placeholders
from .code import CodeStore
from .include import expand_includes
from .intrinsics import Resolver
from .mapping import Mapping
from .model.function import Permission
from .model.location import Location
from .template import Template, load_template

FUNCTION_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")
# `cdk synth` of CDK v1: AssetParameters<hash>S3Bucket<id>, ...S3VersionKey<id>, ...ArtifactHash<id>, without Default
CDK_ASSET_PARAMETER = re.compile(r"AssetParameters[0-9a-f]{64}(S3Bucket|S3VersionKey|ArtifactHash)[0-9A-F]{8}")
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
    stack_path: tuple[str, ...] = ()   # a nested stack's logical ids from the root: ("Child",), ("Child", "Grand")
    parameters_given_by: str = "--parameter-overrides"      # who passes parameters: the flag, or a parent stack
    env_var_notes: dict[str, list[str]] = field(default_factory=dict)   # --env-vars a template does not declare
    stack_layers: dict[str, tuple[Stack, str]] = field(default_factory=dict)  # layer ARN -> its stack, logical id

    @property
    def prefix(self) -> str:
        """Stands in front of generated physical names in a nested stack (`Child-`), and of logical ids in what
        start-up shows (`Child/`, SAM CLI's "full path")."""
        return "".join(f"{name}-" for name in self.stack_path)


class Stack:
    def __init__(self, template: Template, options: LoadOptions) -> None:
        self.t = template
        self.o = options
        self.base = template.path.parent.resolve()
        self.warnings: list[str] = []
        self.placeholders: dict[str, placeholders.Placeholder] = {}
        self.code = CodeStore(options.state_dir or (self.base / STATE_FOLDER))
        self.resources: dict[str, dict[str, Any]] = {}
        expand_includes(template)
        values, lists = self._parameters()
        self.resolver = Resolver(template, values, self._pseudo(), self.ref, self.get_att, lists,
                                 language_extensions.declared(template.data), self._imported)
        language_extensions.expand(template, self._collection)
        resources = template.data.get("Resources")
        if not isinstance(resources, dict) or not resources:
            raise template.error(("Resources",), "a template needs a non-empty 'Resources' mapping")
        for logical_id, resource in resources.items():
            if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
                raise template.error(("Resources", logical_id), "each resource needs a 'Type'")
            self.resources[logical_id] = resource
        language_extensions.check_policies(template, self.resolve)

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

    def body_s3_location(self, where: Any, keys: Keys) -> Template:
        """The OpenAPI document of a REST or HTTP API's `BodyS3Location` (resolved), given as a local path relative to
        the template, as `aws cloudformation package` takes it."""
        if not isinstance(where, str):
            raise self.t.error(keys, "BodyS3Location is in S3; lambdagate needs the OpenAPI file on this machine: "
                               "write its local path (BodyS3Location: ./openapi.yaml), as `aws cloudformation "
                               "package` takes it")
        path = (self.base / where).resolve()
        if not path.is_file():
            raise self.t.error(keys, f"no such file: {where} ({path})")
        return load_template(path)

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

    def _parameters(self) -> tuple[dict[str, str], frozenset[str]]:
        """Each parameter's value (a list's comma-joined), and the names of the list parameters."""
        declared = self.t.data.get("Parameters") or {}
        given_by = self.o.parameters_given_by
        unknown = set(self.o.parameter_overrides) - set(declared)
        if unknown:
            raise DefinitionError(self.t.file, self.t.line_of("Parameters"), given_by,
                                  f"no parameter named {', '.join(sorted(unknown))} in the template")
        values: dict[str, str] = {}
        lists = set()
        for name, spec in declared.items():
            kind = str(spec.get("Type", "String")) if isinstance(spec, dict) else "String"
            if kind == "CommaDelimitedList" or "List<" in kind:
                lists.add(name)
            if name in self.o.parameter_overrides:
                values[name] = self.o.parameter_overrides[name]
            elif isinstance(spec, dict) and "Default" in spec:
                default = spec["Default"]
                values[name] = ",".join(map(str, default)) if isinstance(default, list) else str(default)
            elif CDK_ASSET_PARAMETER.fullmatch(name):
                # CDK v1 passes the asset's S3 location (its key as `<prefix>||<name>`, which the template splits);
                # lambdagate reads the asset's folder instead (lambdas.py)
                values[name] = "asset||asset"
            else:
                advice = f"pass --parameter-overrides {name}=VALUE" if given_by == "--parameter-overrides" else \
                    f"the stack's {given_by} gives none"
                raise self.t.error(("Parameters", name), f"parameter {name!r} has no Default: {advice}")
        return values, frozenset(lists)

    def _collection(self, value: Any, keys: Keys) -> list[str]:
        """A Fn::ForEach collection: a list (its items may be intrinsic functions) or a Ref to a list parameter."""
        items = self.resolve(value, keys)
        if not isinstance(items, list):
            raise self.t.error(keys, "a Fn::ForEach collection is a list or a Ref to a CommaDelimitedList parameter")
        return [self.string(item, keys + (i,)) for i, item in enumerate(items)]

    def ref(self, logical_id: str) -> str | None:
        kind = self.type_of(logical_id)
        if kind is None:
            return None
        if kind in FUNCTION_TYPES:
            return self.function_name(logical_id)
        if kind in LAYER_TYPES:
            arn = f"arn:aws:lambda:{self.o.region}:{self.o.account_id}:layer:{self.o.prefix}{logical_id}:1"
            self.o.stack_layers.setdefault(arn, (self, logical_id))   # another stack may use it by this ARN
            return arn
        if kind == "AWS::Logs::LogGroup":
            return self._named(logical_id, "LogGroupName")
        return self.placeholder(logical_id, None)

    def get_att(self, logical_id: str, attribute: str) -> str | None:
        kind = self.type_of(logical_id)
        if kind is None:
            return None
        if kind in FUNCTION_TYPES and attribute == "Arn":
            return self.function_arn(logical_id)
        if kind == "AWS::Logs::LogGroup" and attribute == "Arn":
            return f"arn:aws:logs:{self.o.region}:{self.o.account_id}:log-group:{self.ref(logical_id)}:*"
        return self.placeholder(logical_id, attribute)

    def placeholder(self, logical_id: str, attribute: str | None, kind: str | None = None) -> str:
        """What CloudFormation would give for `Ref` (attribute None) or `Fn::GetAtt` of a resource lambdagate does not
        run, remembered for the start-up notice (placeholders.py)."""
        kind = kind or self.type_of(logical_id) or "?"
        shape = placeholders.KINDS.get(kind)
        expression = logical_id if attribute is None else f"{logical_id}.{attribute}"
        pattern = None if shape is None else shape.ref if attribute is None else shape.attributes.get(attribute)
        if shape is None or pattern is None:
            value = logical_id if attribute is None else expression
            self.placeholders.setdefault(expression, placeholders.Placeholder(expression, value, kind, False))
            return value
        props = self.resources[logical_id].get("Properties") or {} if logical_id in self.resources else {}
        if pattern.startswith("property:"):
            prop = pattern.removeprefix("property:")
            value = self.string(props[prop], ("Resources", logical_id, "Properties", prop)) if prop in props else ""
        else:
            name_prop = shape.name_property
            given = self.string(props[name_prop], ("Resources", logical_id, "Properties", name_prop)) \
                if name_prop and name_prop in props else None
            stack = f"{self.o.stack_name}-{logical_id}" if kind.startswith(("AWS::CloudFormation::Stack",
                                                                               "AWS::Serverless::Application")) \
                else None
            fields = {"name": stack or placeholders.physical_name(shape, logical_id, props, given, self.o.prefix),
                      "region": self.o.region, "account": self.o.account_id, "partition": "aws",
                      "suffix": "amazonaws.com", **placeholders.generated(f"{self.o.stack_name}/{logical_id}")}
            value = placeholders.fill(pattern, fields)
        self.placeholders.setdefault(expression, placeholders.Placeholder(expression, value, kind, True))
        return value

    def _imported(self, export: str) -> str:
        """Fn::ImportValue: the export's name stands in for its value."""
        expression = f"ImportValue {export}"
        self.placeholders.setdefault(expression, placeholders.Placeholder(
            expression, export, "another stack's export", False))
        return export

    def placeholder_notice(self) -> str | None:
        """One start-up line naming every placeholder this template's values used."""
        if not self.placeholders:
            return None
        shown = []
        for p in self.placeholders.values():
            note = p.kind if p.known else f"{p.kind}: lambdagate does not know this value's shape"
            function = "!" if p.expression.startswith("ImportValue ") else "!Ref " if "." not in p.expression \
                else "!GetAtt "
            shown.append(f"{function}{p.expression} = {p.value} ({note})")
        return (f"{self.t.file}: resources lambdagate does not run are given the values CloudFormation would give, "
                f"in shape: {'; '.join(shown)}")

    def _named(self, logical_id: str, prop: str) -> str:
        props = self.properties(logical_id)
        return self.string(props[prop], ("Resources", logical_id, "Properties", prop)) if prop in props \
            else self.o.prefix + logical_id

    def function_name(self, logical_id: str) -> str:
        return self._named(logical_id, "FunctionName")

    def function_arn(self, logical_id: str) -> str:
        return f"arn:aws:lambda:{self.o.region}:{self.o.account_id}:function:{self.function_name(logical_id)}"
