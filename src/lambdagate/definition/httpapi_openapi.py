"""An HTTP API's OpenAPI 3.0 document (`Body` of AWS::ApiGatewayV2::Api, `DefinitionBody` of AWS::Serverless::HttpApi)
-> routes, authorizers and CORS (docs/aws-http-api.md §1.5, AGDG http-api-open-api.md and
api-gateway-swagger-extensions-*.md):

- HTTP APIs import OpenAPI 3.0 only: a `swagger: "2.0"` document is an error.
- Each operation is a route `VERB /path`; `x-amazon-apigateway-any-method` is `ANY`; the path key `$default`
  (SAM also writes `/$default` when FailOnWarnings is set) holds the `$default` route.
- `x-amazon-apigateway-integration`: `type` (case-insensitive), `uri` (a function ARN or the
  `arn:aws:apigateway:<region>:lambda:path/.../functions/<ARN>/invocations` form), `payloadFormatVersion` ("1.0" or
  "2.0", written as a string or a number), `timeoutInMillis`, `credentials`; or a `$ref` to
  `#/components/x-amazon-apigateway-integrations/<name>`.
- `components.securitySchemes.<name>.x-amazon-apigateway-authorizer` (`type: jwt` with `jwtConfiguration` and
  `identitySource`, or `type: request` with `authorizerUri`, `authorizerPayloadFormatVersion`,
  `enableSimpleResponses`, `identitySource`, `authorizerResultTtlInSeconds`); `x-amazon-apigateway-authtype:
  awsSigv4` is IAM; an operation's (or the document's) `security` names the scheme and the scopes.
- `x-amazon-apigateway-cors` at the root: `allowOrigins`, `allowCredentials`, `exposeHeaders`, `maxAge`,
  `allowMethods`, `allowHeaders`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .model.httpapi import (
    DEFAULT_ROUTE,
    HTTP_API_TIMEOUT_MS,
    CorsConfiguration,
    HttpAuthorizationType,
    HttpAuthorizer,
    HttpIntegration,
    HttpRoute,
    JwtAuthorizer,
    LambdaAuthorizer,
    PayloadFormatVersion,
)
from .model.location import Location
from .model.restapi import HTTP_METHODS
from .openapi import ANY_METHOD_KEY, INTEGRATION_KEY, InvalidDefinition, function_arn_of, mapping_of

CORS_KEY = "x-amazon-apigateway-cors"
AUTHORIZER_KEY = "x-amazon-apigateway-authorizer"
AUTHTYPE_KEY = "x-amazon-apigateway-authtype"
INTEGRATIONS_KEY = "x-amazon-apigateway-integrations"
DEFAULT_PATHS = ("$default", "/$default")
MIN_TIMEOUT_MS = 50

Keys = tuple[str | int, ...]
Locate = Callable[[Keys], Location]


def check_version(document: dict[str, Any], keys: Keys = ()) -> None:
    """HTTP APIs import OpenAPI 3.0 only (AGDG http-api-open-api.md)."""
    if "swagger" in document:
        raise InvalidDefinition(keys + ("swagger",), "HTTP APIs import OpenAPI 3.0 definitions only, not Swagger "
                                f"{document['swagger']!r}: write `openapi: \"3.0.1\"`")


def route_key(verb: str, path: str) -> str:
    """The route key of an operation; `ANY $default` is the `$default` route."""
    if path in DEFAULT_PATHS:
        return DEFAULT_ROUTE
    return f"{verb} /" + "/".join(p for p in path.split("/") if p) if path.strip("/") else f"{verb} /"


def payload_format_version(value: Any, keys: Keys) -> PayloadFormatVersion:
    """`"2.0"`, `2.0` or `"1.0"`, `1.0` (the AGDG examples write both); anything else is refused."""
    text = str(value).strip()
    if text in ("2.0", "2"):
        return "2.0"
    if text in ("1.0", "1"):
        return "1.0"
    raise InvalidDefinition(keys, f"payloadFormatVersion must be \"1.0\" or \"2.0\", got {value!r}")


def timeout_ms(value: Any, keys: Keys) -> int:
    """50..30000 ms for HTTP APIs (CFN AWS::ApiGatewayV2::Integration TimeoutInMillis; §10.1)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidDefinition(keys, f"expected a whole number of milliseconds, got {value!r}") from None
    if not MIN_TIMEOUT_MS <= number <= HTTP_API_TIMEOUT_MS:
        raise InvalidDefinition(keys, f"the integration timeout of an HTTP API is between {MIN_TIMEOUT_MS} and "
                                f"{HTTP_API_TIMEOUT_MS} ms, got {number}")
    return number


