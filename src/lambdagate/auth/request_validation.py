"""A method's request validator (aws-auth.md §5): required parameters first, then the body against its model.

Parameters (`validateRequestParameters`): a required header, query string or path parameter that is absent or
blank is missing; all missing names are reported in one message, ordered by their `method.request.<location>.<name>`
key (headers, then path, then query strings), names as configured ([REC] LS-snap-common). A required path parameter
that is not in the resource path is always missing [REC]. Header names match case-insensitively [UNCERTAIN]. When
parameters and body both fail, only the parameters are reported [REC].

Body (`validateRequestBody`): the model is chosen by the request's `Content-Type` (parameters ignored), and with no
`Content-Type` as `application/json` ([REC] LS-snap-common); a content type without a model is not validated
([REC-ish]) unless a `$default` model is mapped ([IMPL] LocalStack). The body is parsed as JSON; an empty or non-JSON
body fails with `[Unknown error parsing request body]` ([REC] 2021 console capture: AWS does not read an empty body
as `{}`). Models are JSON Schema draft 4 and may
`$ref` other models of the API as `https://apigateway.amazonaws.com/restapis/<apiId>/models/<Model>` [REC]. The
built-in `Empty` model is not validated ([IMPL] LocalStack; [UNCERTAIN]).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from .. import errors
from ..definition.model.restapi import Api, Method
from ..definition.validators import model_url
from ..events import query_parameters
from ..exchange import HttpRequest

DEFAULT_CONTENT_TYPE = "application/json"
EMPTY_MODEL = "Empty"
DEFAULT_MODEL_KEY = "$default"   # the model for content types that have none of their own ([IMPL] LS-impl)


def missing_parameters(method: Method, request: HttpRequest, path_parameters: Mapping[str, str] | None) -> list[str]:
    query = dict(query_parameters(request.raw_query))
    missing = []
    for key, required in sorted(method.request.parameters):
        if not required:
            continue
        _, _, rest = key.partition("method.request.")
        location, _, name = rest.partition(".")
        if location == "header":
            value = request.header(name)
        elif location == "querystring":
            value = query.get(name)
        else:
            value = (path_parameters or {}).get(name)
        if not value or not value.strip():
            missing.append(name)
    return missing


def validate(api: Api, method: Method, request: HttpRequest, path_parameters: Mapping[str, str] | None) -> None:
    """Nothing when the request passes (or the method has no validator); else the 400 GatewayError."""
    validator = api.request_validator(method.request.validator_id)
    if validator is None:
        return
    if validator.validate_parameters:
        missing = missing_parameters(method, request, path_parameters)
        if missing:
            raise errors.missing_request_parameters(missing, f"validator {validator.name}: required parameters "
                                                    f"{', '.join(missing)} are missing or blank")
    if validator.validate_body:
        content_type = (request.header("Content-Type") or DEFAULT_CONTENT_TYPE).split(";")[0].strip().lower()
        models = {k.lower(): v for k, v in method.request.models}
        name = models.get(content_type, models.get(DEFAULT_MODEL_KEY))
        if name is None or name == EMPTY_MODEL:
            return
        problems = body_problems(api, name, request.body)
        if problems:
            raise errors.invalid_request_body(content_type, ", ".join(problems),
                                              f"validator {validator.name}: the body does not match model {name}")


def body_problems(api: Api, model_name: str, body: bytes) -> list[str]:
    """What the model refuses in the body, worded as API Gateway's validator words the common cases."""
    model = api.model(model_name)
    if model is None:
        return []
    if not body.strip():
        return [errors.UNKNOWN_BODY_ERROR]
    try:
        document = json.loads(body)
    except ValueError:
        return [errors.UNKNOWN_BODY_ERROR]
    registry: Registry = Registry().with_resources(
        (model_url(api.id, m.name), Resource.from_contents(m.schema, default_specification=DRAFT4))
        for m in api.models)
    validator = Draft4Validator(model.schema, registry=registry)
    found = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.path])
    return list(dict.fromkeys(_describe(e) for e in found))


def _describe(error: ValidationError) -> str:
    """The `required` failure in the wording AWS's validator (json-schema-validator) uses, [REC] 2021 capture:
    `object has missing required properties (["a","b"])`; other failures in jsonschema's words [UNCERTAIN]."""
    if error.validator == "required" and isinstance(error.instance, dict) and isinstance(error.validator_value, list):
        names = [n for n in error.validator_value if n not in error.instance]
        return f"object has missing required properties ({json.dumps(names, separators=(',', ':'))})"
    where = "/" + "/".join(str(p) for p in error.path)
    return f"instance {where} {error.message}" if error.path else error.message
