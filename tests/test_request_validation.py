"""auth/request_validation.py: required parameters, then the body against its JSON Schema draft 4 model, with the
exact 400 bodies (aws-auth.md §5; cases from LocalStack's AWS-validated snapshots, LS-snap-common)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from lambdagate import errors
from lambdagate.auth.request_validation import validate
from lambdagate.definition.model.auth import MethodRequest, Model, RequestValidator
from lambdagate.definition.model.restapi import Api, Integration, Method, Resource, Stage
from lambdagate.definition.validators import model_url, with_built_ins
from lambdagate.exchange import HttpRequest

USER = Model("User", {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
                      "required": ["email", "password"], "properties": {
                          "email": {"type": "string"}, "password": {"type": "string"},
                          "address": {"$ref": model_url("abcdef1234", "Address")}}})
ADDRESS = Model("Address", {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}})
BOTH = RequestValidator("v1", "all", True, True)
REQUEST = MethodRequest("v1", (("method.request.querystring.qs1", True), ("method.request.header.x-header-param", True),
                               ("method.request.path.issuer", True), ("method.request.querystring.optional", False)),
                        (("application/json", "User"),))
METHOD = Method("POST", Integration("aws_proxy", ""), request=REQUEST)
API = Api("Api", "api", "abcdef1234", Stage("prod", "d"), (Resource("r", "/users", {"POST": METHOD}),),
          request_validators=(BOTH, RequestValidator("v2", "body", True, False)),
          models=with_built_ins([USER, ADDRESS]))
GOOD = b'{"email": "a@b.c", "password": "x"}'


def request(query: str | None = "qs1=1", headers: tuple[tuple[str, str], ...] = (("X-Header-Param", "v"),),
            body: bytes = GOOD, content_type: str | None = "application/json") -> HttpRequest:
    if content_type:
        headers += (("Content-Type", content_type),)
    return HttpRequest("POST", "/users", query, headers, body, "127.0.0.1", 3000, 0.0)


def refused(req: HttpRequest, method: Method = METHOD, path: dict[str, str] | None = None) -> errors.GatewayError:
    with pytest.raises(errors.GatewayError) as info:
        validate(API, method, req, path if path is not None else {"issuer": "me"})
    return info.value


@pytest.mark.parametrize(("req", "path", "names"), [
    (request(None, ()), {}, "x-header-param, issuer, qs1"),
    (request("qs1="), None, "qs1"),
    (request(headers=(("x-header-param", " "),)), None, "x-header-param"),
    (request(), {}, "issuer"),
], ids=["sec5-REC-all-missing-ordered-by-key", "sec5-DOC-blank-query", "sec5-DOC-blank-header",
        "sec5-REC-path-not-in-resource"])
def test_missing_parameters(req: HttpRequest, path: dict[str, str] | None, names: str) -> None:
    error = refused(req, path=path)
    assert (error.status, error.error_type, error.response_type) == (400, "BadRequestException",
                                                                     "BAD_REQUEST_PARAMETERS")
    assert error.body == b'{"message":"Missing required request parameters: [' + names.encode() + b']"}'


def test_parameters_are_reported_before_a_bad_body() -> None:
    """sec5-REC: both fail, only the parameters are reported."""
    assert refused(request(None, body=b"{}")).response_type == "BAD_REQUEST_PARAMETERS"


@pytest.mark.parametrize(("body", "content_type", "detail"), [
    (b'{"email": "a@b.c"}', "application/json", 'object has missing required properties (["password"])'),
    (b"{}", "application/json; charset=utf-8", 'object has missing required properties (["email","password"])'),
    (b"", "application/json", "Unknown error parsing request body"),
    (b"{oops", None, "Unknown error parsing request body"),
    (b'{"email": "a", "password": "b", "address": {}}', "application/json",
     'object has missing required properties (["city"])'),
], ids=["sec5-REC-missing-property", "sec5-REC-content-type-parameters-ignored", "sec5-REC-empty-body",
        "sec5-REC-no-content-type-means-json", "sec5-REC-ref-to-another-model"])
def test_invalid_body(body: bytes, content_type: str | None, detail: str) -> None:
    error = refused(request(body=body, content_type=content_type))
    assert (error.status, error.body, error.error_type, error.response_type) == (
        400, b'{"message":"Invalid request body"}', "BadRequestException", "BAD_REQUEST_BODY")
    ct = (content_type or "application/json").split(";")[0]
    assert error.log_lines == [f"Request body does not match model schema for content type {ct}: [{detail}]"]
    assert error.validation_error == f"[{detail}]"


def test_passing_requests_and_what_is_not_validated() -> None:
    validate(API, METHOD, request(), {"issuer": "me"})
    validate(API, METHOD, request(body=b"not json", content_type="text/plain"), {"issuer": "me"})   # no model
    validate(API, replace(METHOD, request=replace(REQUEST, validator_id=None)), request(None, ()), {})
    body_only = replace(METHOD, request=replace(REQUEST, validator_id="v2"))
    validate(API, body_only, request(None, ()), {})
    empty = replace(METHOD, request=replace(REQUEST, models=(("application/json", "Empty"),)))
    validate(API, empty, request(body=b""), {"issuer": "me"})


def test_validation_error_string_reaches_custom_gateway_responses() -> None:
    from lambdagate.context_variables import request_context
    from lambdagate.exchange import Exchange, RequestIds

    def context(error: errors.GatewayError) -> dict[str, str]:
        x = Exchange(request(), RequestIds("rid", "ext", "Root=1-a-b"), "us-east-1", error=error)
        return request_context(x, "123456789012")

    refusal = context(refused(request(body=b"{}")))
    assert refusal["error.validationErrorString"] == '[object has missing required properties (["email","password"])]'
    assert json.loads(refusal["error.messageString"]) == "Invalid request body"
    assert context(errors.implicit_deny())["error.message"] == "User is not authorized to access this resource"
    assert context(errors.authorizer_configuration_error())["error.messageString"] == "null"
