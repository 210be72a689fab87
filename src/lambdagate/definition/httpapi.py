"""`AWS::ApiGatewayV2::*` resources with `ProtocolType: HTTP` -> HTTP APIs, as CloudFormation creates them
(CloudFormation template reference; docs/aws-http-api.md §1.3, §1.4, §1.6):

- `Api`: `Name`, `Body` / `BodyS3Location` (an OpenAPI 3.0 document, here a local file), `CorsConfiguration`,
  `DisableExecuteApiEndpoint`; quick create with `Target` (a Lambda ARN: an AWS_PROXY integration, the route
  `RouteKey` or `$default`, and an auto-deployed `$default` stage), tuned by `ApiGatewayManagedOverrides`;
- `Route` (`RouteKey`, `Target: integrations/<IntegrationId>`, `AuthorizationType`, `AuthorizerId`,
  `AuthorizationScopes`), `Integration` (`IntegrationType`, `IntegrationUri`, `PayloadFormatVersion`,
  `TimeoutInMillis`, `CredentialsArn`), `Authorizer` (`AuthorizerType` JWT / REQUEST), `Stage` (`StageName`,
  `StageVariables`, `AccessLogSettings`, `DefaultRouteSettings`, `RouteSettings`, `AutoDeploy`).

`Ref` values (CloudFormation template reference): an Api's `Ref` is its id (`ApiEndpoint` its URL), a Route's,
Integration's and Authorizer's their ids, a Stage's its name. Every stage of an HTTP API is served: the request's
first path segment picks a named stage, anything else goes to `$default` (§2.1).
"""

from __future__ import annotations

from typing import Any

from . import resource_ids
from .http_routes import route_key_problem, unique_routes
from .httpapi_openapi import (
    authorizers,
    cors_configuration,
    cors_from,
    identity_sources,
    integration_from,
    payload_format_version,
    routes_from_paths,
    timeout_ms,
)
from .model.httpapi import (
    DEFAULT_ROUTE,
    DEFAULT_STAGE,
    HTTP_API_TIMEOUT_MS,
    CorsConfiguration,
    HttpApi,
    HttpAuthorizationType,
    HttpAuthorizer,
    HttpIntegration,
    HttpRoute,
    HttpStage,
    JwtAuthorizer,
    LambdaAuthorizer,
    RouteSettings,
)
from .model.location import Location
from .openapi import InvalidDefinition, function_arn_of
from .stack import Keys, Stack
from .template import Template

API = "AWS::ApiGatewayV2::Api"
ROUTE = "AWS::ApiGatewayV2::Route"
INTEGRATION = "AWS::ApiGatewayV2::Integration"
AUTHORIZER = "AWS::ApiGatewayV2::Authorizer"
STAGE = "AWS::ApiGatewayV2::Stage"
OVERRIDES = "AWS::ApiGatewayV2::ApiGatewayManagedOverrides"
SAM_HTTP_API = "AWS::Serverless::HttpApi"
_AUTHORIZATION_TYPES = ("NONE", "JWT", "CUSTOM", "AWS_IAM")


