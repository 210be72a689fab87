"""`AWS::ApiGateway::*` resources -> APIs, as CloudFormation creates them (CloudFormation template reference):

- `RestApi`: `Body` (an OpenAPI document in the template), `BodyS3Location` given as a local file (the form
  `aws cloudformation package` uploads) or as the CDK asset of a `SpecRestApi` (`ApiDefinition.fromAsset`:
  `Metadata: {aws:asset:path: asset.<hash>.yaml, aws:asset:property: BodyS3Location}`, relative to cdk.out; S3
  serves the file as it is, so intrinsic functions in it are not resolved), `BinaryMediaTypes`, `Name` (else the
  document's `info.title`);
- `Resource` trees (`ParentId` is `!GetAtt Api.RootResourceId` or `!Ref` of another Resource, plus `PathPart`);
- `Method` (`HttpMethod`, `ResourceId`, `Integration` with `Type`, `Uri`, `IntegrationHttpMethod`, ...);
- stages: `Stage` resources and a `Deployment`'s `StageName` (with its `StageDescription`);
- `GatewayResponse` (`ResponseType`, `StatusCode`, `ResponseParameters`, `ResponseTemplates`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import DefinitionError
from . import openapi, resource_ids, restapi_security
from .model.location import Location
from .model.restapi import Api, GatewayResponse, Integration, Method, Stage
from .security import ApiSecurity
from .stack import Keys, Stack
from .stages import Candidate, stage_from, unique

REST_API = "AWS::ApiGateway::RestApi"
RESOURCE = "AWS::ApiGateway::Resource"
METHOD = "AWS::ApiGateway::Method"
STAGE = "AWS::ApiGateway::Stage"
DEPLOYMENT = "AWS::ApiGateway::Deployment"
GATEWAY_RESPONSE = "AWS::ApiGateway::GatewayResponse"
SAM_API = "AWS::Serverless::Api"
ASSET_PATH = "aws:asset:path"
ASSET_PROPERTY = "aws:asset:property"

Fail = Callable[[Keys, str], DefinitionError]


class RestApis:
    def __init__(self, stack: Stack) -> None:
        self.s = stack
        self._paths: dict[str, tuple[str, str]] = {}   # Resource logical id -> (RestApi logical id, path)
        self._visiting: set[str] = set()

    # -- the values of Ref and GetAtt -------------------------------------------------------------------------
    def api_id(self, logical_id: str) -> str:
        return resource_ids.api_id(self.s.o.stack_name, logical_id)

    def resource_id(self, logical_id: str) -> str:
        api, path = self.resource_path(logical_id)
        return resource_ids.resource_id(self.api_id(api), path)

    def deployment_id(self, logical_id: str) -> str:
        return resource_ids.deployment_id(self._api_of(logical_id), logical_id)

    def stage_name(self, logical_id: str) -> str:
        keys: Keys = ("Resources", logical_id, "Properties", "StageName")
        if "StageName" not in self.s.properties(logical_id):
            raise self.s.t.error(keys[:-1], "an AWS::ApiGateway::Stage needs StageName")
        return self.s.string(self.s.properties(logical_id)["StageName"], keys)

    def _api_of(self, logical_id: str) -> str:
        keys: Keys = ("Resources", logical_id, "Properties", "RestApiId")
        props = self.s.properties(logical_id)
        if "RestApiId" not in props:
            raise self.s.t.error(keys[:-1], f"{self.s.type_of(logical_id)} needs RestApiId")
        return self.s.logical_id_of(props["RestApiId"], (REST_API, SAM_API), keys)

    def resource_path(self, logical_id: str) -> tuple[str, str]:
        if logical_id not in self._paths:
            keys: Keys = ("Resources", logical_id, "Properties")
            if logical_id in self._visiting:
                raise self.s.t.error(keys + ("ParentId",), "the resources' ParentIds form a cycle")
            self._visiting.add(logical_id)
            props = self.s.properties(logical_id)
            for required in ("ParentId", "PathPart"):
                if required not in props:
                    raise self.s.t.error(keys, f"an AWS::ApiGateway::Resource needs {required}")
            parent = self._path_of(props["ParentId"], keys + ("ParentId",))
            part = self.s.string(props["PathPart"], keys + ("PathPart",))
            self._paths[logical_id] = (self._api_of(logical_id), parent.rstrip("/") + "/" + part)
            self._visiting.discard(logical_id)
        return self._paths[logical_id]

    def _path_of(self, value: Any, keys: Keys) -> str:
        """The path of a `ParentId`/`ResourceId`: the root (`!GetAtt Api.RootResourceId`) or a Resource's."""
        if isinstance(value, dict) and "Ref" in value and self.s.type_of(str(value["Ref"])) == RESOURCE:
            return self.resource_path(str(value["Ref"]))[1]
        resolved = self.s.string(value, keys)
        for api in self.s.logical_ids(REST_API):
            if resource_ids.resource_id(self.api_id(api), "/") == resolved:
                return "/"
        for resource in self.s.logical_ids(RESOURCE):
            if resource not in self._visiting and self.resource_id(resource) == resolved:
                return self.resource_path(resource)[1]
        raise self.s.t.error(keys, f"{resolved!r} is neither !GetAtt <RestApi>.RootResourceId nor an "
                             "AWS::ApiGateway::Resource of this template")

    # -- the APIs ---------------------------------------------------------------------------------------------
    def candidates(self) -> list[Candidate]:
        for logical_id in self.s.logical_ids(RESOURCE):
            self.resource_path(logical_id)   # CloudFormation fails on a broken tree whether or not a stage serves it
        for logical_id in self.s.logical_ids(METHOD):
            self._method_path(logical_id)
        attached = [i for i in self.s.logical_ids(METHOD, RESOURCE, GATEWAY_RESPONSE)
                    if self.s.type_of(self._api_of(i)) == SAM_API]
        for logical_id in attached:
            self.s.warn(("Resources", logical_id), f"{logical_id} attaches to an AWS::Serverless::Api; lambdagate "
                        "serves such an API from its own properties only: not served")
        return [Candidate(api, self._stages(api), self._builder(api), self.s.location("Resources", api))
                for api in self.s.logical_ids(REST_API)]

    def _builder(self, api: str) -> Callable[[Stage], Api]:
        return lambda stage: self._build(api, stage)

    def _stages(self, api: str) -> tuple[Stage, ...]:
        found: list[tuple[Stage, Location]] = []
        for logical_id in self.s.logical_ids(DEPLOYMENT, STAGE):
            if self._api_of(logical_id) != api:
                continue
            keys: Keys = ("Resources", logical_id, "Properties")
            props = self.s.properties(logical_id)
            if self.s.type_of(logical_id) == DEPLOYMENT:
                if "StageName" not in props:
                    continue   # a Deployment without StageName creates no stage
                name = self.s.string(props["StageName"], keys + ("StageName",))
                description = props.get("StageDescription") or {}
                stage = stage_from(self.s, description, keys + ("StageDescription",), name,
                                   self.deployment_id(logical_id))
            else:
                deployment = self.s.string(props["DeploymentId"], keys + ("DeploymentId",)) \
                    if "DeploymentId" in props else resource_ids.deployment_id(self.api_id(api), logical_id)
                stage = stage_from(self.s, props, keys, self.stage_name(logical_id), deployment)
            found.append((stage, self.s.location("Resources", logical_id)))
        return unique(found, self.s.warnings)

    def _build(self, api: str, stage: Stage) -> Api:
        keys: Keys = ("Resources", api, "Properties")
        props = self.s.properties(api)
        ident = self.api_id(api)
        body, locate, fail = self._body(props, keys)
        security = restapi_security.rest_api_security(self.s, api, ident)
        methods: dict[str, dict[str, Method]] = {}
        binary = [str(b) for b in self.s.resolve(props.get("BinaryMediaTypes") or [], keys + ("BinaryMediaTypes",))]
        responses: dict[str, GatewayResponse] = {}
        if body is not None:
            try:
                methods = openapi.methods_from_paths(body.get("paths"), stage, locate, ("paths",), self.s.warnings)
                binary += openapi.binary_media_types(body, ())
                responses.update((r.response_type, r) for r in openapi.gateway_responses(
                    body.get(openapi.GATEWAY_RESPONSES_KEY), (openapi.GATEWAY_RESPONSES_KEY,)))
                security.read_openapi(body, methods, locate)
            except openapi.InvalidDefinition as e:
                raise fail(e.keys, e.message) from None
        for verb_path, method in self._methods(api, stage, security):
            methods.setdefault(verb_path[1], {})[verb_path[0]] = method
        responses.update((r.response_type, r) for r in self._gateway_responses(api))
        name = self.s.string(props["Name"], keys + ("Name",)) if "Name" in props else \
            str((body or {}).get("info", {}).get("title") or api)
        return security.complete(Api(api, name, ident, stage, openapi.resource_tree(ident, methods), tuple(binary),
                                     self.s.location("Resources", api), tuple(responses.values())))

    def _body(self, props: dict[str, Any], keys: Keys) -> tuple[dict[str, Any] | None, openapi.Locate, Fail]:
        """The OpenAPI document, how to locate its fields and how to report an error in it."""
        inline = keys + ("Body",)
        if "Body" in props:
            body = self.s.resolve(props["Body"], inline)
            if not isinstance(body, dict):
                raise self.s.t.error(inline, "Body must be an OpenAPI document (a mapping)")
            return body, lambda k: self.s.location(*inline, *k), lambda k, m: self.s.t.error(inline + k, m)
        if "BodyS3Location" in props:
            where = self.s.resolve(props["BodyS3Location"], keys + ("BodyS3Location",))
            metadata = self.s.resources[str(keys[1])].get("Metadata") or {}
            if not isinstance(where, str) and isinstance(metadata.get(ASSET_PATH), str) and \
                    metadata.get(ASSET_PROPERTY, "BodyS3Location") == "BodyS3Location":
                where = metadata[ASSET_PATH]   # CDK's SpecRestApi with ApiDefinition.fromAsset: the asset file
            document = self.s.body_s3_location(where, keys + ("BodyS3Location",))
            return document.data, lambda k: document.location(*k), document.error
        return None, lambda k: self.s.location(*keys), self.s.t.error

    def _methods(self, api: str, stage: Stage,
                 security: ApiSecurity) -> list[tuple[tuple[str, str], Method]]:
        out = []
        for logical_id in self.s.logical_ids(METHOD):
            if self._api_of(logical_id) != api:
                continue
            keys: Keys = ("Resources", logical_id, "Properties")
            props = self.s.properties(logical_id)
            path = self._method_path(logical_id)
            verb = self.s.string(props["HttpMethod"], keys + ("HttpMethod",)).upper()
            integration = Integration(type="none", uri="")
            if "Integration" in props:
                spec = self.s.resolve(props["Integration"], keys + ("Integration",))
                missing: list[str] = []
                try:
                    integration = openapi.integration_from(_as_openapi(spec), stage.variables, (), missing)
                except openapi.InvalidDefinition as e:
                    raise self.s.t.error(keys + ("Integration",), e.message) from None
                if missing:
                    self.s.warn(keys + ("Integration", "Uri"), f"{verb} {path} ({api}): "
                                f"{openapi.missing_variables(stage, missing)}")
            method = Method(verb, integration, self.s.location("Resources", logical_id))
            out.append(((verb, path), restapi_security.secured_method(self.s, method, props, keys, security)))
        return out

    def _method_path(self, logical_id: str) -> str:
        keys: Keys = ("Resources", logical_id, "Properties")
        props = self.s.properties(logical_id)
        for required in ("RestApiId", "HttpMethod", "ResourceId"):
            if required not in props:
                raise self.s.t.error(keys, f"an AWS::ApiGateway::Method needs {required}")
        return self._path_of(props["ResourceId"], keys + ("ResourceId",))

    def _gateway_responses(self, api: str) -> list[GatewayResponse]:
        out: list[GatewayResponse] = []
        for logical_id in self.s.logical_ids(GATEWAY_RESPONSE):
            if self._api_of(logical_id) != api:
                continue
            keys: Keys = ("Resources", logical_id, "Properties")
            props = self.s.resolve(self.s.properties(logical_id), keys)
            if "ResponseType" not in props:
                raise self.s.t.error(keys, "an AWS::ApiGateway::GatewayResponse needs ResponseType")
            spec = {"statusCode": props.get("StatusCode"), "responseParameters": props.get("ResponseParameters"),
                    "responseTemplates": props.get("ResponseTemplates")}
            try:
                out += openapi.gateway_responses({str(props["ResponseType"]): spec}, ())
            except openapi.InvalidDefinition as e:
                raise self.s.t.error(keys + ("StatusCode",), e.message) from None
        return out


def _as_openapi(spec: Any) -> dict[str, Any]:
    """A Method's `Integration` in `x-amazon-apigateway-integration` spelling (the same API fields, PascalCase);
    an `IntegrationResponses` entry without SelectionPattern is the default response."""
    if not isinstance(spec, dict):
        raise openapi.InvalidDefinition((), "Integration must be a mapping")
    names = {"Type": "type", "Uri": "uri", "IntegrationHttpMethod": "httpMethod", "TimeoutInMillis": "timeoutInMillis",
             "Credentials": "credentials", "RequestParameters": "requestParameters",
             "RequestTemplates": "requestTemplates", "ContentHandling": "contentHandling"}
    out = {names[k]: v for k, v in spec.items() if k in names}
    responses = spec.get("IntegrationResponses") or []
    if not isinstance(responses, list):
        raise openapi.InvalidDefinition((), "IntegrationResponses must be a list")
    out["responses"] = {str(r.get("SelectionPattern") or "default"): {
        "statusCode": r.get("StatusCode", 200), "responseParameters": r.get("ResponseParameters"),
        "responseTemplates": r.get("ResponseTemplates")} for r in responses if isinstance(r, dict)}
    return out
