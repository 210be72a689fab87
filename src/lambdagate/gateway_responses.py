"""Customised gateway responses (AGDG api-gateway-gatewayResponse-definition.md, supported-gateway-response-types.md;
fact sheet §3.1): an error answer takes the status, headers and body template of the API's gateway response for
its type, else of DEFAULT_4XX or DEFAULT_5XX by its class. Types nobody customised keep their exact default bytes.

- `statusCode` replaces the status; on DEFAULT_4XX/5XX it changes every response of that class not customised by
  type. The 413 for an oversized request is not a gateway response and cannot be customised (§10.2a).
- `responseParameters` `gatewayresponse.header.<Name>`: a quoted literal, `method.request.header|querystring|path.X`,
  `stageVariables.X` or `context.X`.
- `responseTemplates`: the `application/json` template (else the first), with `$context.*` and `$stageVariables.*`.
"""

from __future__ import annotations

from .context_variables import render, request_context
from .definition.model.restapi import Api, GatewayResponse
from .errors import LIMITATION, GatewayError
from .events import query_parameters
from .exchange import Exchange, HttpResponse
from .mock import json_template

NOT_CUSTOMISABLE = frozenset({"REQUEST_TOO_LARGE", LIMITATION})


def _find(api: Api, error: GatewayError) -> tuple[GatewayResponse | None, GatewayResponse | None]:
    """(the response for the error's own type, the DEFAULT_4XX/5XX one of its class)."""
    by_type = {r.response_type: r for r in api.gateway_responses}
    default = by_type.get("DEFAULT_5XX" if error.status >= 500 else "DEFAULT_4XX")
    return by_type.get(error.response_type), default


def _parameter(expression: str, x: Exchange, context: dict[str, str], api: Api) -> str | None:
    if len(expression) >= 2 and expression[0] == expression[-1] == "'":
        return expression[1:-1]
    source, _, name = expression.partition(".")
    if source == "method" and name.startswith("request."):
        kind, _, key = name[len("request."):].partition(".")
        if kind == "header":
            return x.request.header(key)
        if kind == "querystring":
            return dict(query_parameters(x.request.raw_query)).get(key)
        if kind == "path" and x.match is not None and x.match.path_parameters:
            return x.match.path_parameters.get(key)
        return None
    if source == "stageVariables":
        return api.stage.variables.get(name)
    if source == "context":
        return context.get(name)
    return None


def customise(error: GatewayError, api: Api | None, x: Exchange, account_id: str,
              response: HttpResponse) -> HttpResponse:
    """The default answer `response`, changed as the API's gateway responses say."""
    if api is None or not api.gateway_responses or error.response_type in NOT_CUSTOMISABLE:
        return response
    own, default = _find(api, error)
    if own is None and default is None:
        return response
    context = request_context(x, account_id)
    status = response.status
    for chosen in (default, own):  # the type's own settings win over its class's
        if chosen is not None and chosen.status_code is not None:
            status = chosen.status_code
    headers = list(response.headers)
    body = response.body
    for chosen in (default, own):
        if chosen is None:
            continue
        for target, expression in chosen.response_parameters:
            if target.startswith("gatewayresponse.header."):
                value = _parameter(expression, x, context, api)
                if value is not None:
                    name = target[len("gatewayresponse.header."):]
                    headers = [(n, v) for n, v in headers if n.lower() != name.lower()] + [(name, value)]
    template = _template(own) if own is not None and own.response_templates else _template(default)
    if template is not None:
        body = render(template, context, api.stage.variables, missing="").encode("utf-8")
    return HttpResponse(status, headers, body)


def _template(response: GatewayResponse | None) -> str | None:
    return json_template(response.response_templates) if response is not None else None