class HttpApis:
    def __init__(self, stack: Stack) -> None:
        self.s = stack

    # -- the values of Ref and GetAtt -------------------------------------------------------------------------
    def ref(self, logical_id: str) -> str | None:
        kind = self.s.type_of(logical_id)
        if kind in (API, SAM_HTTP_API):
            return self.api_id(logical_id)
        if kind == INTEGRATION:
            return resource_ids.integration_id(self.api_id(self._api_of(logical_id)), logical_id)
        if kind == AUTHORIZER:
            return resource_ids.authorizer_id(self.api_id(self._api_of(logical_id)), logical_id)
        if kind == ROUTE:
            return resource_ids.resource_id(self.api_id(self._api_of(logical_id)), logical_id)
        if kind == STAGE:
            keys: Keys = ("Resources", logical_id, "Properties", "StageName")
            return self.s.string(self.s.properties(logical_id).get("StageName", DEFAULT_STAGE), keys)
        return None

    def get_att(self, logical_id: str, attribute: str) -> str | None:
        if self.s.type_of(logical_id) in (API, SAM_HTTP_API):
            ident = self.api_id(logical_id)
            if attribute == "ApiId":
                return ident
            if attribute == "ApiEndpoint":
                return f"https://{ident}.execute-api.{self.s.o.region}.amazonaws.com"
        return None

    def api_id(self, logical_id: str) -> str:
        return resource_ids.api_id(self.s.o.stack_name, logical_id)

    def _api_of(self, logical_id: str) -> str:
        keys: Keys = ("Resources", logical_id, "Properties", "ApiId")
        props = self.s.properties(logical_id)
        if "ApiId" not in props:
            raise self.s.t.error(keys[:-1], f"{self.s.type_of(logical_id)} needs ApiId")
        return self.s.logical_id_of(props["ApiId"], (API, SAM_HTTP_API), keys)

    # -- the APIs ---------------------------------------------------------------------------------------------
    def apis(self) -> list[HttpApi]:
        out = []
        for logical_id in self.s.logical_ids(API):
            keys: Keys = ("Resources", logical_id, "Properties")
            props = self.s.properties(logical_id)
            protocol = self.s.string(props.get("ProtocolType", "HTTP"), keys + ("ProtocolType",)) \
                if "Body" not in props and "BodyS3Location" not in props else "HTTP"
            if protocol != "HTTP":
                self.s.warn(keys + ("ProtocolType",), f"{logical_id}: {protocol} APIs are not served")
                continue
            api = self._api(logical_id, props, keys)
            if not api.stages:
                self.s.warn(("Resources", logical_id), f"HTTP API {logical_id} has no stage (no AWS::ApiGatewayV2::"
                            "Stage names it and it is not quick-created with Target), so it cannot be invoked: "
                            "not served")
                continue
            out.append(api)
        return out

    def _api(self, logical_id: str, props: dict[str, Any], keys: Keys) -> HttpApi:
        ident = self.api_id(logical_id)
        routes: list[HttpRoute] = []
        found: list[HttpAuthorizer] = []
        cors: CorsConfiguration | None = None
        name = logical_id
        document, template, dkeys = self._body(props, keys)
        if document is not None:
            where = template or self.s.t
            try:
                routes += routes_from_paths(document, lambda k: where.location(*dkeys, *k))
                found += authorizers(document, (), lambda k: where.location(*dkeys, *k), function_arn_of)
                cors = cors_from(document, ())
            except InvalidDefinition as e:
                raise where.error(dkeys + e.keys, e.message) from None
            name = str((document.get("info") or {}).get("title") or name)
        if "Name" in props:
            name = self.s.string(props["Name"], keys + ("Name",))
        if "CorsConfiguration" in props:
            value = self.s.resolve(props["CorsConfiguration"], keys + ("CorsConfiguration",))
            try:
                cors = cors_configuration(value if isinstance(value, dict) else {}, ())
            except InvalidDefinition as e:
                raise self.s.t.error(keys + ("CorsConfiguration",) + e.keys, e.message) from None
        stages = self._stages(logical_id)
        if "Target" in props:
            route, stage = self._quick_create(logical_id, props, keys)
            routes.append(route)
            stages = (stage,) + tuple(s for s in stages if s.name != DEFAULT_STAGE)
        for integration in self.s.logical_ids(INTEGRATION):   # CloudFormation creates (and checks) each one
            if self._api_of(integration) == logical_id:
                self._integration(integration)
        routes += self._routes(logical_id)
        found += self._authorizers(logical_id)
        disabled = str(self.s.resolve(props.get("DisableExecuteApiEndpoint", False), keys)).lower() == "true"
        return HttpApi(logical_id, name, ident, stages, tuple(unique_routes(routes, self.s.warnings)), cors,
                       tuple(found), disabled, self.s.location("Resources", logical_id))

    def _body(self, props: dict[str, Any], keys: Keys) -> tuple[dict[str, Any] | None, Template | None, Keys]:
        if "Body" in props:
            body = self.s.resolve(props["Body"], keys + ("Body",))
            if not isinstance(body, dict):
                raise self.s.t.error(keys + ("Body",), "Body must be an OpenAPI 3.0 document (a mapping)")
            return body, None, keys + ("Body",)
        if "BodyS3Location" in props:
            where = self.s.resolve(props["BodyS3Location"], keys + ("BodyS3Location",))
            document = self.s.body_s3_location(where, keys + ("BodyS3Location",))
            return document.data, document, ()
        return None, None, ()

    def _quick_create(self, logical_id: str, props: dict[str, Any], keys: Keys) -> tuple[HttpRoute, HttpStage]:
        """`Target` "produces an API with an integration, a default catch-all route, and a default stage which is
        configured to automatically deploy changes" (apigatewayv2 CreateApi; §1.4). The payload format of that
        integration is not documented ([UNCERTAIN]): 2.0 as the console's, unless an override sets it."""
        target = self.s.string(props["Target"], keys + ("Target",))
        key = self.s.string(props.get("RouteKey", DEFAULT_ROUTE), keys + ("RouteKey",))
        problem = route_key_problem(key)
        if problem:
            raise self.s.t.error(keys + ("RouteKey",), problem)
        overrides = self._overrides(logical_id)
        integration_props = overrides.get("Integration") or {}
        okeys = overrides.get("__keys__", keys)
        version = payload_format_version(integration_props.get("PayloadFormatVersion", "2.0"), okeys) \
            if isinstance(integration_props, dict) else "2.0"
        timeout = HTTP_API_TIMEOUT_MS
        if isinstance(integration_props, dict) and "TimeoutInMillis" in integration_props:
            try:
                timeout = timeout_ms(integration_props["TimeoutInMillis"], ())
            except InvalidDefinition as e:
                raise self.s.t.error(okeys, e.message) from None
        arn = function_arn_of(target) or (target if ":function:" in target else None)
        kind = "aws_proxy" if arn is not None else "http_proxy"
        credentials = props.get("CredentialsArn")
        integration = HttpIntegration(kind, target, version, timeout, arn,
                                      None if credentials is None else self.s.string(credentials, keys),
                                      self.s.location(*keys, "Target"))
        stage_props = overrides.get("Stage") or {}
        default = stage(self.s, DEFAULT_STAGE, stage_props if isinstance(stage_props, dict) else {}, okeys,
                        self.s.location(*keys, "Target"))
        return HttpRoute(key, integration, location=self.s.location(*keys, "Target")), default

    def _overrides(self, api: str) -> dict[str, Any]:
        for logical_id in self.s.logical_ids(OVERRIDES):
            if self._api_of(logical_id) == api:
                keys: Keys = ("Resources", logical_id, "Properties")
                props = self.s.resolve(self.s.properties(logical_id), keys)
                return {**props, "__keys__": keys}
        return {}

    def attached(self, api: str) -> tuple[list[HttpRoute], list[HttpAuthorizer]]:
        """Route and Authorizer resources of an AWS::Serverless::HttpApi (SAM passes them on to CloudFormation)."""
        for integration in self.s.logical_ids(INTEGRATION):
            if self._api_of(integration) == api:
                self._integration(integration)
        return self._routes(api), self._authorizers(api)

    def _routes(self, api: str) -> list[HttpRoute]:
        out = []
        for logical_id in self.s.logical_ids(ROUTE):
            if self._api_of(logical_id) != api:
                continue
            keys: Keys = ("Resources", logical_id, "Properties")
            props = self.s.properties(logical_id)
            if "RouteKey" not in props:
                raise self.s.t.error(keys, "an AWS::ApiGatewayV2::Route needs RouteKey")
            key = self.s.string(props["RouteKey"], keys + ("RouteKey",))
            problem = route_key_problem(key)
            if problem:
                raise self.s.t.error(keys + ("RouteKey",), problem)
            integration = None
            if "Target" in props:
                integration = self._target(api, props["Target"], keys + ("Target",))
            kind = self.s.string(props.get("AuthorizationType", "NONE"), keys + ("AuthorizationType",)).upper()
            if kind not in _AUTHORIZATION_TYPES:
                raise self.s.t.error(keys + ("AuthorizationType",), f"AuthorizationType is one of "
                                     f"{', '.join(_AUTHORIZATION_TYPES)}, got {kind!r}")
            authorizer = None
            if "AuthorizerId" in props:
                authorizer = self.s.logical_id_of(props["AuthorizerId"], (AUTHORIZER,), keys + ("AuthorizerId",))
            scopes = self.s.resolve(props.get("AuthorizationScopes") or [], keys + ("AuthorizationScopes",))
            authorization: HttpAuthorizationType = kind  # type: ignore[assignment]
            out.append(HttpRoute(key, integration, authorization, authorizer, tuple(str(s) for s in scopes),
                                 self.s.location("Resources", logical_id)))
        return out

    def _target(self, api: str, value: Any, keys: Keys) -> HttpIntegration:
        """`integrations/<IntegrationId>`, usually `Fn::Join ["/", ["integrations", !Ref Integration]]`."""
        target = self.s.string(value, keys)
        if not target.startswith("integrations/"):
            raise self.s.t.error(keys, f"a route's Target is integrations/<IntegrationId>, got {target!r}")
        wanted = target.split("/", 1)[1]
        for logical_id in self.s.logical_ids(INTEGRATION):
            if self.ref(logical_id) == wanted:
                if self._api_of(logical_id) != api:
                    raise self.s.t.error(keys, f"{target!r} is an integration of another API")
                return self._integration(logical_id)
        raise self.s.t.error(keys, f"{target!r} names no AWS::ApiGatewayV2::Integration of this template")

    def _integration(self, logical_id: str) -> HttpIntegration:
        keys: Keys = ("Resources", logical_id, "Properties")
        props = self.s.properties(logical_id)
        if "IntegrationType" not in props:
            raise self.s.t.error(keys, "an AWS::ApiGatewayV2::Integration needs IntegrationType")
        spec: dict[str, Any] = {"type": self.s.string(props["IntegrationType"], keys + ("IntegrationType",)),
                                "uri": self.s.string(props.get("IntegrationUri", ""), keys + ("IntegrationUri",))}
        for source, target in (("PayloadFormatVersion", "payloadFormatVersion"), ("TimeoutInMillis", "timeoutInMillis"),
                               ("CredentialsArn", "credentials"), ("IntegrationSubtype", "integrationSubtype")):
            if source in props:
                spec[target] = self.s.string(props[source], keys + (source,))
        try:
            return integration_from(spec, (), self.s.location("Resources", logical_id))
        except InvalidDefinition as e:
            message = e.message.replace("payloadFormatVersion", "PayloadFormatVersion").replace(
                "timeoutInMillis", "TimeoutInMillis")
            raise self.s.t.error(keys + _cfn_keys(e.keys), message) from None

    def _authorizers(self, api: str) -> list[HttpAuthorizer]:
        out: list[HttpAuthorizer] = []
        for logical_id in self.s.logical_ids(AUTHORIZER):
            if self._api_of(logical_id) != api:
                continue
            keys: Keys = ("Resources", logical_id, "Properties")
            props = self.s.resolve(self.s.properties(logical_id), keys)
            kind = str(props.get("AuthorizerType", "")).upper()
            sources = identity_sources(props.get("IdentitySource"), ())
            location = self.s.location("Resources", logical_id)
            if kind == "JWT":
                config = props.get("JwtConfiguration") or {}
                if not isinstance(config, dict) or "Issuer" not in config:
                    raise self.s.t.error(keys + ("JwtConfiguration",), "a JWT authorizer needs JwtConfiguration."
                                         "Issuer")
                audience = config.get("Audience") or []
                out.append(JwtAuthorizer(logical_id, str(config["Issuer"]),
                                         tuple(str(a) for a in (audience if isinstance(audience, list) else
                                                                [audience])),
                                         sources or ("$request.header.Authorization",), location))
            elif kind == "REQUEST":
                uri = str(props.get("AuthorizerUri", ""))
                version = payload_format_version(props.get("AuthorizerPayloadFormatVersion", "2.0"), ())
                credentials = props.get("AuthorizerCredentialsArn")
                out.append(LambdaAuthorizer(logical_id, function_arn_of(uri), version,
                                            str(props.get("EnableSimpleResponses", False)).lower() == "true",
                                            sources, int(props.get("AuthorizerResultTtlInSeconds") or 0),
                                            None if credentials is None else str(credentials), location))
            else:
                raise self.s.t.error(keys + ("AuthorizerType",), f"an HTTP API authorizer is JWT or REQUEST, got "
                                     f"{kind!r}")
        return out

    def _stages(self, api: str) -> tuple[HttpStage, ...]:
        out: dict[str, HttpStage] = {}
        for logical_id in self.s.logical_ids(STAGE):
            if self._api_of(logical_id) != api:
                continue
            keys: Keys = ("Resources", logical_id, "Properties")
            name = self.ref(logical_id) or DEFAULT_STAGE
            props = self.s.resolve(self.s.properties(logical_id), keys)
            if name in out:
                self.s.warn(("Resources", logical_id), f"a second stage named {name!r} for the same API; lambdagate "
                            "keeps the first")
                continue
            out[name] = stage(self.s, name, props, keys, self.s.location("Resources", logical_id))
        return tuple(out.values())


