"""Request validators, models and a method's required parameters (aws-auth.md §5), as CloudFormation and OpenAPI
declare them:

- `AWS::ApiGateway::RequestValidator` (`Name`, `ValidateRequestBody`, `ValidateRequestParameters`; `Ref` is its id),
  `AWS::ApiGateway::Model` (`Name`, `ContentType`, `Schema` as an object or JSON text; `Ref` is its name), a
  Method's `RequestValidatorId`, `RequestParameters` (`method.request.<header|querystring|path>.<name>: true` =
  required) and `RequestModels` (content type -> model name);
- OpenAPI: `x-amazon-apigateway-request-validators` ({name: {validateRequestBody, validateRequestParameters}}) and
  `x-amazon-apigateway-request-validator` at the root (the default) or on an operation; parameters `in` path, query
  or header with `required`; the body schema of Swagger 2's `in: body` parameter (for each `consumes` type, default
  application/json) or of OAS3's `requestBody.content`; models from `definitions` / `components.schemas`, whose
  `#/definitions/X` references become model URLs as API Gateway's import writes them ([REC] LS-snap-import).
Every API has the models `Empty` and `Error` (AGDG models-mappings-models).
"""

from __future__ import annotations

import json
import re
from typing import Any

from .model.auth import MethodRequest, Model, RequestValidator
from .model.restapi import Method
from .openapi import InvalidDefinition, Keys
from .resource_ids import request_validator_id

VALIDATORS_KEY = "x-amazon-apigateway-request-validators"
VALIDATOR_KEY = "x-amazon-apigateway-request-validator"
PARAMETER_LOCATIONS = {"path": "path", "query": "querystring", "header": "header"}
_PARAMETER = re.compile(r"^method\.request\.(header|querystring|path)\.(.+)$")
_LOCAL_REF = re.compile(r"^#/(?:definitions|components/schemas)/(.+)$")
BUILT_IN_MODELS = (
    Model("Empty", {"$schema": "http://json-schema.org/draft-04/schema#", "title": "Empty Schema", "type": "object"}),
    Model("Error", {"$schema": "http://json-schema.org/draft-04/schema#", "title": "Error Schema", "type": "object",
                    "properties": {"message": {"type": "string"}}}),
)



def model_url(api_id: str, name: str) -> str:
    """The URL a `$ref` to a model of the API becomes on import (aws-auth.md §5)."""
    return f"https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"

def with_built_ins(models: list[Model]) -> tuple[Model, ...]:
    names = {m.name for m in models}
    return tuple(models) + tuple(m for m in BUILT_IN_MODELS if m.name not in names)


def check_parameter(name: str) -> str | None:
    """Why API Gateway refuses this request parameter name, or None."""
    if _PARAMETER.match(name):
        return None
    return f"request parameter {name!r} is not method.request.header|querystring|path.<name>"


def schema_of(value: Any, keys: Keys) -> dict[str, Any]:
    """A model's schema: an object, or JSON text (CloudFormation accepts both)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as e:
            raise InvalidDefinition(keys, f"the model's schema is not JSON: {e}") from None
    if not isinstance(value, dict):
        raise InvalidDefinition(keys, "a model's schema is a JSON Schema (draft 4) object")
    return value


def model_refs(schema: Any, api_id: str) -> Any:
    """`#/definitions/X` and `#/components/schemas/X` as API Gateway's import rewrites them: model URLs."""
    if isinstance(schema, dict):
        out = {}
        for k, v in schema.items():
            m = _LOCAL_REF.match(v) if k == "$ref" and isinstance(v, str) else None
            out[k] = model_url(api_id, m.group(1)) if m else model_refs(v, api_id)
        return out
    if isinstance(schema, list):
        return [model_refs(v, api_id) for v in schema]
    return schema


# -- OpenAPI ---------------------------------------------------------------------------------------------------
def openapi_validators(document: dict[str, Any], api_id: str) -> dict[str, RequestValidator]:
    spec = document.get(VALIDATORS_KEY) or {}
    if not isinstance(spec, dict):
        raise InvalidDefinition((VALIDATORS_KEY,), "expected {name: {validateRequestBody, validateRequestParameters}}")
    out = {}
    for name, entry in spec.items():
        if not isinstance(entry, dict):
            raise InvalidDefinition((VALIDATORS_KEY, name), "expected {validateRequestBody, "
                                    "validateRequestParameters}")
        out[str(name)] = RequestValidator(request_validator_id(api_id, str(name)), str(name),
                                          _flag(entry.get("validateRequestBody")),
                                          _flag(entry.get("validateRequestParameters")))
    return out


def openapi_models(document: dict[str, Any], api_id: str) -> list[Model]:
    components = document.get("components")
    schemas = document.get("definitions") or (components.get("schemas") if isinstance(components, dict) else None)
    keys: Keys = ("definitions",) if "definitions" in document else ("components", "schemas")
    if schemas is None:
        return []
    if not isinstance(schemas, dict):
        raise InvalidDefinition(keys, "expected {model name: JSON Schema}")
    return [Model(str(name), model_refs(schema_of(schema, keys + (name,)), api_id)) for name, schema in
            schemas.items()]


