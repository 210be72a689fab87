"""Authorizers and a method's authorization (aws-auth.md §1.1, §2, §3, §6) as CloudFormation and OpenAPI declare
them. What API Gateway refuses to create is a DefinitionError with file:line here, not a surprise per request.

- `AWS::ApiGateway::Authorizer`: `Type` TOKEN | REQUEST | COGNITO_USER_POOLS, `AuthorizerUri` (Lambda types),
  `ProviderARNs` (Cognito), `IdentitySource` (comma-separated; required for TOKEN and Cognito: exactly one
  `method.request.header.X`), `IdentityValidationExpression` (TOKEN and Cognito), `AuthorizerResultTtlInSeconds`
  (0..3600, default 300), `AuthorizerCredentials`. `Ref` is its id.
- A Method's `AuthorizationType` NONE | AWS_IAM | CUSTOM | COGNITO_USER_POOLS, `AuthorizerId` (required by CUSTOM and
  COGNITO_USER_POOLS), `AuthorizationScopes`, `ApiKeyRequired`.
- OpenAPI: `securityDefinitions` (Swagger 2) / `components.securitySchemes` (OAS3) with
  `x-amazon-apigateway-authorizer` (type in lower case; TOKEN and Cognito take their header from the scheme's
  `name`) and `x-amazon-apigateway-authtype` (`custom`, `cognito_user_pools`, `awsSigv4`, `oauth2`); a scheme of
  type apiKey named `x-api-key` in the header is the API key; `security` on an operation, else at the root; the
  scopes listed for a Cognito scheme are the method's authorization scopes ([REC] LS-snap-import).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..arns import user_pool_id as pool_id
from .identity_sources import check_expression, parse_identity_source, split_identity_sources
from .model.auth import DEFAULT_AUTHORIZER_TTL, AuthorizationType, Authorizer, AuthorizerType, MethodAuth
from .model.location import Location
from .openapi import InvalidDefinition, Keys, function_arn_of
from .resource_ids import authorizer_id

AUTHORIZER_KEY = "x-amazon-apigateway-authorizer"
AUTHTYPE_KEY = "x-amazon-apigateway-authtype"
API_KEY_SOURCE_KEY = "x-amazon-apigateway-api-key-source"
AUTHORIZER_TYPES: tuple[AuthorizerType, ...] = ("TOKEN", "REQUEST", "COGNITO_USER_POOLS")
AUTHORIZATION_TYPES: tuple[AuthorizationType, ...] = ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS")
MAX_TTL = 3600
_HEADER_SOURCE = re.compile(r"^method\.request\.header\.[^,\s]+$")


def check_authorizer(a: Authorizer, keys: Keys) -> Authorizer:
    """What CreateAuthorizer refuses (API reference; aws-auth.md §1.1), as InvalidDefinition."""
    if a.type in ("TOKEN", "REQUEST") and a.function_arn is None:
        raise InvalidDefinition(keys, f"authorizer {a.name}: the authorizer URI {a.uri!r} names no Lambda function "
                                "(arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/"
                                "invocations)")
    if a.type in ("TOKEN", "COGNITO_USER_POOLS") and (
            len(a.identity_source) != 1 or not _HEADER_SOURCE.match(a.identity_source[0])):
        raise InvalidDefinition(keys, f"authorizer {a.name}: a {a.type} authorizer's identity source is exactly one "
                                f"method.request.header.<Name>, got {', '.join(a.identity_source) or 'none'}")
    for source in a.identity_source:
        try:
            parse_identity_source(source)
        except ValueError as e:
            raise InvalidDefinition(keys, f"authorizer {a.name}: {e}") from None
    if a.type == "REQUEST" and not a.identity_source and a.ttl_seconds > 0:
        raise InvalidDefinition(keys, f"authorizer {a.name}: a REQUEST authorizer with caching on "
                                f"(TTL {a.ttl_seconds}) needs at least one identity source")
    if not 0 <= a.ttl_seconds <= MAX_TTL:
        raise InvalidDefinition(keys, f"authorizer {a.name}: the result TTL is 0 to {MAX_TTL} seconds, got "
                                f"{a.ttl_seconds}")
    if a.validation_expression is not None and check_expression(a.validation_expression):
        raise InvalidDefinition(keys, f"authorizer {a.name}: the identity validation expression "
                                f"{a.validation_expression!r} is not a regular expression: "
                                f"{check_expression(a.validation_expression)}")
    if a.type == "COGNITO_USER_POOLS":
        if not a.provider_arns:
            raise InvalidDefinition(keys, f"authorizer {a.name}: a Cognito authorizer needs providerARNs "
                                    "(user pool ARNs)")
        for arn in a.provider_arns:
            if pool_id(arn) is None:
                raise InvalidDefinition(keys, f"authorizer {a.name}: {arn!r} is not a user pool ARN "
                                        "(arn:aws:cognito-idp:<region>:<account>:userpool/<poolId>)")
    return a


def ttl_of(value: Any, keys: Keys) -> int:
    if value is None:
        return DEFAULT_AUTHORIZER_TTL
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidDefinition(keys, f"the result TTL is a whole number of seconds, got {value!r}") from None


def _strings(value: Any, keys: Keys) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InvalidDefinition(keys, f"expected a string or a list of strings, got {value!r}")


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


# -- OpenAPI ---------------------------------------------------------------------------------------------------
@dataclass
class Schemes:
    """An OpenAPI document's security schemes as API Gateway imports them."""

    authorizers: dict[str, Authorizer] = field(default_factory=dict)
    iam: set[str] = field(default_factory=set)
    api_keys: set[str] = field(default_factory=set)


