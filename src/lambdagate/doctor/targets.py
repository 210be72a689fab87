"""Which functions to examine, the routes that integrate each, and where their settings stand in the template."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..definition.model.auth import Authorizer
from ..definition.model.deployment import Deployment
from ..definition.model.function import Function
from ..definition.model.httpapi import HttpApi, HttpRoute
from ..definition.model.location import Location
from ..definition.model.restapi import Api, Method, Resource
from ..definition.template import Template
from ..errors import LambdagateError


@dataclass(frozen=True)
class Route:
    api: Api
    resource: Resource
    method: Method

    @property
    def label(self) -> str:
        return f"{self.method.http_method} {self.resource.path}"

    @property
    def long_label(self) -> str:
        return f"{self.label} ({self.api.logical_id}, stage {self.api.stage.name})"


@dataclass(frozen=True)
class HttpApiRoute:
    """A route of an HTTP API whose integration is a Lambda proxy (AWS_PROXY without a subtype)."""

    api: HttpApi
    route: HttpRoute

    @property
    def label(self) -> str:
        return self.route.route_key

    @property
    def long_label(self) -> str:
        return f"{self.label} ({self.api.logical_id}, HTTP API)"

    @property
    def location(self) -> Location:
        return self.route.location

    @property
    def payload_format_version(self) -> str:
        return self.route.integration.payload_format_version if self.route.integration is not None else "2.0"

    @property
    def timeout_ms(self) -> int:
        return self.route.integration.timeout_ms if self.route.integration is not None else 30000


@dataclass
class Target:
    function: Function
    routes: list[Route] = field(default_factory=list)
    authorizers: list[tuple[Api, Authorizer]] = field(default_factory=list)   # the Lambda authorizers it is
    http_routes: list[HttpApiRoute] = field(default_factory=list)
    code_uri: str | None = None        # as written (Properties or Globals); None for inline code
    zip_path: Path | None = None       # the deployment .zip: CodeUri or --package
    template: Template | None = None

    @property
    def logical_id(self) -> str:
        return self.function.logical_id

    def location(self, prop: str) -> Location:
        """The line of a function property, of the Globals entry it comes from, or of the function."""
        t = self.template
        if t is None:
            return self.function.location
        resource = t.data.get("Resources", {}).get(self.logical_id) or {}
        if prop in (resource.get("Properties") or {}):
            return t.location("Resources", self.logical_id, "Properties", prop)
        if prop in (((t.data.get("Globals") or {}).get("Function")) or {}):
            return t.location("Globals", "Function", prop)
        return t.location("Resources", self.logical_id)


def proxy_routes(deployment: Deployment) -> list[Route]:
    return [Route(api, resource, method) for api in deployment.apis for resource in api.resources
            for method in resource.methods.values() if method.integration.type == "aws_proxy"]


def lambda_authorizers(deployment: Deployment) -> list[tuple[Api, Authorizer]]:
    return [(api, a) for api in deployment.apis for a in api.authorizers if a.type in ("TOKEN", "REQUEST")]


def http_proxy_routes(deployment: Deployment) -> list[HttpApiRoute]:
    return [HttpApiRoute(api, route) for api in deployment.http_apis for route in api.routes
            if route.integration is not None and route.integration.type == "aws_proxy"
            and route.integration.subtype is None and route.integration.function_arn]


def select(deployment: Deployment, template: Template, names: list[str], package: Path | None) -> list[Target]:
    """The functions named (logical id or FunctionName), or every function behind a proxy integration of a REST or
    an HTTP API, or behind a Lambda authorizer."""
    routes = proxy_routes(deployment)
    http_routes = http_proxy_routes(deployment)
    by_name = {}
    for function in deployment.functions.values():
        by_name[function.logical_id] = function
        by_name[function.name] = function
    if names:
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise LambdagateError(f"{template.file}: no function named {', '.join(unknown)} (functions: "
                                  f"{', '.join(sorted(f.logical_id for f in deployment.functions.values()))})")
        chosen = list(dict.fromkeys(by_name[n] for n in names))
    else:
        arns = {r.method.integration.function_arn for r in routes} | {_http_function(deployment, r) for r in
                                                                         http_routes}
        arns |= {_function_arn(deployment, a) for _, a in lambda_authorizers(deployment)}
        chosen = [f for f in deployment.functions.values() if f.arn in arns]
    targets = []
    for function in chosen:
        target = Target(function, [r for r in routes if r.method.integration.function_arn == function.arn],
                        [(api, a) for api, a in lambda_authorizers(deployment)
                         if _function_arn(deployment, a) == function.arn],
                        [r for r in http_routes if _http_function(deployment, r) == function.arn], template=template)
        target.code_uri = _code_uri(template, function.logical_id)
        if package is not None:
            target.zip_path = package
        elif target.code_uri is not None:
            candidate = (template.path.parent / target.code_uri).resolve()
            if candidate.is_file() and zipfile.is_zipfile(candidate):
                target.zip_path = candidate
        targets.append(target)
    return targets


def _function_arn(deployment: Deployment, authorizer: Authorizer) -> str | None:
    found = deployment.function_by_arn(authorizer.function_arn) if authorizer.function_arn else None
    return found.arn if found is not None else None


def _http_function(deployment: Deployment, route: HttpApiRoute) -> str | None:
    """The ARN of the function an HTTP API route integrates (a qualified ARN designates its function)."""
    arn = route.route.integration.function_arn if route.route.integration is not None else None
    function = deployment.function_by_arn(arn) if arn else None
    return function.arn if function is not None else arn


def _code_uri(template: Template, logical_id: str) -> str | None:
    props: dict[str, Any] = (template.data.get("Resources", {}).get(logical_id) or {}).get("Properties") or {}
    if "InlineCode" in props:
        return None
    value = props.get("CodeUri", ((template.data.get("Globals") or {}).get("Function") or {}).get("CodeUri", "."))
    return value if isinstance(value, str) else None
