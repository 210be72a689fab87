"""MOCK integrations, as CORS preflights use them: API Gateway answers by itself, from the integration's request
template (which picks the status code) and the selected integration response (headers, body template).

Only static templates are emulated: a template with Velocity logic (`$` or `#` directives) is a limitation that
lambdagate names (501), never a silent mis-answer.

A request API Gateway treats as binary cannot go through a MOCK integration's request template (fact sheet
§10.16): with `BinaryMediaTypes: ['*/*']` every CORS preflight answers 500, as on AWS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import errors
from .definition.model.restapi import Integration, IntegrationResponse
from .errors import GatewayError
from .exchange import HttpRequest
from .media import matches_binary_type

_STATUS = re.compile(r'"statusCode"\s*:\s*(\d+)')


class Unsupported(Exception):
    """The MOCK integration needs mapping-template logic lambdagate does not run."""


@dataclass(frozen=True)
class MockResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    request_template: str              # the texts the execution log shows
    response_template: str


def json_template(templates: tuple[tuple[str, str], ...]) -> str | None:
    """The application/json template (API Gateway's default content type), else the first (mapping templates and
    gateway response templates alike)."""
    for content_type, template in templates:
        if content_type == "application/json":
            return template
    return templates[0][1] if templates else None


def _static(text: str, what: str) -> str:
    if "$" in text or "#" in text:
        raise Unsupported(f"{what} uses Velocity (VTL) logic, which lambdagate does not run")
    return text


def _selected(integration: Integration, status: int) -> IntegrationResponse:
    default = None
    for response in integration.responses:
        if response.selection_pattern in ("", "default"):
            default = default or response
        elif re.fullmatch(response.selection_pattern, str(status)):
            return response
    if default is None:
        raise Unsupported("no integration response matches the MOCK integration's status code")
    return default


def _parameter(expression: str, request: HttpRequest) -> str | None:
    """`'literal'` or `method.request.header.X` (the two forms CORS set-ups use)."""
    if len(expression) >= 2 and expression[0] == expression[-1] == "'":
        return expression[1:-1]
    if expression.startswith("method.request.header."):
        return request.header(expression[len("method.request.header."):])
    raise Unsupported(f"the response parameter expression {expression!r} is not emulated")


def respond(integration: Integration, request: HttpRequest) -> MockResponse:
    request_template = _static(json_template(integration.request_templates) or "", "the request template")
    found = _STATUS.search(request_template)
    status = int(found.group(1)) if found else 200
    response = _selected(integration, status)
    headers = []
    for target, expression in response.response_parameters:
        if target.startswith("method.response.header."):
            value = _parameter(expression, request)
            if value is not None:
                headers.append((target[len("method.response.header."):], value))
    body = _static(json_template(response.response_templates) or "", "the response template")
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return MockResponse(response.status_code, headers, body.encode("utf-8"), request_template, body)


DEFAULT_CONTENT_TYPE = "application/json"   # what API Gateway assumes when a request names none (AGDG, §10.16)


def request_failure(integration: Integration, request: HttpRequest,
                    binary_media_types: tuple[str, ...]) -> GatewayError | None:
    """The 500 API Gateway answers, before any template runs, when the request is binary for the API (its
    Content-Type, or application/json when it has none, matches a binary media type) and the MOCK integration has a
    request template to apply without `contentHandling: CONVERT_TO_TEXT` (fact sheet §10.16)."""
    if integration.type != "mock" or not integration.request_templates or \
            integration.content_handling == "CONVERT_TO_TEXT":
        return None
    content_type = request.header("Content-Type") or DEFAULT_CONTENT_TYPE
    if not matches_binary_type(content_type, binary_media_types):
        return None
    return errors.configuration_error(
        f"the request is binary for this API ({content_type} matches BinaryMediaTypes "
        f"{', '.join(binary_media_types)}), so API Gateway cannot apply the MOCK integration's request template; set "
        "the integration's contentHandling to CONVERT_TO_TEXT, or list only the binary types the API really sends",
        errors.UNABLE_TO_TRANSFORM_REQUEST_LINE)
