"""SAM's HTTP APIs: `Events: Type: HttpApi` on functions and `AWS::Serverless::HttpApi`, as the SAM transform expands
them (aws/serverless-application-model at 7000d0a: `samtranslator/plugins/api/implicit_http_api_plugin.py`,
`samtranslator/model/eventsources/push.py` `class HttpApi`, `samtranslator/model/api/http_api_generator.py`,
`samtranslator/model/apigatewayv2.py`; docs/aws-http-api.md §1.1, §1.2):

- An event without `ApiId` joins the implicit API `ServerlessHttpApi`; an event without `Path` and `Method` is the
  `$default` route; `Method: any` is `ANY`; the integration is AWS_PROXY with `PayloadFormatVersion` "2.0" unless
  the event sets it, `TimeoutInMillis` when given.
- The API's stage is `StageName`, else `$default`, auto-deployed, with `StageVariables`, `AccessLogSettings`,
  `DefaultRouteSettings` and `RouteSettings`.
- `CorsConfiguration: true` allows origin `*`; a mapping takes AllowOrigins, AllowHeaders, AllowMethods,
  ExposeHeaders, MaxAge, AllowCredentials, and credentials with origin `*` are refused.
- `Auth`: `Authorizers` (JWT: `JwtConfiguration` {issuer, audience} + `IdentitySource`; Lambda: `FunctionArn`,
  `AuthorizerPayloadFormatVersion`, `EnableSimpleResponses`, `Identity` {Headers, QueryStrings, StageVariables,
  Context, ReauthorizeEvery}), `DefaultAuthorizer` on every route unless an event says `Authorizer: NONE`,
  `EnableIamAuthorizer` (`AWS_IAM`). An authorizer's `AuthorizationScopes` are the scopes of each route it guards
  whose event gives none (open_api.py `_set_method_authorizer`, `set_path_default_authorizer`).
- Each event gets a permission for `<apiId>/*/<METHOD, * for ANY><path, {name} and {proxy+} as *, no trailing
  slash>`, and the `$default` route `<apiId>/*/*` (push.py `HttpApi._get_permission`). A Lambda authorizer with
  `EnableFunctionDefaultPermissions: true` gets `<apiId>/authorizers/*` (apiv2_generator.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..errors import DefinitionError
from .http_routes import route_key_problem, unique_routes
from .httpapi import HttpApis, stage
from .httpapi_openapi import (
    authorizers,
    cors_from,
    payload_format_version,
    routes_from_paths,
    timeout_ms,
)
from .model.function import Permission
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
    JwtAuthorizer,
    LambdaAuthorizer,
)
from .model.location import Location
from .openapi import InvalidDefinition, function_arn_of
from .resource_ids import api_id
from .stack import Keys, Stack
from .template import load_template

IMPLICIT_HTTP_API = "ServerlessHttpApi"
SAM_FUNCTION = "AWS::Serverless::Function"
SAM_HTTP_API = "AWS::Serverless::HttpApi"
_SAM_PATH_VARIABLE = re.compile(r"{([a-zA-Z0-9._-]+|proxy\+)}")   # open_api.py get_path_without_trailing_slash
_CORS_KEYS = ("AllowMethods", "AllowHeaders", "AllowOrigins", "MaxAge", "ExposeHeaders", "AllowCredentials")
_AUTH_KEYS = ("Authorizers", "DefaultAuthorizer", "EnableIamAuthorizer")

Globals = Callable[[str, str], dict[str, Any]]   # (logical id, Globals section) -> merged properties


class HttpApiEvent:
    """One `Type: HttpApi` event of a function."""

    def __init__(self, function: str, name: str, props: dict[str, Any], keys: Keys, api: str) -> None:
        self.function = function
        self.name = name
        self.props = props
        self.keys = keys
        self.api = api

    @property
    def is_default_route(self) -> bool:
        return "Path" not in self.props and "Method" not in self.props


class SamHttpApis:
    def __init__(self, stack: Stack, merged: Globals) -> None:
        self.s = stack
        self._merged = merged

    def events(self) -> list[HttpApiEvent]:
        out = []
        for logical_id in self.s.logical_ids(SAM_FUNCTION):
            events = self._merged(logical_id, "Function").get("Events") or {}
            for name, event in events.items():
                if not isinstance(event, dict) or event.get("Type") != "HttpApi":
                    continue
                keys: Keys = ("Resources", logical_id, "Properties", "Events", name, "Properties")
                props = event.get("Properties") or {}
                if not isinstance(props, dict):
                    raise self.s.t.error(keys, f"Event with id [{name}] is invalid. Properties should be a map.")
                if ("Path" in props) != ("Method" in props):   # SAM: "Property 'Path' is required."
                    missing = "Method" if "Path" in props else "Path"
                    raise self.s.t.error(keys, f"Event with id [{name}] is invalid. Property '{missing}' is required.")
                api = IMPLICIT_HTTP_API
                if "ApiId" in props:
                    ref = props["ApiId"]
                    api = str(ref.get("Ref") if isinstance(ref, dict) else ref)
                    if self.s.type_of(api) != SAM_HTTP_API:
                        raise self.s.t.error(keys + ("ApiId",), f"ApiId {api!r} is not an AWS::Serverless::HttpApi "
                                             "of this template")
                out.append(HttpApiEvent(logical_id, str(name), props, keys, api))
        return out

    def uses_implicit_api(self) -> bool:
        return any(e.api == IMPLICIT_HTTP_API for e in self.events())

    def apis(self) -> list[HttpApi]:
        events = self.events()
        logical_ids = self.s.logical_ids(SAM_HTTP_API)
        if any(e.api == IMPLICIT_HTTP_API for e in events) and IMPLICIT_HTTP_API not in logical_ids:
            logical_ids.insert(0, IMPLICIT_HTTP_API)
        return [self._api(i, [e for e in events if e.api == i]) for i in logical_ids]

    def _api(self, logical_id: str, events: list[HttpApiEvent]) -> HttpApi:
        implicit = logical_id not in self.s.resources
        keys: Keys = ("Resources", logical_id, "Properties")
        props = self._merged(logical_id, "HttpApi") if not implicit else dict(
            (self.s.t.data.get("Globals") or {}).get("HttpApi") or {})
        location = self.s.location(*keys[:2]) if not implicit else Location(self.s.t.file)
        ident = api_id(self.s.o.stack_name, logical_id)
        routes: list[HttpRoute] = []
        found: list[HttpAuthorizer] = []
        cors: CorsConfiguration | None = None
        body, bkeys, locate = self._definition(props, keys)
        if body is not None:
            try:
                routes += routes_from_paths(body, locate)
                found += authorizers(body, (), locate, function_arn_of)
                cors = cors_from(body, ())
            except InvalidDefinition as e:
                raise self.s.t.error(bkeys + e.keys, e.message) if bkeys else DefinitionError(
                    str(locate(e.keys).file), locate(e.keys).line, ".".join(map(str, e.keys)), e.message) from None
        elif ("CorsConfiguration" in props or "Auth" in props) and "DefinitionUri" in props:
            raise self.s.t.error(keys, "Cors works only with inline OpenApi specified in 'DefinitionBody' property.")
        auth = self.s.resolve(props.get("Auth") or {}, keys + ("Auth",))
        found += self._authorizers(auth, keys + ("Auth",))
        if not implicit:
            attached_routes, attached_authorizers = HttpApis(self.s).attached(logical_id)
            routes += attached_routes
            found += attached_authorizers
        default_authorizer = auth.get("DefaultAuthorizer") if isinstance(auth, dict) else None
        names = {a.name for a in found} | ({"AWS_IAM"} if isinstance(auth, dict) and
                                           auth.get("EnableIamAuthorizer") is True else set())
        if default_authorizer is not None and default_authorizer not in names:
            raise self.s.t.error(keys + ("Auth", "DefaultAuthorizer"), "Unable to set DefaultAuthorizer because '"
                                 f"{default_authorizer}' was not defined in 'Authorizers'.")
        scopes_of = _authorizer_scopes(auth)
        if default_authorizer is not None:   # http_api_generator.py `_set_default_authorizer`: every path
            routes = [_authorized(r, str(default_authorizer), found, scopes_of.get(str(default_authorizer), ()))
                      if r.authorization_type == "NONE" else r for r in routes]
        routes += [self._route(event, found, default_authorizer, scopes_of) for event in events]
        if "CorsConfiguration" in props:
            cors = self._cors(props["CorsConfiguration"], keys + ("CorsConfiguration",))
        stage_name = self.s.string(props.get("StageName", DEFAULT_STAGE), keys + ("StageName",))
        stage_props = {k: self.s.resolve(props[k], keys + (k,)) for k in
                       ("StageVariables", "AccessLogSettings", "DefaultRouteSettings", "RouteSettings") if k in props}
        served = stage(self.s, stage_name, stage_props, keys, location)
        name = self.s.string(props["Name"], keys + ("Name",)) if "Name" in props else \
            self.s.o.stack_name if implicit else ident
        disabled = str(props.get("DisableExecuteApiEndpoint", False)).lower() == "true"
        return HttpApi(logical_id, name, ident, (served,), tuple(unique_routes(routes, self.s.warnings)), cors,
                       tuple(found), disabled, location)

    def _definition(self, props: dict[str, Any], keys: Keys) -> tuple[dict[str, Any] | None, Keys,
                                                                          Callable[[Keys], Location]]:
        if "DefinitionBody" in props:
            body = self.s.resolve(props["DefinitionBody"], keys + ("DefinitionBody",))
            if not isinstance(body, dict):
                raise self.s.t.error(keys + ("DefinitionBody",), "the definition must be an OpenAPI mapping")
            bkeys = keys + ("DefinitionBody",)
            return body, bkeys, lambda k: self.s.location(*bkeys, *k)
        if "DefinitionUri" in props:
            uri = self.s.resolve(props["DefinitionUri"], keys + ("DefinitionUri",))
            if not isinstance(uri, str) or uri.startswith("s3://"):
                raise self.s.t.error(keys + ("DefinitionUri",), "DefinitionUri must be a local file to be served")
            if not (self.s.base / uri).is_file():
                raise self.s.t.error(keys + ("DefinitionUri",), f"no such file: {uri}")
            document = load_template(self.s.base / uri)
            return document.data, (), lambda k: document.location(*k)
        return None, (), lambda k: self.s.location(*keys)

    def _route(self, event: HttpApiEvent, found: list[HttpAuthorizer], default: Any,
               scopes_of: dict[str, tuple[str, ...]]) -> HttpRoute:
        props, keys = event.props, event.keys
        if event.is_default_route:
            key = DEFAULT_ROUTE
        else:
            path = self.s.string(props["Path"], keys + ("Path",))
            method = self.s.string(props["Method"], keys + ("Method",)).upper()
            method = "ANY" if method in ("ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD") else method
            key = DEFAULT_ROUTE if path in ("$default", "/$default") else \
                f"{method} /" + "/".join(p for p in path.split("/") if p)
            problem = route_key_problem(key)
            if problem:
                raise self.s.t.error(keys + ("Path",), problem)
        try:
            version = payload_format_version(self.s.string(props.get("PayloadFormatVersion", "2.0"), keys), ())
            timeout = timeout_ms(self.s.string(props["TimeoutInMillis"], keys), ()) \
                if "TimeoutInMillis" in props else HTTP_API_TIMEOUT_MS
        except InvalidDefinition as e:
            raise self.s.t.error(keys, e.message) from None
        arn = self.s.function_arn(event.function)
        uri = f"arn:aws:apigateway:{self.s.o.region}:lambda:path/2015-03-31/functions/{arn}/invocations"
        integration = HttpIntegration("aws_proxy", uri, version, timeout, arn, None, self.s.location(*keys))
        auth = self.s.resolve(props.get("Auth") or {}, keys + ("Auth",))
        name = auth.get("Authorizer", default) if isinstance(auth, dict) else default
        if isinstance(auth, dict) and auth and name is None:
            raise self.s.t.error(keys + ("Auth",), f"Event with id [{event.name}] is invalid. 'Auth' section requires "
                                 "either an explicit 'Authorizer' set or a 'DefaultAuthorizer' configured on the "
                                 "HttpApi.")
        scopes = tuple(str(s) for s in (auth.get("AuthorizationScopes") or [])) if isinstance(auth, dict) else ()
        route = HttpRoute(key, integration, location=self.s.location(*keys))
        if name is None or name == "NONE":
            return route
        return _authorized(route, str(name), found, scopes or scopes_of.get(str(name), ()))

    def _authorizers(self, auth: Any, keys: Keys) -> list[HttpAuthorizer]:
        if not auth:
            return []
        if not isinstance(auth, dict) or any(k not in _AUTH_KEYS for k in auth):
            raise self.s.t.error(keys, "Invalid value for 'Auth' property")
        out: list[HttpAuthorizer] = []
        for name, spec in (auth.get("Authorizers") or {}).items():
            akeys = keys + ("Authorizers", name)
            if not isinstance(spec, dict):
                raise self.s.t.error(akeys, f"Property 'Auth.Authorizers.{name}' should be a map.")
            location = self.s.location(*akeys)
            if "JwtConfiguration" in spec:
                config = {str(k).lower(): v for k, v in (spec["JwtConfiguration"] or {}).items()}
                if "IdentitySource" not in spec:
                    raise self.s.t.error(akeys, f"{name} OAuth2 Authorizer must define 'IdentitySource'.")
                audience = config.get("audience") or []
                out.append(JwtAuthorizer(str(name), str(config.get("issuer", "")),
                                         tuple(str(a) for a in (audience if isinstance(audience, list) else
                                                                [audience])),
                                         (str(spec["IdentitySource"]),), location))
                continue
            for required in ("FunctionArn", "AuthorizerPayloadFormatVersion"):
                if required not in spec:
                    raise self.s.t.error(akeys, f"{name} Lambda Authorizer must define '{required}'.")
            identity = spec.get("Identity") or {}
            sources = tuple(prefix + str(v) for prefix, group in (
                ("$request.header.", "Headers"), ("$request.querystring.", "QueryStrings"),
                ("$stageVariables.", "StageVariables"), ("$context.", "Context"))
                for v in (identity.get(group) or []))
            try:
                version = payload_format_version(spec["AuthorizerPayloadFormatVersion"], ())
            except InvalidDefinition as e:
                raise self.s.t.error(akeys + ("AuthorizerPayloadFormatVersion",), e.message) from None
            out.append(LambdaAuthorizer(str(name), str(spec["FunctionArn"]), version,
                                        spec.get("EnableSimpleResponses") is True, sources,
                                        int(identity.get("ReauthorizeEvery") or 0),
                                        None if spec.get("FunctionInvokeRole") in (None, "NONE")
                                        else str(spec["FunctionInvokeRole"]), location))
        return out

    def _cors(self, value: Any, keys: Keys) -> CorsConfiguration:
        value = self.s.resolve(value, keys)
        if value is True:
            return CorsConfiguration(allow_origins=("*",))
        if not isinstance(value, dict):
            raise self.s.t.error(keys, "Invalid value for 'Cors' property.")
        for key in value:
            if key not in _CORS_KEYS:
                raise self.s.t.error(keys + (key,), f"Invalid key '{key}' for 'Cors' property.")
        origins = value.get("AllowOrigins")
        origins = tuple(str(o) for o in origins) if isinstance(origins, list) else (str(origins),) if origins else ()
        credentials = value.get("AllowCredentials") is True
        if credentials and origins in ((), ("*",)):
            raise self.s.t.error(keys, "Unable to add Cors configuration because 'AllowCredentials' can not be true "
                                 "when 'AllowOrigin' is \"'*'\" or not set.")

        def strings(name: str) -> tuple[str, ...]:
            v = value.get(name)
            return tuple(str(x) for x in v) if isinstance(v, list) else (str(v),) if v else ()

        max_age = value.get("MaxAge")
        return CorsConfiguration(origins, strings("AllowMethods"), strings("AllowHeaders"), strings("ExposeHeaders"),
                                 None if max_age is None else int(max_age), credentials)

    # -- permissions ----------------------------------------------------------------------------------------
    def permissions(self) -> list[Permission]:
        out = []
        region, account = self.s.o.region, self.s.o.account_id
        for event in self.events():
            ident = api_id(self.s.o.stack_name, event.api)
            if event.is_default_route:
                resource = f"{ident}/*/*"
            else:
                path = re.sub(r"^(.+)/$", r"\1", self.s.string(event.props["Path"], event.keys + ("Path",)))
                method = self.s.string(event.props["Method"], event.keys + ("Method",)).lower()
                verb = "*" if method in ("any", "x-amazon-apigateway-any-method") else method.upper()
                if path in ("$default", "/$default"):
                    resource = f"{ident}/*/{verb}" if path == "$default" else f"{ident}/*{path}"
                else:
                    resource = f"{ident}/*/{verb}{_SAM_PATH_VARIABLE.sub('*', path)}"
            source = f"arn:aws:execute-api:{region}:{account}:{resource}"
            out.append(Permission.allow(self.s.function_arn(event.function), "lambda:InvokeFunction",
                                        "apigateway.amazonaws.com", source, None, self.s.location(*event.keys)))
        for api in self.s.logical_ids(SAM_HTTP_API):
            keys: Keys = ("Resources", api, "Properties", "Auth")
            auth = self.s.resolve(self._merged(api, "HttpApi").get("Auth") or {}, keys)
            for name, spec in ((auth.get("Authorizers") or {}) if isinstance(auth, dict) else {}).items():
                if isinstance(spec, dict) and spec.get("EnableFunctionDefaultPermissions") is True and \
                        "FunctionArn" in spec:
                    source = f"arn:aws:execute-api:{region}:{account}:{api_id(self.s.o.stack_name, api)}/authorizers/*"
                    out.append(Permission.allow(str(spec["FunctionArn"]), "lambda:InvokeFunction",
                                                "apigateway.amazonaws.com", source, None,
                                                self.s.location(*keys, "Authorizers", name)))
        return out


def _authorizer_scopes(auth: Any) -> dict[str, tuple[str, ...]]:
    """Each SAM authorizer's `AuthorizationScopes`: the scopes of the routes it guards unless the event gives its own
    (open_api.py `_set_method_authorizer`; `set_path_default_authorizer` with `_get_authorization_scopes` for the
    DefaultAuthorizer's routes)."""
    specs = auth.get("Authorizers") if isinstance(auth, dict) else None
    if not isinstance(specs, dict):
        return {}
    return {str(name): tuple(str(s) for s in spec.get("AuthorizationScopes") or [])
            for name, spec in specs.items() if isinstance(spec, dict) and isinstance(spec.get("AuthorizationScopes"),
                                                                                     list)}


def _authorized(route: HttpRoute, name: str, found: list[HttpAuthorizer], scopes: tuple[str, ...] = ()) -> HttpRoute:
    kind: HttpAuthorizationType = "AWS_IAM" if name == "AWS_IAM" else "NONE"
    authorizer = next((a for a in found if a.name == name), None)
    if isinstance(authorizer, JwtAuthorizer):
        kind = "JWT"
    elif isinstance(authorizer, LambdaAuthorizer):
        kind = "CUSTOM"
    # open_api.py `_set_method_authorizer`: "Neither the NONE nor the AWS_IAM built-in authorizers support
    # authorization scopes."
    return HttpRoute(route.route_key, route.integration, kind, None if kind == "AWS_IAM" else name,
                     () if kind in ("AWS_IAM", "NONE") else scopes, route.location)