def integration_from(spec: dict[str, Any], keys: Keys, location: Location) -> HttpIntegration:
    """One `x-amazon-apigateway-integration` object. A Lambda proxy integration without payloadFormatVersion is
    refused: the field is "Required for HTTP APIs" (AGDG api-gateway-swagger-extensions-integration.md)."""
    kind = str(spec.get("type", "")).lower()
    uri = str(spec.get("uri", ""))
    arn = function_arn_of(uri) or (uri if ":lambda:" in uri and ":function:" in uri else None)
    if "payloadFormatVersion" in spec:
        version = payload_format_version(spec["payloadFormatVersion"], keys + ("payloadFormatVersion",))
    elif kind == "aws_proxy" and arn is not None and "integrationSubtype" not in spec:
        raise InvalidDefinition(keys, "a Lambda proxy integration of an HTTP API needs payloadFormatVersion "
                                "(\"1.0\" or \"2.0\")")
    else:
        version = "1.0"   # "1.0 for all other integrations"
    timeout = timeout_ms(spec["timeoutInMillis"], keys + ("timeoutInMillis",)) if "timeoutInMillis" in spec \
        else HTTP_API_TIMEOUT_MS
    credentials = spec.get("credentials")
    subtype = spec.get("integrationSubtype")
    return HttpIntegration(kind, uri, version, timeout, None if subtype else arn,
                           None if credentials is None else str(credentials), location,
                           None if subtype is None else str(subtype))


def routes_from_paths(document: dict[str, Any], locate: Locate, keys: Keys = ()) -> list[HttpRoute]:
    """Every operation of `paths` as a route, with its integration and authorization."""
    check_version(document, keys)
    schemes = _security_schemes(document)
    default_security = document.get("security")
    paths = mapping_of(document.get("paths"), keys + ("paths",))
    out: list[HttpRoute] = []
    for path, operations in paths.items():
        if not isinstance(operations, dict):
            continue
        if not (path in DEFAULT_PATHS or path.startswith("/")):
            raise InvalidDefinition(keys + ("paths", path), f"a path starts with '/', got {path!r}")
        for key, operation in operations.items():
            verb = "ANY" if key == ANY_METHOD_KEY else key.upper()
            if verb not in HTTP_METHODS and verb != "ANY" or not isinstance(operation, dict):
                continue   # `parameters`, `summary`, other extensions of the path item
            okeys = keys + ("paths", path, key)
            integration = None
            spec = operation.get(INTEGRATION_KEY)
            if isinstance(spec, dict):
                spec = _dereference(document, spec, okeys + (INTEGRATION_KEY,))
                integration = integration_from(spec, okeys + (INTEGRATION_KEY,), locate(okeys + (INTEGRATION_KEY,)))
            security = operation.get("security", default_security)
            kind, name, scopes = _authorization(security, schemes, okeys + ("security",))
            out.append(HttpRoute(route_key(verb, path), integration, kind, name, scopes, locate(okeys)))
    return out


def authorizers(document: dict[str, Any], keys: Keys, locate: Locate,
                resolve_arn: Callable[[str], str | None]) -> list[HttpAuthorizer]:
    """The JWT and Lambda authorizers of `components.securitySchemes`."""
    out: list[HttpAuthorizer] = []
    skeys = keys + ("components", "securitySchemes")
    for name, scheme in _security_schemes(document).items():
        spec = scheme.get(AUTHORIZER_KEY)
        if not isinstance(spec, dict):
            continue
        akeys = skeys + (name, AUTHORIZER_KEY)
        kind = str(spec.get("type", "")).lower()
        sources = identity_sources(spec.get("identitySource"), akeys + ("identitySource",))
        if kind == "jwt":
            config = {str(k).lower(): v for k, v in mapping_of(spec.get("jwtConfiguration"),
                                                             akeys + ("jwtConfiguration",)).items()}
            if "issuer" not in config:
                raise InvalidDefinition(akeys + ("jwtConfiguration",), "a JWT authorizer needs an issuer")
            out.append(JwtAuthorizer(name, str(config["issuer"]), _strings(config.get("audience")),
                                     sources or ("$request.header.Authorization",), locate(akeys)))
        elif kind == "request":
            uri = str(spec.get("authorizerUri", ""))
            version = payload_format_version(spec.get("authorizerPayloadFormatVersion", "2.0"),
                                             akeys + ("authorizerPayloadFormatVersion",))
            ttl = int(spec.get("authorizerResultTtlInSeconds") or 0)
            credentials = spec.get("authorizerCredentials")
            out.append(LambdaAuthorizer(name, resolve_arn(uri), version, spec.get("enableSimpleResponses") is True,
                                        sources, ttl, None if credentials is None else str(credentials),
                                        locate(akeys)))
        else:
            raise InvalidDefinition(akeys + ("type",), f"an HTTP API authorizer is of type jwt or request, got "
                                    f"{spec.get('type')!r}")
    return out


