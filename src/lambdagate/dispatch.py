"""REST APIs and HTTP APIs on the one port: which pipeline answers a request (docs/http-api-integration.md).

AWS gives every API its own host; lambdagate serves a template's REST and HTTP APIs on one port, as `sam local
start-api` does, so that a front end and its scripts have one base URL. The paths rarely meet (a REST API is also
served without its stage, an HTTP API's named stage keeps its prefix); where they do, the more specific route wins:

1. An HTTP API's path that cannot be decoded (`%25done`) goes to the HTTP API (400) unless a REST method takes it.
2. A CORS preflight whose path an HTTP API with `CorsConfiguration` would take for the method it asks about goes to
   that API (its automatic preflight answer), unless a REST API has an OPTIONS method for the path.
3. A REST method that is not only a greedy `{proxy+}` resource.
4. An HTTP API route other than `$default`.
5. A REST greedy resource; then an HTTP API's `$default` route.
6. Nothing: the answer of the kind of the first API in the template (REST 403 Missing Authentication Token, HTTP
   API 404 Not Found).

`notices` names at start-up every path that both kinds would take, with the one that answers it, so that the choice
is never silent; `http_url_forms` gives the start-up listing's URL of an HTTP API route.
"""

from __future__ import annotations

from typing import Literal

from .definition.model.deployment import Deployment
from .definition.model.httpapi import DEFAULT_ROUTE, DEFAULT_STAGE, HttpApi, HttpRoute, HttpStage
from .exchange import Exchange, HttpRequest, Mode
from .gateway import ApiGateway
from .httpapi import HttpApiExchange, HttpApiGateway
from .httpapi.cors import is_preflight
from .httpapi.routing import HttpRouter, UndecodablePath, decode_path
from .routing import Match, Router

Kind = Literal["rest", "http"]
Record = Exchange | HttpApiExchange


def _greedy(match: Match) -> bool:
    last = match.resource.path.rstrip("/").rsplit("/", 1)[-1]
    return last.startswith("{") and last.endswith("+}")


class PortRouter:
    """The rule of the module docstring over the two kinds' routers."""

    def __init__(self, deployment: Deployment, rest: Router | None = None, http: HttpRouter | None = None) -> None:
        self.rest = rest if rest is not None else Router(deployment.apis)
        self.http = http if http is not None else HttpRouter(deployment.http_apis)
        self.http_apis = deployment.http_apis
        self.only: Kind | None = "http" if not deployment.apis else "rest" if not deployment.http_apis else None
        self.unmatched: Kind = _first_kind(deployment)

    def kind(self, request: HttpRequest) -> Kind:
        if self.only is not None:
            return self.only
        rest = self.rest.match(request.method, request.raw_path)
        try:
            path = decode_path(request.raw_path)
        except UndecodablePath:
            return "rest" if rest is not None else "http"
        if is_preflight(request) and (rest is None or rest.method.http_method != "OPTIONS"):
            asked = (request.header("Access-Control-Request-Method") or "").strip().upper()
            if self.by_routes(asked, request.raw_path, path) == "http" and self._cors_stage(path):
                return "http"
        return self.by_routes(request.method, request.raw_path, path, rest)

    def by_routes(self, method: str, raw_path: str, path: str, rest: Match | None = None) -> Kind:
        rest = rest if rest is not None else self.rest.match(method, raw_path)
        if rest is not None and not _greedy(rest):
            return "rest"
        http = self.http.match(method, path)
        if http is not None and http.route.route_key != DEFAULT_ROUTE:
            return "http"
        if rest is not None:
            return "rest"
        return "http" if http is not None else self.unmatched

    def _cors_stage(self, path: str) -> bool:
        return any(api.cors is not None and self.http.match_stage(api, path) is not None for api in self.http_apis)


def _first_kind(deployment: Deployment) -> Kind:
    """The kind of the API that comes first in the template (by line; REST when they cannot be compared)."""
    if not deployment.http_apis:
        return "rest"
    if not deployment.apis:
        return "http"
    rest, http = deployment.apis[0].location, deployment.http_apis[0].location
    if rest.file == http.file and rest.line is not None and http.line is not None and http.line < rest.line:
        return "http"
    return "rest"


class Dispatch:
    """The one port's handler: each request to the REST pipeline or the HTTP API pipeline. HTTP APIs have no test
    invocation (aws-http-api.md §7.1: the console's Test button is REST's): a test-invoke of an HTTP API path is
    answered as a client's request."""

    def __init__(self, rest: ApiGateway, http: HttpApiGateway) -> None:
        self.rest = rest
        self.http = http
        self.router = PortRouter(rest.deployment, rest.router, http.router)

    async def handle(self, request: HttpRequest, mode: Mode = Mode.CLIENT) -> Record:
        if self.router.kind(request) == "http":
            return await self.http.handle(request)
        return await self.rest.handle(request, mode)


# -- start-up ------------------------------------------------------------------------------------------------------
def _route_path(stage: HttpStage, route: HttpRoute) -> str:
    prefix = "" if stage.name == DEFAULT_STAGE else f"/{stage.name}"
    if route.path is None:
        return f"{prefix}/*"
    return prefix + route.path if route.path != "/" or not prefix else prefix or "/"


def http_url_forms(router: PortRouter, api: HttpApi, route: HttpRoute) -> list[str]:
    """The URL paths of `route` that the port gives to it, one per stage (a `$default` route as `<stage>/*`)."""
    forms = []
    for stage in api.stages:
        path = _route_path(stage, route)
        if route.path is None:
            forms.append(path)
            continue
        verb = "GET" if route.method == "ANY" else route.method
        found = router.http.match(verb, path)
        if found is not None and found.route is route and router.by_routes(verb, path, path) == "http":
            forms.append(path)
    return forms


def notices(deployment: Deployment) -> list[str]:
    """One notice per path that a REST method and an HTTP API route would both take, naming the one that answers."""
    if not deployment.apis or not deployment.http_apis:
        return []
    router = PortRouter(deployment)
    out: list[str] = []
    for api in deployment.http_apis:
        for stage in api.stages:
            for route in api.routes:
                if route.path is None:
                    continue
                path = _route_path(stage, route)
                verb = "GET" if route.method == "ANY" else route.method
                rest = router.rest.match(verb, path)
                if rest is None:
                    continue
                winner = router.by_routes(verb, path, path)
                rest_name = f"{rest.method.http_method} {rest.resource.path} of REST API {rest.api.logical_id}"
                http_name = f"{route.route_key} of HTTP API {api.logical_id} (stage {stage.name})"
                answered = rest_name if winner == "rest" else http_name
                out.append(f"{route.location}: {http_name} and {rest_name} ({rest.method.location}) both take "
                           f"{verb} {path}; AWS gives each API its own host, lambdagate serves them on one port: "
                           f"{answered} answers it (the more specific route wins, docs/http-api-integration.md)")
        default = next((r for r in api.routes if r.route_key == DEFAULT_ROUTE), None)
        if default is not None:
            out.append(f"{default.location}: the $default route of HTTP API {api.logical_id} answers only what no REST "
                       f"method of this template takes (REST and HTTP APIs share lambdagate's one port)")
    return out
