"""A plain CloudFormation template (hand-written, or `cdk synth`'s `<Stack>.template.json` in cdk.out with its
asset folders) -> the Deployment model. The SAM loader extends this one: SAM templates may hold the same
resources.

`Ref`/`Fn::GetAtt` of API Gateway resources (CloudFormation template reference): a RestApi's `Ref` is its id and
`RootResourceId` the id of `/`; a Resource's `Ref` its id; a Deployment's `Ref` its id; a Stage's `Ref` its name
(CDK builds `AWS::Lambda::Permission` SourceArns from it).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from . import lambdas, resource_ids, restapi_security, stages, usage_plans, user_pools
from .httpapi import HttpApis
from .model.auth import ApiKey, UsagePlan
from .model.deployment import Deployment
from .model.function import Function, Permission
from .model.httpapi import HttpApi
from .nested import NESTED_TYPES, NestedStacks
from .restapi import DEPLOYMENT, RESOURCE, REST_API, STAGE, RestApis
from .stack import LoadOptions, Stack
from .template import Template, load_template


def load_deployment(path: Path, options: LoadOptions | None = None) -> Deployment:
    return CloudFormation(load_template(path), options or LoadOptions()).load()


class CloudFormation(Stack):
    def __init__(self, template: Template, options: LoadOptions) -> None:
        super().__init__(template, options)
        self.rest_apis = RestApis(self)
        self.http_api_resources = HttpApis(self)
        self.nested = NestedStacks(self)

    def ref(self, logical_id: str) -> str | None:
        kind = self.type_of(logical_id)
        v2 = self.http_api_resources.ref(logical_id)
        if v2 is not None:
            return v2
        if kind == REST_API:
            return self.rest_apis.api_id(logical_id)
        if kind == RESOURCE:
            return self.rest_apis.resource_id(logical_id)
        if kind == DEPLOYMENT:
            return self.rest_apis.deployment_id(logical_id)
        if kind == STAGE:
            return self.rest_apis.stage_name(logical_id)
        return (restapi_security.ref(self, logical_id) or usage_plans.ref(self, logical_id) or
                user_pools.ref(self, logical_id) or super().ref(logical_id))

    def get_att(self, logical_id: str, attribute: str) -> str | None:
        if self.type_of(logical_id) == REST_API and attribute == "RootResourceId":
            return resource_ids.resource_id(self.rest_apis.api_id(logical_id), "/")
        if self.type_of(logical_id) == REST_API and attribute == "RestApiId":
            return self.rest_apis.api_id(logical_id)
        if self.type_of(logical_id) in NESTED_TYPES and attribute.startswith("Outputs."):
            return self.nested.get_att(logical_id, attribute)
        return (self.http_api_resources.get_att(logical_id, attribute)
                or user_pools.get_att(self, logical_id, attribute) or super().get_att(logical_id, attribute))

    # -- what a template deploys; the SAM loader adds its own to each ------------------------------------------
    def functions(self) -> list[Function]:
        found = (lambdas.lambda_function(self, i) for i in self.logical_ids("AWS::Lambda::Function"))
        return [f for f in found if f is not None]

    def candidates(self) -> list[stages.Candidate]:
        return self.rest_apis.candidates()

    def permissions(self) -> list[Permission]:
        return lambdas.permissions(self)

    def http_apis(self) -> list[HttpApi]:
        return self.http_api_resources.apis()

    def usage_plans(self) -> tuple[list[ApiKey], list[UsagePlan]]:
        return usage_plans.cloudformation(self)

    def load(self) -> Deployment:
        functions: dict[str, Function] = {}
        for function in self.functions():
            first = functions.get(function.arn)
            if first is not None:
                self.warnings.append(f"{function.location}: {function.logical_id} has the FunctionName "
                                     f"{function.name!r} of {first.logical_id} ({first.location}); CloudFormation "
                                     "cannot create a second function of the same name in an account and region, and "
                                     f"here {first.logical_id} (the first) serves every integration with that name, "
                                     f"{function.logical_id}'s included")
                continue
            functions[function.arn] = function
        apis = stages.choose(self.candidates(), self.o.stage, self.warnings, self.t.file,
                             strict=not self.o.stack_path)
        permissions = tuple(self.permissions())
        keys, plans = self.usage_plans()
        deployment = self.nested.merged(Deployment(tuple(apis), functions, permissions, self.o.region,
                                                   self.o.account_id, (), tuple(self.http_apis()), tuple(keys),
                                                   tuple(plans)))
        notice = self.placeholder_notice()
        return replace(deployment, warnings=tuple(self.warnings) + ((notice,) if notice else ())
                       + deployment.warnings)
