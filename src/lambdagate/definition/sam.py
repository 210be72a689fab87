"""SAM templates -> the Deployment model: SAM's own resources here, the CloudFormation ones a SAM template may also
hold (`AWS::Lambda::Function`, `AWS::ApiGateway::*`, `AWS::Lambda::Permission`) through the CloudFormation loader.

What SAM does at deploy time and lambdagate repeats here:
- `Globals.Function` / `Globals.Api` merge into each resource (maps merged, lists global-first, scalars overridden).
- A function's `Events` of `Type: Api` without `RestApiId` go to the implicit API `ServerlessRestApi`, stage `Prod`.
- Each Api event gets an implicit `AWS::Lambda::Permission` for `<apiId>/*/<METHOD|*>/<path with {x} -> *>`
  (aws/serverless-application-model, eventsources/push.py; fact sheet §10.3). DefinitionBody integrations get none.
- `GatewayResponses: {TYPE: {StatusCode, ResponseParameters: {Headers, Paths, QueryStrings}, ResponseTemplates}}`
  becomes `x-amazon-apigateway-gateway-responses` with `gatewayresponse.header.`/`.path.`/`.querystring.` names
  (aws/serverless-application-model, samtranslator/model/apigateway.py `ApiGatewayResponse`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..arns import sam_permission_arn
from . import cors, lambdas, openapi, sam_auth
from .cloudformation import CloudFormation
from .model.auth import ApiKey, UsagePlan
from .model.deployment import Deployment
from .model.function import Function, Permission
from .model.httpapi import HttpApi
from .model.location import Location
from .model.restapi import Api, GatewayResponse, Integration, Method, Stage
from .resource_ids import api_id, deployment_id, resource_id
from .sam_httpapi import IMPLICIT_HTTP_API, SamHttpApis
from .stack import LoadOptions
from .stages import Candidate, stage_from
from .template import load_template

__all__ = ["IMPLICIT_API", "IMPLICIT_STAGE", "LoadOptions", "SamLoader", "is_sam", "load_deployment"]

IMPLICIT_API = "ServerlessRestApi"
IMPLICIT_STAGE = "Prod"
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
SAM_FUNCTION = "AWS::Serverless::Function"
SAM_API = "AWS::Serverless::Api"
_RESPONSE_PARAMETER_PREFIXES = {"Headers": "header", "Paths": "path", "QueryStrings": "querystring"}

Keys = tuple[str | int, ...]
Event = tuple[str, str, dict[str, Any], Keys]   # (function logical id, event name, event properties, keys)


def is_sam(data: dict[str, Any]) -> bool:
    """The SAM transform, or any `AWS::Serverless::*` resource."""
    return has_sam_transform(data) or bool(serverless_resources(data))


def has_sam_transform(data: dict[str, Any]) -> bool:
    transform = data.get("Transform")
    return SAM_TRANSFORM in (transform if isinstance(transform, list) else [transform])


def serverless_resources(data: dict[str, Any]) -> list[str]:
    """The logical ids of the `AWS::Serverless::*` resources, in template order."""
    resources = data.get("Resources")
    return [name for name, r in resources.items() if isinstance(r, dict) and
            str(r.get("Type", "")).startswith("AWS::Serverless::")] if isinstance(resources, dict) else []


def load_deployment(path: Path, options: LoadOptions | None = None) -> Deployment:
    return SamLoader(load_template(path), options or LoadOptions()).load()


class SamLoader(CloudFormation):
    def load(self) -> Deployment:
        self._without_transform()
        return super().load()

    def _without_transform(self) -> None:
        """SAM resources in a template without the SAM transform: CloudFormation refuses it ("Template format error:
        Unrecognized resource types: [AWS::Serverless::Function]", aws/aws-toolkit-jetbrains#3237 and
        serverlesspub/cloudformation-deploy-to-s3#7); `sam local` and lambdagate expand them all the same. Said, as
        a template AWS would not deploy."""
        found = serverless_resources(self.t.data)
        if has_sam_transform(self.t.data) or not found:
            return
        types = ", ".join(dict.fromkeys(str(self.resources[i]["Type"]) for i in found if i in self.resources))
        self.warn(("Resources", found[0], "Type"), f"{types} without `Transform: {SAM_TRANSFORM}`: CloudFormation "
                  f"refuses this template (Template format error: Unrecognized resource types: [{types}]); "
                  "lambdagate serves it as the SAM transform would expand it")

    def ref(self, logical_id: str) -> str | None:
        if self.type_of(logical_id) == SAM_API or logical_id == IMPLICIT_API and self._uses_implicit_api():
            return api_id(self.o.stack_name, logical_id)
        if logical_id == IMPLICIT_HTTP_API and logical_id not in self.resources and self._http().uses_implicit_api():
            return api_id(self.o.stack_name, logical_id)
        if logical_id not in self.resources:
            generated = self._generated(logical_id)
            if generated is not None:
                return generated
        return super().ref(logical_id)

    def get_att(self, logical_id: str, attribute: str) -> str | None:
        if self.type_of(logical_id) == SAM_API and attribute == "RootResourceId":
            return resource_id(api_id(self.o.stack_name, logical_id), "/")
        if logical_id not in self.resources and self._implicit_role(logical_id):
            return self.placeholder(logical_id, attribute, "AWS::IAM::Role")
        if attribute in ("Stage", "Deployment") and (self.type_of(logical_id) == SAM_API or
                                                     logical_id == IMPLICIT_API):
            return self._generated(f"{logical_id}.{attribute}")   # `${MyApi.Stage}` in a Fn::Sub
        return super().get_att(logical_id, attribute)

    def _generated(self, logical_id: str) -> str | None:
        """`Ref` of what the SAM transform adds (aws/serverless-application-model, docs "Generated AWS CloudFormation
        resources"): `<Api>.Stage` and `<Api><StageName>Stage` (the stage's name), `<Api>.Deployment`, a function's
        `<Function>Role` when it has no Role."""
        api, dot, what = logical_id.partition(".")
        if dot and what in ("Stage", "Deployment") and (self.type_of(api) == SAM_API or api == IMPLICIT_API):
            stage = self._stage_name(api)
            return stage if what == "Stage" else deployment_id(api_id(self.o.stack_name, api), stage)
        alias = self._alias(api if dot and what == "Alias" else logical_id)
        if alias is not None:   # AWS::Lambda::Alias: Ref returns the alias's ARN
            return alias
        if dot and what == "Version" and self.type_of(api) == SAM_FUNCTION:
            return f"{self.function_arn(api)}:1"   # AWS::Lambda::Version: Ref returns the version's ARN
        for api in self.logical_ids(SAM_API) + [IMPLICIT_API]:
            if logical_id == f"{api}{self._stage_name(api)}Stage":
                return self._stage_name(api)
        if self._implicit_role(logical_id):
            return self.placeholder(logical_id, None, "AWS::IAM::Role")
        return None

    def _alias(self, name: str) -> str | None:
        """`<Function>.Alias` or `<Function>Alias<AliasName>` of a function with AutoPublishAlias: the alias's ARN."""
        for function in self.logical_ids(SAM_FUNCTION):
            alias = self._globals(function, "Function").get("AutoPublishAlias")
            if alias is not None and name in (function, f"{function}Alias{alias}"):
                keys = ("Resources", function, "Properties", "AutoPublishAlias")
                return f"{self.function_arn(function)}:{self.string(alias, keys)}"
        return None

    def _stage_name(self, api: str) -> str:
        if api == IMPLICIT_API or api not in self.resources:
            return IMPLICIT_STAGE
        props = _merge_globals((self.t.data.get("Globals") or {}).get("Api") or {}, self.properties(api))
        return self.string(props.get("StageName", ""), ("Resources", api, "Properties", "StageName"))

    def _implicit_role(self, logical_id: str) -> bool:
        function = logical_id.removesuffix("Role")
        return function != logical_id and self.type_of(function) == SAM_FUNCTION and \
            "Role" not in self._globals(function, "Function")

    def _globals(self, logical_id: str, section: str) -> dict[str, Any]:
        glob = ((self.t.data.get("Globals") or {}).get(section) or {})
        return _merge_globals(glob, self.properties(logical_id))

    def _uses_implicit_api(self) -> bool:
        for r in self.resources.values():
            if r["Type"] == SAM_FUNCTION:
                for event in ((r.get("Properties") or {}).get("Events") or {}).values():
                    if isinstance(event, dict) and event.get("Type") == "Api" and \
                            "RestApiId" not in (event.get("Properties") or {}):
                        return True
        return False

    # -- what the template deploys --------------------------------------------------------------------------
    def functions(self) -> list[Function]:
        found = [lambdas.serverless_function(self, i, self._globals(i, "Function"))
                 for i in self.logical_ids(SAM_FUNCTION)]
        return [f for f in found if f is not None] + super().functions()

    def candidates(self) -> list[Candidate]:
        events = self._api_events()
        logical_ids = self.logical_ids(SAM_API)
        if IMPLICIT_API in events and IMPLICIT_API not in logical_ids:
            logical_ids.insert(0, IMPLICIT_API)
        return [self._candidate(i, events.get(i, [])) for i in logical_ids] + super().candidates()

    def permissions(self) -> list[Permission]:
        return super().permissions() + self._implicit_permissions() + self._http().permissions() + [
            p for i, props, _stage in self._api_properties() for p in sam_auth.authorizer_permissions(self, i, props)]

    def http_apis(self) -> list[HttpApi]:
        return self._http().apis() + super().http_apis()

    def _http(self) -> SamHttpApis:
        """SAM's HTTP APIs (`Type: HttpApi` events, AWS::Serverless::HttpApi): definition/sam_httpapi.py."""
        return SamHttpApis(self, self._globals)

    def usage_plans(self) -> tuple[list[ApiKey], list[UsagePlan]]:
        keys, plans = super().usage_plans()
        sam_keys, sam_plans = sam_auth.sam_usage_plans(self, self._api_properties())
        return keys + sam_keys, plans + sam_plans

    def _api_properties(self) -> list[tuple[str, dict[str, Any], str]]:
        """(logical id, properties with Globals.Api, stage name) of each SAM API, the implicit one included."""
        ids = self.logical_ids(SAM_API)
        if IMPLICIT_API not in ids and self._uses_implicit_api():
            ids.insert(0, IMPLICIT_API)
        out = []
        for i in ids:
            props = _merge_globals((self.t.data.get("Globals") or {}).get("Api") or {},
                                   self.properties(i) if i in self.resources else {})
            stage = IMPLICIT_STAGE if i not in self.resources else str(self.resolve(
                props.get("StageName", ""), ("Resources", i, "Properties", "StageName")))
            out.append((i, props, stage))
        return out

    # -- APIs -----------------------------------------------------------------------------------------------
    def _api_events(self) -> dict[str, list[Event]]:
        out: dict[str, list[Event]] = {}
        for logical_id in self.logical_ids(SAM_FUNCTION):
            events = self._globals(logical_id, "Function").get("Events") or {}
            for name, event in events.items():
                if not isinstance(event, dict) or event.get("Type") != "Api":
                    continue
                keys: Keys = ("Resources", logical_id, "Properties", "Events", name, "Properties")
                props = event.get("Properties") or {}
                for required in ("Path", "Method"):
                    if required not in props:
                        raise self.t.error(keys, f"an Api event needs {required}")
                api = IMPLICIT_API
                if "RestApiId" in props:
                    ref = props["RestApiId"]
                    api = str(ref.get("Ref") if isinstance(ref, dict) else ref)
                    if api not in self.resources:
                        raise self.t.error(keys + ("RestApiId",), f"RestApiId {api!r} is not an API of this "
                                           "template")
                out.setdefault(str(api), []).append((logical_id, name, props, keys))
        return out

    def _candidate(self, logical_id: str, events: list[Event]) -> Candidate:
        implicit = logical_id not in self.resources
        keys: Keys = ("Resources", logical_id, "Properties")
        props = _merge_globals((self.t.data.get("Globals") or {}).get("Api") or {},
                               {} if implicit else self.properties(logical_id))
        ident = api_id(self.o.stack_name, logical_id)
        if implicit:
            stage_name = IMPLICIT_STAGE
        elif "StageName" in props:
            stage_name = self.string(props["StageName"], keys + ("StageName",))
        else:
            raise self.t.error(keys, f"API {logical_id} has no StageName")
        stage = stage_from(self, props, keys, stage_name, deployment_id(ident, stage_name))
        location = self.location(*keys[:2]) if not implicit else Location(self.t.file)
        return Candidate(logical_id, (stage,), lambda s: self._api(logical_id, props, events, s, location), location)

    def _api(self, logical_id: str, props: dict[str, Any], events: list[Event], stage: Stage,
             location: Location) -> Api:
        implicit = logical_id not in self.resources
        keys: Keys = ("Resources", logical_id, "Properties")
        ident = api_id(self.o.stack_name, logical_id)
        binary = [str(b).replace("~1", "/") for b in
                  self.resolve(props.get("BinaryMediaTypes") or [], keys + ("BinaryMediaTypes",))]
        methods: dict[str, dict[str, Method]] = {}
        responses: dict[str, GatewayResponse] = {}
        security = sam_auth.SamApiAuth(self, props, keys, ident)
        body = self._definition_body(props, keys)
        if body is not None:
            try:
                binary += openapi.binary_media_types(body, ())
                methods = openapi.methods_from_paths(body.get("paths"), stage,
                                                     lambda k: self.location(*keys, "DefinitionBody", *k),
                                                     ("paths",), self.warnings)
                responses.update((r.response_type, r) for r in openapi.gateway_responses(
                    body.get(openapi.GATEWAY_RESPONSES_KEY), (openapi.GATEWAY_RESPONSES_KEY,)))
                security.security.read_openapi(body, methods, lambda k: self.location(*keys, "DefinitionBody", *k))
            except openapi.InvalidDefinition as e:
                raise self.t.error(keys + ("DefinitionBody",) + e.keys, e.message) from None
        for function_id, _event_name, event, ekeys in events:
            path = self.string(event["Path"], ekeys + ("Path",))
            verb = self.string(event["Method"], ekeys + ("Method",)).upper()
            verb = "ANY" if verb in ("ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD") else verb
            arn = self.function_arn(function_id)
            timeout = int(self.string(event.get("TimeoutInMillis", 29000), ekeys))
            uri = (f"arn:aws:apigateway:{self.o.region}:lambda:path/2015-03-31/functions/{arn}/invocations")
            normalised = "/" + "/".join(p for p in path.split("/") if p)
            methods.setdefault(normalised, {})[verb] = security.event_method(Method(
                verb, Integration("aws_proxy", uri, "POST", timeout, None, arn), self.location(*ekeys)), normalised,
                event, ekeys)
        if "Cors" in props:
            try:
                config = cors.parse_cors(self.resolve(props["Cors"], keys + ("Cors",)))
            except cors.CorsError as e:
                raise self.t.error(keys + ("Cors",), str(e)) from None
            if config is not None:
                cors.add_preflights(methods, config, self.location(*keys, "Cors"))
        security.finish(methods)
        responses.update((r.response_type, r) for r in self._gateway_responses(props, keys))
        name = ident
        if not implicit and "Name" in props:
            name = self.string(props["Name"], keys + ("Name",))
        elif implicit:
            name = self.o.stack_name
        return security.security.complete(Api(logical_id, name, ident, stage, openapi.resource_tree(ident, methods),
                                              tuple(binary), location, tuple(responses.values())))

    def _gateway_responses(self, props: dict[str, Any], keys: Keys) -> list[GatewayResponse]:
        keys += ("GatewayResponses",)
        value = self.resolve(props.get("GatewayResponses") or {}, keys)
        if not isinstance(value, dict):
            raise self.t.error(keys, "GatewayResponses maps a response type (DEFAULT_4XX, ...) to its settings")
        out = []
        for response_type, entry in value.items():
            rkeys = keys + (response_type,)
            entry = entry if isinstance(entry, dict) else {}
            parameters = entry.get("ResponseParameters") or {}
            named: list[tuple[str, str]] = []
            for group, params in (parameters.items() if isinstance(parameters, dict) else []):
                if group not in _RESPONSE_PARAMETER_PREFIXES:   # SAM's own message
                    raise self.t.error(rkeys + ("ResponseParameters", group),
                                       f"Invalid gateway response parameter '{group}'")
                prefix = f"gatewayresponse.{_RESPONSE_PARAMETER_PREFIXES[group]}."
                named += [(prefix + str(k), str(v)) for k, v in (params or {}).items()]
            status = entry.get("StatusCode")
            if status is not None and not re.fullmatch(r"[0-9]{1,3}", str(status)):
                raise self.t.error(rkeys + ("StatusCode",), "Property 'StatusCode' must be numeric")
            templates = entry.get("ResponseTemplates") or {}
            out.append(GatewayResponse(str(response_type), None if status is None else int(status), tuple(named),
                                       tuple((str(k), str(v)) for k, v in templates.items())))
        return out

    def _definition_body(self, props: dict[str, Any], keys: Keys) -> dict[str, Any] | None:
        body: Any
        if "DefinitionBody" in props:
            body = self.resolve(props["DefinitionBody"], keys + ("DefinitionBody",))
        elif "DefinitionUri" in props:
            uri = self.resolve(props["DefinitionUri"], keys + ("DefinitionUri",))
            if not isinstance(uri, str):
                raise self.t.error(keys + ("DefinitionUri",), "DefinitionUri must be a local file to be served")
            definition = load_template(self.base / uri) if (self.base / uri).is_file() else None
            if definition is None:
                raise self.t.error(keys + ("DefinitionUri",), f"no such file: {uri}")
            body = definition.data
        else:
            return None
        if not isinstance(body, dict):
            raise self.t.error(keys + ("DefinitionBody",), "the definition must be an OpenAPI mapping")
        return body

    # -- permissions ----------------------------------------------------------------------------------------
    def _implicit_permissions(self) -> list[Permission]:
        out = []
        for api_logical_id, events in self._api_events().items():
            ident = api_id(self.o.stack_name, api_logical_id)
            for function_id, _name, event, keys in events:
                path = self.string(event["Path"], keys + ("Path",))
                verb = self.string(event["Method"], keys + ("Method",))
                source = sam_permission_arn(self.o.region, self.o.account_id, ident, verb, path)
                out.append(Permission.allow(self.function_arn(function_id), "lambda:InvokeFunction",
                                            "apigateway.amazonaws.com", source, None, self.location(*keys)))
        return out


def _merge_globals(glob: dict[str, Any], local: dict[str, Any]) -> dict[str, Any]:
    """SAM's Globals rule: maps merge, lists are global items then local ones, scalars are overridden."""
    out = dict(glob)
    for key, value in local.items():
        if key in out and isinstance(out[key], dict) and isinstance(value, dict) and \
                not _is_intrinsic(value) and not _is_intrinsic(out[key]):
            out[key] = _merge_globals(out[key], value)
        elif key in out and isinstance(out[key], list) and isinstance(value, list):
            out[key] = out[key] + value
        else:
            out[key] = value
    return out


def _is_intrinsic(value: dict[str, Any]) -> bool:
    return len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))