def openapi_schemes(document: dict[str, Any], api_id: str, locate: Callable[[Keys], Location]) -> Schemes:
    components = document.get("components")
    keys: Keys
    if "securityDefinitions" in document:
        spec, keys = document["securityDefinitions"], ("securityDefinitions",)
    else:
        spec = components.get("securitySchemes") if isinstance(components, dict) else None
        keys = ("components", "securitySchemes")
    out = Schemes()
    if spec is None:
        return out
    if not isinstance(spec, dict):
        raise InvalidDefinition(keys, "expected {scheme name: security scheme}")
    for name, scheme in spec.items():
        skeys = keys + (name,)
        if not isinstance(scheme, dict):
            raise InvalidDefinition(skeys, "a security scheme is a mapping")
        auth_type = scheme.get(AUTHTYPE_KEY)
        extension = scheme.get(AUTHORIZER_KEY)
        if isinstance(extension, dict):
            out.authorizers[str(name)] = check_authorizer(
                _openapi_authorizer(str(name), scheme, extension, auth_type, api_id, skeys, locate), skeys)
        elif str(auth_type).lower() == "awssigv4":
            out.iam.add(str(name))
        elif scheme.get("type") == "apiKey" and str(scheme.get("name", "")).lower() == "x-api-key" and \
                scheme.get("in") == "header":
            out.api_keys.add(str(name))
    return out


def _openapi_authorizer(name: str, scheme: dict[str, Any], spec: dict[str, Any], auth_type: Any, api_id: str,
                        keys: Keys, locate: Callable[[Keys], Location]) -> Authorizer:
    kind = str(spec.get("type", "")).upper()
    if kind not in AUTHORIZER_TYPES:
        raise InvalidDefinition(keys + (AUTHORIZER_KEY, "type"), f"authorizer type {spec.get('type')!r} is not "
                                "token, request or cognito_user_pools")
    uri = str(spec.get("authorizerUri", ""))
    sources = split_identity_sources(str(spec["identitySource"])) if spec.get("identitySource") else ()
    if kind != "REQUEST" and not sources and scheme.get("in") == "header" and scheme.get("name"):
        sources = (f"method.request.header.{scheme['name']}",)
    expression = spec.get("identityValidationExpression")
    return Authorizer(
        authorizer_id(api_id, name), name, kind,
        function_arn_of(uri) if kind != "COGNITO_USER_POOLS" else None, uri,
        None if spec.get("authorizerCredentials") is None else str(spec["authorizerCredentials"]), sources,
        None if expression is None else str(expression),
        ttl_of(spec.get("authorizerResultTtlInSeconds"), keys + (AUTHORIZER_KEY, "authorizerResultTtlInSeconds")),
        _strings(spec.get("providerARNs"), keys + (AUTHORIZER_KEY, "providerARNs")),
        None if auth_type is None else str(auth_type), locate(keys))