def stage(stack: Stack, name: str, props: dict[str, Any], keys: Keys, location: Location) -> HttpStage:
    """Stage properties, resolved, in CloudFormation's spelling (SAM's HttpApi passes them on unchanged)."""
    variables = props.get("StageVariables") or {}
    access = props.get("AccessLogSettings") or {}
    if not isinstance(variables, dict) or not isinstance(access, dict):
        raise stack.t.error(keys, "StageVariables and AccessLogSettings are mappings")
    routes = props.get("RouteSettings") or {}
    return HttpStage(
        name, {str(k): _text(v) for k, v in variables.items()},
        None if access.get("Format") is None else str(access["Format"]),
        None if access.get("DestinationArn") is None else str(access["DestinationArn"]),
        route_settings(props.get("DefaultRouteSettings")),
        tuple((str(k), route_settings(v)) for k, v in routes.items()) if isinstance(routes, dict) else (),
        str(props.get("AutoDeploy", True)).lower() == "true", location)


def route_settings(value: Any) -> RouteSettings:
    if not isinstance(value, dict):
        return RouteSettings()
    burst = value.get("ThrottlingBurstLimit")
    rate = value.get("ThrottlingRateLimit")
    detailed = value.get("DetailedMetricsEnabled")
    return RouteSettings(None if burst is None else int(burst), None if rate is None else float(rate),
                         None if detailed is None else str(detailed).lower() == "true")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _cfn_keys(keys: Keys) -> Keys:
    names = {"payloadFormatVersion": "PayloadFormatVersion", "timeoutInMillis": "TimeoutInMillis"}
    return tuple(names.get(str(k), k) for k in keys)
