"""An API's authorizers, request validators, models and API key source gathered from wherever its definition
declares them (an OpenAPI document, CloudFormation resources, SAM's `Auth`), and set on its methods.

The loaders call it in three steps: `read_openapi(document, methods, ...)` for a definition's document, their own
per-method additions, then `complete(api)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from . import auth, validators
from .model.auth import ApiKeySource, Authorizer, Model, RequestValidator
from .model.location import Location
from .model.restapi import HTTP_METHODS, Api, Method
from .openapi import ANY_METHOD_KEY, InvalidDefinition, Keys


@dataclass
class ApiSecurity:
    api_id: str
    authorizers: dict[str, Authorizer] = field(default_factory=dict)          # by name
    request_validators: dict[str, RequestValidator] = field(default_factory=dict)
    models: list[Model] = field(default_factory=list)
    api_key_source: ApiKeySource = "HEADER"

    def read_openapi(self, document: dict[str, Any], methods: dict[str, dict[str, Method]],
                     locate: Callable[[Keys], Location]) -> None:
        """Security schemes, validators, models and API key source of an OpenAPI document, and each operation's
        authorization and method request onto `methods` (as openapi.methods_from_paths made them)."""
        schemes = auth.openapi_schemes(document, self.api_id, locate)
        self.authorizers.update(schemes.authorizers)
        found = validators.openapi_validators(document, self.api_id)
        self.request_validators.update(found)
        self.models += validators.openapi_models(document, self.api_id)
        if auth.API_KEY_SOURCE_KEY in document:
            self.api_key_source = auth.api_key_source(  # type: ignore[assignment]  # checked by api_key_source
                document[auth.API_KEY_SOURCE_KEY], (auth.API_KEY_SOURCE_KEY,))
        paths = document.get("paths") or {}
        for path, item in paths.items() if isinstance(paths, dict) else ():
            if not isinstance(item, dict):
                continue
            for key, operation in item.items():
                verb = "ANY" if key == ANY_METHOD_KEY else key.upper()
                method = methods.get(_normalise(path), {}).get(verb)
                if method is None or (verb not in HTTP_METHODS and verb != "ANY") or not isinstance(operation, dict):
                    continue
                okeys: Keys = ("paths", path, key)
                security = operation["security"] if "security" in operation else document.get("security")
                request = validators.openapi_method_request(document, item, operation, okeys, found, self.api_id,
                                                            self.models, f"{verb} {path}")
                methods[_normalise(path)][verb] = replace(
                    method, auth=auth.openapi_method_auth(security, schemes, okeys + ("security",)), request=request)

    def complete(self, api: Api) -> Api:
        return replace(api, authorizers=tuple(self.authorizers.values()), api_key_source=self.api_key_source,
                       request_validators=tuple(self.request_validators.values()),
                       models=validators.with_built_ins(self.models))


def _normalise(path: str) -> str:
    return "/" + "/".join(p for p in path.split("/") if p)


__all__ = ["ApiSecurity", "InvalidDefinition"]

