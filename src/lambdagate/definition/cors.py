"""SAM's `Cors` property -> an OPTIONS method with a MOCK integration on every path, as SAM writes it into the
API's OpenAPI document (aws/serverless-application-model `samtranslator/swagger/swagger.py`, `add_cors`, after
AGDG how-to-cors.html): the preflight is answered by API Gateway, the function's own responses are not changed.

- a path that already has OPTIONS is left alone; AllowOrigin is required;
- AllowMethods defaults to the path's methods plus OPTIONS, upper case, sorted, comma-joined (ANY: every method);
- AllowHeaders and MaxAge only when given; Access-Control-Allow-Credentials only when AllowCredentials is true;
- values are API Gateway mapping expressions: literals in single quotes (`"'*'"`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model.location import Location
from .model.restapi import HTTP_METHODS, Integration, IntegrationResponse, Method

# SAM's request template for the MOCK integration and its response template, character for character.
REQUEST_TEMPLATE = '{\n  "statusCode" : 200\n}\n'
RESPONSE_TEMPLATE = "{}\n"


@dataclass(frozen=True)
class Cors:
    allow_origin: str
    allow_headers: str | None = None
    allow_methods: str | None = None
    max_age: str | None = None
    allow_credentials: bool = False


class CorsError(ValueError):
    """A Cors property SAM (or API Gateway) would refuse; the message names the field."""


def _expression(value: Any, field: str) -> str:
    text = str(value)
    if not (len(text) >= 2 and text.startswith("'") and text.endswith("'")):
        raise CorsError(f"Cors.{field}: {text!r} must be quoted as API Gateway expects a literal, e.g. \"'{text}'\"")
    return text


def parse_cors(value: Any) -> Cors | None:
    """The `Cors` property: a string (the allowed origin) or a mapping of AllowOrigin, AllowHeaders, ..."""
    if value is None:
        return None
    if isinstance(value, str):
        return Cors(_expression(value, "AllowOrigin"))
    if not isinstance(value, dict) or "AllowOrigin" not in value:
        raise CorsError("Cors needs AllowOrigin (a quoted origin such as \"'*'\")")
    return Cors(
        _expression(value["AllowOrigin"], "AllowOrigin"),
        _expression(value["AllowHeaders"], "AllowHeaders") if value.get("AllowHeaders") else None,
        _expression(value["AllowMethods"], "AllowMethods") if value.get("AllowMethods") else None,
        _expression(value["MaxAge"], "MaxAge") if value.get("MaxAge") is not None else None,
        value.get("AllowCredentials") is True,
    )


def allowed_methods(verbs: list[str]) -> str:
    names = set(HTTP_METHODS) if "ANY" in verbs else {v.upper() for v in verbs} | {"OPTIONS"}
    return "'" + ",".join(sorted(names)) + "'"


def preflight_method(cors: Cors, verbs: list[str], location: Location) -> Method:
    parameters = [("method.response.header.Access-Control-Allow-Origin", cors.allow_origin)]
    if cors.allow_headers:
        parameters.append(("method.response.header.Access-Control-Allow-Headers", cors.allow_headers))
    parameters.append(("method.response.header.Access-Control-Allow-Methods",
                       cors.allow_methods or allowed_methods(verbs)))
    if cors.max_age is not None:
        parameters.append(("method.response.header.Access-Control-Max-Age", cors.max_age))
    if cors.allow_credentials:
        parameters.append(("method.response.header.Access-Control-Allow-Credentials", "'true'"))
    response = IntegrationResponse(200, "default", tuple(parameters), (("application/json", RESPONSE_TEMPLATE),))
    integration = Integration("mock", "", request_templates=(("application/json", REQUEST_TEMPLATE),),
                              responses=(response,))
    return Method("OPTIONS", integration, location)


def add_preflights(methods: dict[str, dict[str, Method]], cors: Cors, location: Location) -> None:
    """An OPTIONS method on every path that has methods and no OPTIONS of its own."""
    for verbs in methods.values():
        if verbs and "OPTIONS" not in verbs:
            verbs["OPTIONS"] = preflight_method(cors, list(verbs), location)
