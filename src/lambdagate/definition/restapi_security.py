"""The CloudFormation side of an `AWS::ApiGateway::RestApi`'s security: its `AWS::ApiGateway::Authorizer`,
`RequestValidator` and `Model` resources, its `ApiKeySourceType`, and each Method's authorization and method request
(definition/auth.py and definition/validators.py say what each property means)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import auth, validators
from .model.auth import Model, RequestValidator
from .model.restapi import Method
from .openapi import InvalidDefinition
from .resource_ids import authorizer_id, request_validator_id
from .security import ApiSecurity
from .stack import Keys, Stack

AUTHORIZER = "AWS::ApiGateway::Authorizer"
REQUEST_VALIDATOR = "AWS::ApiGateway::RequestValidator"
MODEL = "AWS::ApiGateway::Model"
API_TYPES = ("AWS::ApiGateway::RestApi", "AWS::Serverless::Api")


def ref(stack: Stack, logical_id: str) -> str | None:
    """`Ref` of an authorizer or validator is its id, of a model its name."""
    kind = stack.type_of(logical_id)
    if kind == AUTHORIZER:
        return authorizer_id(stack.o.stack_name, logical_id)
    if kind == REQUEST_VALIDATOR:
        return request_validator_id(stack.o.stack_name, logical_id)
    if kind == MODEL:
        return _model_name(stack, logical_id)
    return None


def _model_name(stack: Stack, logical_id: str) -> str:
    props = stack.properties(logical_id)
    return stack.string(props["Name"], ("Resources", logical_id, "Properties", "Name")) if "Name" in props \
        else logical_id


def _of_api(stack: Stack, logical_id: str, api: str) -> bool:
    keys: Keys = ("Resources", logical_id, "Properties", "RestApiId")
    props = stack.properties(logical_id)
    if "RestApiId" not in props:
        raise stack.t.error(keys[:-1], f"{stack.type_of(logical_id)} needs RestApiId")
    return stack.logical_id_of(props["RestApiId"], API_TYPES, keys) == api


def rest_api_security(stack: Stack, api: str, api_id: str) -> ApiSecurity:
    """The API's security resources (an OpenAPI Body's are added by ApiSecurity.read_openapi)."""
    security = ApiSecurity(api_id)
    props = stack.properties(api)
    try:
        if "ApiKeySourceType" in props:
            keys: Keys = ("Resources", api, "Properties", "ApiKeySourceType")
            security.api_key_source = auth.api_key_source(  # type: ignore[assignment]  # checked there
                stack.resolve(props["ApiKeySourceType"], keys), keys)
        for logical_id in stack.logical_ids(AUTHORIZER, REQUEST_VALIDATOR, MODEL):
            if not _of_api(stack, logical_id, api):
                continue
            keys = ("Resources", logical_id, "Properties")
            spec = stack.resolve(stack.properties(logical_id), keys)
            kind = stack.type_of(logical_id)
            if kind == AUTHORIZER:
                name = str(spec.get("Name") or logical_id)
                security.authorizers[logical_id] = auth.cfn_authorizer(
                    name, authorizer_id(stack.o.stack_name, logical_id), spec, keys,
                    stack.location("Resources", logical_id))
            elif kind == REQUEST_VALIDATOR:
                name = str(spec.get("Name") or logical_id)
                security.request_validators[logical_id] = RequestValidator(
                    request_validator_id(stack.o.stack_name, logical_id), name,
                    spec.get("ValidateRequestBody") in (True, "true"),
                    spec.get("ValidateRequestParameters") in (True, "true"))
            else:
                schema = validators.schema_of(spec.get("Schema", {}), keys + ("Schema",))
                security.models.append(Model(
                    _model_name(stack, logical_id), validators.model_refs(schema, api_id),
                    str(spec.get("ContentType") or "application/json"), stack.location("Resources", logical_id)))
    except InvalidDefinition as e:
        raise stack.t.error(e.keys, e.message) from None
    return security


_METHOD_PROPERTIES = ("AuthorizationType", "AuthorizationScopes", "ApiKeyRequired", "RequestParameters",
                      "RequestModels")


def _target(stack: Stack, value: Any, keys: Keys) -> str:
    """The logical id a `!Ref X` / `!GetAtt X.Attr` names, else the resolved text (an id)."""
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        return str(att.split(".", 1)[0] if isinstance(att, str) else att[0])
    return stack.string(value, keys)


def secured_method(stack: Stack, method: Method, props: dict[str, Any], keys: Keys, security: ApiSecurity) -> Method:
    """A Method resource's AuthorizationType, AuthorizerId, AuthorizationScopes, ApiKeyRequired, RequestValidatorId,
    RequestParameters and RequestModels on `method`."""
    plain = {k: stack.resolve(props[k], keys + (k,)) for k in _METHOD_PROPERTIES if k in props}
    plain.update({k: _target(stack, props[k], keys + (k,)) for k in ("AuthorizerId", "RequestValidatorId")
                  if k in props})
    try:
        method_auth = auth.cfn_method_auth(plain, keys, security.authorizers)
        validator_ids = {logical_id: v.id for logical_id, v in security.request_validators.items()}
        request = validators.cfn_method_request(plain, keys, validator_ids, lambda value, _keys: value)
    except InvalidDefinition as e:
        raise stack.t.error(e.keys, e.message) from None
    return replace(method, auth=method_auth, request=request)
