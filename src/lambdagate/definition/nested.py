"""Nested stacks: `AWS::CloudFormation::Stack` (`TemplateURL`) and SAM's `AWS::Serverless::Application`
(`Location`), whose template is a local file: their functions and APIs are served with the parent's, the parent's
`Parameters` passed, and `!GetAtt Child.Outputs.Name` resolved from the child's `Outputs`.

CloudFormation template reference, AWS::CloudFormation::Stack (archived doc_source/aws-properties-stack.md):
`Parameters` is a map of strings, each "a parameter defined in the embedded template" (a list cannot be passed);
`Ref` returns the stack ID; "use the GetAtt function with the nested stack's logical name and the name of the output
value in the nested stack in the format `Outputs.NestedStackOutputName`". On AWS `TemplateURL` is an S3 URL; `sam
deploy` / `aws cloudformation package` upload a local path written there (AWS CLI reference, cloudformation package:
"TemplateURL property for the AWS::CloudFormation::Stack resource", "Location parameter for the
AWS::Serverless::Application resource"), which is what a project holds. A child from S3, an HTTPS URL or the
Serverless Application Repository cannot be read here: start-up says so, and its outputs are placeholders.

A child stack is named `<parent>-<LogicalId>` (CloudFormation adds a random suffix), its generated physical names
are prefixed `<LogicalId>-`, and start-up shows its resources as `<LogicalId>/<Resource>` (SAM CLI's "full path").
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .model.deployment import Deployment
from .model.restapi import Api
from .template import load_template

if TYPE_CHECKING:
    from .cloudformation import CloudFormation

STACK = "AWS::CloudFormation::Stack"
APPLICATION = "AWS::Serverless::Application"
NESTED_TYPES = (STACK, APPLICATION)
MAX_DEPTH = 8   # a deeper chain is taken for a stack that nests itself under other names


class NestedStacks:
    def __init__(self, parent: CloudFormation) -> None:
        self.p = parent
        self._children: dict[str, CloudFormation | None] = {}

    def _where(self, logical_id: str) -> tuple[str | None, str]:
        """(the local template path as written, or None; how the template is given, for messages)."""
        prop = "TemplateURL" if self.p.type_of(logical_id) == STACK else "Location"
        keys = ("Resources", logical_id, "Properties", prop)
        props = self.p.properties(logical_id)
        if prop not in props:
            raise self.p.t.error(keys[:-1], f"{self.p.type_of(logical_id)} needs {prop}")
        value = self.p.resolve(props[prop], keys)
        if isinstance(value, dict):
            app = value.get("ApplicationId", "?")
            return None, f"the Serverless Application Repository ({app} {value.get('SemanticVersion', '')})".rstrip()
        if not isinstance(value, str):
            raise self.p.t.error(keys, f"{prop} must be the path or URL of the nested template")
        if value.startswith(("s3://", "https://", "http://")):
            return None, value
        return value, value

    def child(self, logical_id: str) -> CloudFormation | None:
        """The nested stack, loaded once; None when its template is not on this machine."""
        if logical_id not in self._children:
            self._children[logical_id] = self._load(logical_id)
        return self._children[logical_id]

    def _load(self, logical_id: str) -> CloudFormation | None:
        from .cloudformation import CloudFormation  # the loaders import this module
        from .sam import SamLoader, is_sam
        path, _ = self._where(logical_id)
        if path is None:
            return None
        prop = "TemplateURL" if self.p.type_of(logical_id) == STACK else "Location"
        keys = ("Resources", logical_id, "Properties", prop)
        file = (self.p.base / path).resolve()
        if not file.is_file():
            raise self.p.t.error(keys, f"{prop} {path!r}: no such file ({file})")
        if logical_id in self.p.o.stack_path or len(self.p.o.stack_path) >= MAX_DEPTH:
            raise self.p.t.error(keys, f"{prop} {path!r} nests a stack in itself")
        template = load_template(file)
        options = replace(self.p.o, parameter_overrides=self._parameters(logical_id, template.data),
                          stack_name=f"{self.p.o.stack_name}-{logical_id}", policies=(),
                          stack_path=self.p.o.stack_path + (logical_id,),
                          parameters_given_by=f"Parameters ({self.p.location('Resources', logical_id)})",
                          state_dir=self.p.o.state_dir or self.p.code.state_dir)
        loader = SamLoader if is_sam(template.data) else CloudFormation
        return loader(template, options)

    def _parameters(self, logical_id: str, child: dict[str, Any]) -> dict[str, str]:
        keys = ("Resources", logical_id, "Properties", "Parameters")
        given = self.p.resolve(self.p.properties(logical_id).get("Parameters") or {}, keys)
        if not isinstance(given, dict):
            raise self.p.t.error(keys, "Parameters maps the nested template's parameter names to values")
        declared = child.get("Parameters") or {}
        unknown = sorted(set(given) - set(declared))
        if unknown:   # CloudFormation's ValidationError wording
            raise self.p.t.error(keys + (unknown[0],), f"Parameters: [{', '.join(unknown)}] do not exist in the "
                                 "nested template")
        out = {}
        for name, value in given.items():
            if isinstance(value, (dict, list)):
                raise self.p.t.error(keys + (name,), f"a nested stack's parameter is a string, got {value!r}")
            out[name] = "true" if value is True else "false" if value is False else str(value)
        return out

    # -- Ref and Fn::GetAtt ----------------------------------------------------------------------------------
    def get_att(self, logical_id: str, attribute: str) -> str | None:
        if not attribute.startswith("Outputs."):
            return None
        name = attribute.removeprefix("Outputs.")
        child = self.child(logical_id)
        if child is None:
            return self.p.placeholder(logical_id, attribute, "nested stack not on this machine")
        outputs = child.t.data.get("Outputs") or {}
        output = outputs.get(name)
        if not isinstance(output, dict) or "Value" not in output:
            raise self.p.t.error(("Resources", logical_id), f"!GetAtt {logical_id}.{attribute}: the nested template "
                                 f"{child.t.file} has no output {name!r} (it has {', '.join(outputs) or 'none'})")
        return child.string(output["Value"], ("Outputs", name, "Value"))

    # -- what the children serve ------------------------------------------------------------------------------
    def merged(self, deployment: Deployment) -> Deployment:
        """The parent's deployment with every local child's added (the parent's APIs first); a child from elsewhere
        named in a start-up notice."""
        apis, functions = list(deployment.apis), dict(deployment.functions)
        permissions, warnings = list(deployment.permissions), list(deployment.warnings)
        http_apis, keys, plans = list(deployment.http_apis), list(deployment.api_keys), list(deployment.usage_plans)
        for logical_id in self.p.logical_ids(*NESTED_TYPES):
            path, where = self._where(logical_id)
            if path is None:
                warnings.append(f"{self.p.location('Resources', logical_id)}: nested stack {logical_id} comes from "
                                f"{where}, which lambdagate cannot read: its functions and APIs are not served "
                                "(requests for them answer as for any path no API has) and !GetAtt "
                                f"{logical_id}.Outputs.X gives a placeholder; write the local path of its template "
                                "to serve it")
                continue
            child = self.child(logical_id)
            assert child is not None
            served = child.load()
            shown = f"{logical_id}/"
            apis += [_shown(api, shown) for api in served.apis]
            functions.update({arn: replace(f, logical_id=shown + f.logical_id) for arn, f in served.functions.items()})
            permissions += served.permissions
            warnings += served.warnings
            http_apis += [replace(api, logical_id=shown + api.logical_id) for api in served.http_apis]
            keys += served.api_keys
            plans += served.usage_plans
        return replace(deployment, apis=tuple(apis), functions=functions, permissions=tuple(permissions),
                       warnings=tuple(warnings), http_apis=tuple(http_apis), api_keys=tuple(keys),
                       usage_plans=tuple(plans))


def _shown(api: Api, prefix: str) -> Api:
    return replace(api, logical_id=prefix + api.logical_id)
