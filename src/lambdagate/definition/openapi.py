"""OpenAPI 3 / Swagger 2 with API Gateway's extensions -> methods, resource tree, gateway responses.

The extensions read (AGDG api-gateway-swagger-extensions*.md): `x-amazon-apigateway-integration` (type, uri,
httpMethod, timeoutInMillis, credentials, requestParameters, requestTemplates, responses, contentHandling),
`x-amazon-apigateway-any-method`, `x-amazon-apigateway-binary-media-types` and
`x-amazon-apigateway-gateway-responses` (statusCode, responseParameters, responseTemplates). Both document kinds
carry them in the same places. Paths are relative to the stage: on import, `basePath` is ignored unless asked
otherwise (AGDG api-gateway-import-api-basePath.md); in an export it names the exported stage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .model.location import Location
from .model.restapi import HTTP_METHODS, GatewayResponse, Integration, IntegrationResponse, Method, Resource, Stage
from .resource_ids import resource_id
from .stages import substitute

ANY_METHOD_KEY = "x-amazon-apigateway-any-method"
INTEGRATION_KEY = "x-amazon-apigateway-integration"
BINARY_TYPES_KEY = "x-amazon-apigateway-binary-media-types"
GATEWAY_RESPONSES_KEY = "x-amazon-apigateway-gateway-responses"
_FUNCTION_IN_URI = re.compile(r":lambda:path/[^/]+/functions/(.+)/invocations$")

Keys = tuple[str | int, ...]
Locate = Callable[[Keys], Location]


class InvalidDefinition(ValueError):
    """A value API Gateway would not import; `keys` lead to it from the document's root."""

    def __init__(self, keys: Keys, message: str) -> None:
        super().__init__(message)
        self.keys = keys
        self.message = message


def function_arn_of(uri: str) -> str | None:
    """`arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations` -> the ARN."""
    m = _FUNCTION_IN_URI.search(uri)
    return m.group(1) if m else None


def integration_from(spec: dict[str, Any], stage_variables: dict[str, str], keys: Keys = (),
                     missing: list[str] | None = None) -> Integration:
    """One `x-amazon-apigateway-integration` object; `${stageVariables.x}` is replaced for the served stage and the
    names it does not define are added to `missing`."""
    uri, undefined = substitute(str(spec.get("uri", "")), stage_variables)
    if missing is not None:
        missing.extend(undefined)
    return Integration(
        type=str(spec.get("type", "")).lower(),
        uri=uri,
        http_method=str(spec.get("httpMethod", "POST")).upper(),
        timeout_ms=_int(spec.get("timeoutInMillis", 29000), keys + ("timeoutInMillis",)),
        credentials=None if spec.get("credentials") is None else str(spec["credentials"]),
        function_arn=function_arn_of(uri),
        request_parameters=_pairs(spec.get("requestParameters"), keys + ("requestParameters",)),
        request_templates=_pairs(spec.get("requestTemplates"), keys + ("requestTemplates",)),
        responses=tuple(_integration_response(pattern, r, keys + ("responses", pattern))
                        for pattern, r in mapping_of(spec.get("responses"), keys + ("responses",)).items()),
        content_handling=None if spec.get("contentHandling") is None else str(spec["contentHandling"]),
    )


def _integration_response(pattern: str, spec: Any, keys: Keys) -> IntegrationResponse:
    """`responses` is keyed by selection pattern; `default` is the default response."""
    if not isinstance(spec, dict):
        raise InvalidDefinition(keys, "an integration response is {statusCode, responseParameters, ...}")
    return IntegrationResponse(_int(spec.get("statusCode", 200), keys + ("statusCode",)), str(pattern),
                               _pairs(spec.get("responseParameters"), keys + ("responseParameters",)),
                               _pairs(spec.get("responseTemplates"), keys + ("responseTemplates",)))


def gateway_responses(spec: Any, keys: Keys) -> tuple[GatewayResponse, ...]:
    """`x-amazon-apigateway-gateway-responses`: {RESPONSE_TYPE: {statusCode, responseParameters, responseTemplates}};
    exports write statusCode as a number or a string."""
    out = []
    for response_type, entry in mapping_of(spec, keys).items():
        if not isinstance(entry, dict):
            raise InvalidDefinition(keys + (response_type,), "expected {statusCode, responseParameters, ...}")
        status = entry.get("statusCode")
        out.append(GatewayResponse(
            str(response_type), None if status is None else _int(status, keys + (response_type, "statusCode")),
            _pairs(entry.get("responseParameters"), keys + (response_type, "responseParameters")),
            _pairs(entry.get("responseTemplates"), keys + (response_type, "responseTemplates"))))
    return tuple(out)


def methods_from_paths(paths: Any, stage: Stage, locate: Locate, keys: Keys,
                       warnings: list[str] | None = None) -> dict[str, dict[str, Method]]:
    """{resource path: {verb: Method}} from an OpenAPI `paths` object, as `stage` serves it."""
    out: dict[str, dict[str, Method]] = {}
    for path, operations in mapping_of(paths, keys).items():
        if not isinstance(operations, dict):
            continue
        for key, operation in operations.items():
            verb = "ANY" if key == ANY_METHOD_KEY else key.upper()
            if verb not in HTTP_METHODS and verb != "ANY":
                continue   # `parameters`, `summary`, other extensions of the path item
            spec = operation.get(INTEGRATION_KEY) if isinstance(operation, dict) else None
            okeys = keys + (path, key, INTEGRATION_KEY)
            missing: list[str] = []
            integration = (integration_from(spec, stage.variables, okeys, missing) if isinstance(spec, dict)
                           else Integration(type="none", uri=""))
            if missing and warnings is not None:
                warnings.append(f"{locate(okeys)}: {verb} {path}: {missing_variables(stage, missing)}")
            out.setdefault(_normalise(path), {})[verb] = Method(verb, integration, locate(keys + (path, key)))
    return out


def missing_variables(stage: Stage, names: list[str]) -> str:
    return f"stage {stage.name!r} has no stage variable {', '.join(sorted(set(names)))} (used in the integration URI)"


def resource_tree(api_id: str, methods: dict[str, dict[str, Method]]) -> tuple[Resource, ...]:
    """Every resource of the API, ancestors included (they exist in API Gateway even without methods)."""
    paths = {"/"}
    for path in methods:
        parts = [p for p in path.split("/") if p]
        for i in range(1, len(parts) + 1):
            paths.add("/" + "/".join(parts[:i]))
    return tuple(Resource(resource_id(api_id, p), p, dict(methods.get(p, {}))) for p in sorted(paths))


def binary_media_types(document: dict[str, Any], keys: Keys) -> list[str]:
    value = document.get(BINARY_TYPES_KEY) or []
    if not isinstance(value, list):
        raise InvalidDefinition(keys + (BINARY_TYPES_KEY,), "expected a list of media types")
    return [str(v) for v in value]


def _normalise(path: str) -> str:
    return "/" + "/".join(p for p in path.split("/") if p)


def mapping_of(value: Any, keys: Keys) -> dict[str, Any]:
    """An OpenAPI field that must be a mapping, its keys as strings; {} when absent."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidDefinition(keys, "expected a mapping")
    return {str(k): v for k, v in value.items()}


def _pairs(value: Any, keys: Keys) -> tuple[tuple[str, str], ...]:
    return tuple((k, str(v)) for k, v in mapping_of(value, keys).items())


def _int(value: Any, keys: Keys) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidDefinition(keys, f"expected a whole number, got {value!r}") from None
