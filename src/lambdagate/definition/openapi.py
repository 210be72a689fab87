"""OpenAPI/Swagger paths with `x-amazon-apigateway-integration` -> the API's resource tree."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .ids import resource_id
from .model import HTTP_METHODS, Integration, Location, Method, Resource

ANY_METHOD_KEY = "x-amazon-apigateway-any-method"
INTEGRATION_KEY = "x-amazon-apigateway-integration"
BINARY_TYPES_KEY = "x-amazon-apigateway-binary-media-types"
_FUNCTION_IN_URI = re.compile(r":lambda:path/[^/]+/functions/(.+)/invocations$")
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")

Locate = Callable[[tuple[str | int, ...]], Location]


def function_arn_of(uri: str) -> str | None:
    """`arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations` -> the ARN."""
    m = _FUNCTION_IN_URI.search(uri)
    return m.group(1) if m else None


def integration_from(spec: dict[str, Any], stage_variables: dict[str, str]) -> Integration:
    """One `x-amazon-apigateway-integration` object; `${stageVariables.x}` is replaced for the served stage."""
    uri = str(spec.get("uri", ""))
    uri = _STAGE_VARIABLE.sub(lambda m: stage_variables.get(m.group(1), ""), uri)
    timeout = spec.get("timeoutInMillis", 29000)
    return Integration(
        type=str(spec.get("type", "")).lower(),
        uri=uri,
        http_method=str(spec.get("httpMethod", "POST")).upper(),
        timeout_ms=int(timeout),
        credentials=spec.get("credentials"),
        function_arn=function_arn_of(uri),
        request_parameters=tuple((str(k), str(v)) for k, v in (spec.get("requestParameters") or {}).items()),
    )


def methods_from_paths(paths: dict[str, Any], stage_variables: dict[str, str], locate: Locate,
                       keys: tuple[str | int, ...]) -> dict[str, dict[str, Method]]:
    """{resource path: {verb: Method}} from an OpenAPI `paths` object."""
    out: dict[str, dict[str, Method]] = {}
    for path, operations in (paths or {}).items():
        if not isinstance(operations, dict):
            continue
        for key, operation in operations.items():
            verb = "ANY" if key == ANY_METHOD_KEY else key.upper()
            if verb not in HTTP_METHODS and verb != "ANY":
                continue
            spec = operation.get(INTEGRATION_KEY) if isinstance(operation, dict) else None
            integration = (integration_from(spec, stage_variables) if isinstance(spec, dict)
                           else Integration(type="none", uri=""))
            out.setdefault(_normalise(path), {})[verb] = Method(
                verb, integration, locate(keys + (path, key)))
    return out


def resource_tree(api_id: str, methods: dict[str, dict[str, Method]]) -> tuple[Resource, ...]:
    """Every resource of the API, ancestors included (they exist in API Gateway even without methods)."""
    paths = {"/"}
    for path in methods:
        parts = [p for p in path.split("/") if p]
        for i in range(1, len(parts) + 1):
            paths.add("/" + "/".join(parts[:i]))
    return tuple(Resource(resource_id(api_id, p), p, dict(methods.get(p, {}))) for p in sorted(paths))


def _normalise(path: str) -> str:
    return "/" + "/".join(p for p in path.split("/") if p)