def openapi_method_auth(security: Any, schemes: Schemes, keys: Keys) -> MethodAuth:
    """An operation's (or the root's) `security`: a list of requirement objects {scheme name: [scopes]}."""
    if security is None:
        return MethodAuth()
    if not isinstance(security, list) or not all(isinstance(r, dict) for r in security):
        raise InvalidDefinition(keys, "security is a list of {scheme name: [scopes]}")
    authorization: AuthorizationType = "NONE"
    authorizer: Authorizer | None = None
    scopes: tuple[str, ...] = ()
    api_key = False
    for requirement in security:
        for name, listed in requirement.items():
            if name in schemes.api_keys:
                api_key = True
            elif name in schemes.iam:
                authorization = "AWS_IAM"
            elif name in schemes.authorizers:
                if authorizer is not None and authorizer.name != name:
                    raise InvalidDefinition(keys, f"a method has one authorizer; security names {authorizer.name} "
                                            f"and {name}")
                authorizer = schemes.authorizers[name]
                authorization = "COGNITO_USER_POOLS" if authorizer.type == "COGNITO_USER_POOLS" else "CUSTOM"
                scopes = _strings(listed, keys) if authorizer.type == "COGNITO_USER_POOLS" else ()
            else:
                raise InvalidDefinition(keys, f"security names {name!r}, which is no security scheme of the "
                                        f"document ({', '.join(sorted(_names(schemes))) or 'none defined'})")
    return MethodAuth(authorization, authorizer.id if authorizer else None, scopes, api_key)


def _names(schemes: Schemes) -> set[str]:
    return set(schemes.authorizers) | schemes.iam | schemes.api_keys


def api_key_source(value: Any, keys: Keys) -> str:
    text = "HEADER" if value is None else str(value).upper()
    if text not in ("HEADER", "AUTHORIZER"):
        raise InvalidDefinition(keys, f"the API key source is HEADER or AUTHORIZER, got {value!r}")
    return text


# -- CloudFormation --------------------------------------------------------------------------------------------
def cfn_authorizer(name: str, ident: str, props: dict[str, Any], keys: Keys, location: Location) -> Authorizer:
    """One `AWS::ApiGateway::Authorizer` (properties resolved); `ident` its id (its `Ref`)."""
    kind = str(props.get("Type", "")).upper()
    if kind not in AUTHORIZER_TYPES:
        raise InvalidDefinition(keys + ("Type",), f"Type must be TOKEN, REQUEST or COGNITO_USER_POOLS, got "
                                f"{props.get('Type')!r}")
    uri = str(props.get("AuthorizerUri", ""))
    sources = split_identity_sources(str(props["IdentitySource"])) if props.get("IdentitySource") else ()
    expression = props.get("IdentityValidationExpression")
    authorizer = Authorizer(
        ident, name, kind,
        function_arn_of(uri) if kind != "COGNITO_USER_POOLS" else None, uri,
        None if props.get("AuthorizerCredentials") is None else str(props["AuthorizerCredentials"]), sources,
        None if expression is None else str(expression),
        ttl_of(props.get("AuthorizerResultTtlInSeconds"), keys + ("AuthorizerResultTtlInSeconds",)),
        _strings(props.get("ProviderARNs"), keys + ("ProviderARNs",)), None, location)
    return check_authorizer(authorizer, keys)


def cfn_method_auth(props: dict[str, Any], keys: Keys, authorizers: dict[str, Authorizer]) -> MethodAuth:
    """A Method's AuthorizationType, AuthorizerId (a `Ref` to one of `authorizers`, keyed by logical id, or its
    id), AuthorizationScopes and ApiKeyRequired (properties resolved except AuthorizerId)."""
    kind = str(props.get("AuthorizationType", "NONE")).upper()
    if kind not in AUTHORIZATION_TYPES:
        raise InvalidDefinition(keys + ("AuthorizationType",), f"AuthorizationType must be NONE, AWS_IAM, CUSTOM or "
                                f"COGNITO_USER_POOLS, got {props.get('AuthorizationType')!r}")
    authorizer: Authorizer | None = None
    if kind in ("CUSTOM", "COGNITO_USER_POOLS"):
        given = props.get("AuthorizerId")
        target = given.get("Ref") if isinstance(given, dict) else given
        authorizer = authorizers.get(str(target)) or next(
            (a for a in authorizers.values() if a.id == str(target)), None)
        if authorizer is None:   # API Gateway's own message for a missing or unknown authorizer
            raise InvalidDefinition(keys + ("AuthorizerId",), "Invalid authorizer ID specified. Setting the "
                                    "authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid "
                                    f"authorizer (got {target!r})")
        if (authorizer.type == "COGNITO_USER_POOLS") != (kind == "COGNITO_USER_POOLS"):
            raise InvalidDefinition(keys + ("AuthorizationType",), f"AuthorizationType {kind} does not fit "
                                    f"authorizer {authorizer.name} of type {authorizer.type}")
    scopes = _strings(props.get("AuthorizationScopes"), keys + ("AuthorizationScopes",))
    return MethodAuth(kind, authorizer.id if authorizer else None,
                      scopes if kind == "COGNITO_USER_POOLS" else (), _flag(props.get("ApiKeyRequired")))