def openapi_method_request(document: dict[str, Any], path_item: dict[str, Any], operation: dict[str, Any],
                           keys: Keys, validators: dict[str, RequestValidator], api_id: str,
                           inline: list[Model], name_hint: str) -> MethodRequest:
    """The method request of one operation; a body schema given inline becomes a model named after the method."""
    chosen = operation.get(VALIDATOR_KEY, document.get(VALIDATOR_KEY))
    validator_id = None
    if chosen is not None:
        if str(chosen) not in validators:
            where = keys + (VALIDATOR_KEY,) if VALIDATOR_KEY in operation else (VALIDATOR_KEY,)
            raise InvalidDefinition(where, f"request validator {chosen!r} is not defined in {VALIDATORS_KEY} "
                                    f"({', '.join(validators) or 'none defined'})")
        validator_id = validators[str(chosen)].id
    parameters: dict[str, bool] = {}
    models: list[tuple[str, str]] = []
    for source, pkeys in ((path_item.get("parameters"), keys[:-1] + ("parameters",)),
                          (operation.get("parameters"), keys + ("parameters",))):
        for i, parameter in enumerate(source or []):
            parameter = _deref(document, parameter)
            if not isinstance(parameter, dict):
                continue
            location = parameter.get("in")
            if location in PARAMETER_LOCATIONS:
                key = f"method.request.{PARAMETER_LOCATIONS[location]}.{parameter.get('name')}"
                parameters[key] = location == "path" or parameter.get("required") is True
            elif location == "body" and "schema" in parameter:
                types = operation.get("consumes") or document.get("consumes") or ["application/json"]
                name = _model_name(parameter["schema"], inline, api_id, name_hint, pkeys + (i, "schema"))
                models += [(str(t), name) for t in types]
    body = _deref(document, operation.get("requestBody"))
    if isinstance(body, dict) and isinstance(body.get("content"), dict):
        for content_type, media in body["content"].items():
            if isinstance(media, dict) and "schema" in media:
                models.append((str(content_type), _model_name(media["schema"], inline, api_id, name_hint,
                                                             keys + ("requestBody", "content", content_type))))
    return MethodRequest(validator_id, tuple(parameters.items()), tuple(models))


def _deref(document: dict[str, Any], value: Any) -> Any:
    """`{"$ref": "#/parameters/X"}` / `#/components/requestBodies/X` to what it names (one level)."""
    if isinstance(value, dict) and isinstance(value.get("$ref"), str) and value["$ref"].startswith("#/"):
        target: Any = document
        for part in value["$ref"][2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        return target
    return value


def _model_name(schema: Any, inline: list[Model], api_id: str, hint: str, keys: Keys) -> str:
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        m = _LOCAL_REF.match(schema["$ref"])
        if m:
            return m.group(1)
    name = re.sub(r"[^A-Za-z0-9]", "", hint.title()) + "Body"
    inline.append(Model(name, model_refs(schema_of(schema, keys), api_id)))
    return name


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


# -- CloudFormation --------------------------------------------------------------------------------------------
def cfn_method_request(props: dict[str, Any], keys: Keys, validator_ids: dict[str, str],
                       resolve: Any) -> MethodRequest:
    """A Method's RequestValidatorId, RequestParameters and RequestModels (already resolved by the caller's
    `resolve(value, keys)`); `validator_ids` maps the validators' logical ids to their ids."""
    validator = None
    if "RequestValidatorId" in props:
        given = props["RequestValidatorId"]
        target = given.get("Ref") if isinstance(given, dict) else given
        if str(target) not in validator_ids and str(target) not in validator_ids.values():
            raise InvalidDefinition(keys + ("RequestValidatorId",), f"{target!r} is not an "
                                    "AWS::ApiGateway::RequestValidator of this API")
        validator = validator_ids.get(str(target), str(target))
    parameters = resolve(props.get("RequestParameters") or {}, keys + ("RequestParameters",))
    if not isinstance(parameters, dict):
        raise InvalidDefinition(keys + ("RequestParameters",), "expected {method.request.<location>.<name>: "
                                "true|false}")
    for name in parameters:
        problem = check_parameter(str(name))
        if problem:
            raise InvalidDefinition(keys + ("RequestParameters", name), problem)
    models = resolve(props.get("RequestModels") or {}, keys + ("RequestModels",))
    if not isinstance(models, dict):
        raise InvalidDefinition(keys + ("RequestModels",), "expected {content type: model name}")
    return MethodRequest(validator, tuple((str(k), _flag(v)) for k, v in parameters.items()),
                         tuple((str(k), str(v)) for k, v in models.items()))


def secured(method: Method, request: MethodRequest) -> Method:
    from dataclasses import replace

    return replace(method, request=request)