def cors_from(document: dict[str, Any], keys: Keys) -> CorsConfiguration | None:
    value = document.get(CORS_KEY)
    if value is None:
        return None
    return cors_configuration({str(k)[0].upper() + str(k)[1:]: v for k, v in
                               mapping_of(value, keys + (CORS_KEY,)).items()}, keys + (CORS_KEY,))


def cors_configuration(value: dict[str, Any], keys: Keys) -> CorsConfiguration:
    """The CloudFormation spelling (`AllowOrigins`, ...; CFN AWS::ApiGatewayV2::Api Cors)."""
    known = {"AllowOrigins", "AllowMethods", "AllowHeaders", "ExposeHeaders", "MaxAge", "AllowCredentials"}
    for key in value:
        if key not in known:
            raise InvalidDefinition(keys + (key,), f"unknown CORS setting {key!r} (expected one of "
                                    f"{', '.join(sorted(known))})")
    max_age = value.get("MaxAge")
    credentials = value.get("AllowCredentials")
    return CorsConfiguration(_strings(value.get("AllowOrigins")), _strings(value.get("AllowMethods")),
                             _strings(value.get("AllowHeaders")), _strings(value.get("ExposeHeaders")),
                             None if max_age is None else int(max_age),
                             credentials is True or str(credentials).lower() == "true")


def identity_sources(value: Any, keys: Keys) -> tuple[str, ...]:
    """A list, or a comma-separated string (`$request.header.Authorization, $request.querystring.token`)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(",") if p.strip())
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    raise InvalidDefinition(keys, f"identitySource is a list of $request.header.<name>, ... , got {value!r}")


def _authorization(security: Any, schemes: dict[str, dict[str, Any]],
                   keys: Keys) -> tuple[HttpAuthorizationType, str | None, tuple[str, ...]]:
    if not security:
        return "NONE", None, ()
    if not isinstance(security, list) or not all(isinstance(s, dict) for s in security):
        raise InvalidDefinition(keys, "security is a list of {scheme name: [scopes]}")
    for requirement in security:
        for name, scopes in requirement.items():
            scheme = schemes.get(name)
            if scheme is None:
                raise InvalidDefinition(keys, f"security names {name!r}, which components.securitySchemes does "
                                        "not define")
            if str(scheme.get(AUTHTYPE_KEY, "")).lower() == "awssigv4":
                return "AWS_IAM", None, ()
            spec = scheme.get(AUTHORIZER_KEY)
            if isinstance(spec, dict):
                kind: HttpAuthorizationType = "JWT" if str(spec.get("type", "")).lower() == "jwt" else "CUSTOM"
                return kind, str(name), _strings(scopes)
    return "NONE", None, ()


def _security_schemes(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    components = document.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(schemes, dict):
        return {}
    return {str(k): v for k, v in schemes.items() if isinstance(v, dict)}


def _dereference(document: dict[str, Any], spec: dict[str, Any], keys: Keys) -> dict[str, Any]:
    """`{"$ref": "#/components/x-amazon-apigateway-integrations/<name>"}` -> that integration (AGDG
    http-api-open-api.md)."""
    ref = spec.get("$ref")
    if ref is None:
        return spec
    prefix = f"#/components/{INTEGRATIONS_KEY}/"
    shared = (document.get("components") or {}).get(INTEGRATIONS_KEY) or {}
    name = str(ref)[len(prefix):] if str(ref).startswith(prefix) else None
    target = shared.get(name) if isinstance(shared, dict) and name is not None else None
    if not isinstance(target, dict):
        raise InvalidDefinition(keys + ("$ref",), f"{ref!r} names no integration of components.{INTEGRATIONS_KEY}")
    return target


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)
