"""Rules of HTTP API routes shared by the loaders: what a route key may be, one route per key, and what lambdagate
says at start-up about a route it will not serve as AWS would (docs/aws-http-api.md §1.3, §2.2, §2.3)."""

from __future__ import annotations

import re

from .model.httpapi import DEFAULT_ROUTE, HttpRoute

_ROUTE_KEY = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (/[^ ]*)$")


def route_key_problem(key: str) -> str | None:
    """`$default`, or `VERB /path` with no trailing slash except the root (§2.3: "invalid route name ending in /");
    None when the key is valid."""
    if key == DEFAULT_ROUTE:
        return None
    m = _ROUTE_KEY.match(key)
    if m is None:
        return (f"a route key is $default or METHOD /path (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY), "
                f"got {key!r}")
    path = m.group(2)
    if len(path) > 1 and path.endswith("/"):
        return f"route key {key!r}: a route path cannot end in '/'"
    parts = path.split("/")[1:]
    if any(part.endswith("+}") for part in parts[:-1]):
        return f"route key {key!r}: a greedy path variable must be the last segment"
    return None


def unique_routes(routes: list[HttpRoute], warnings: list[str]) -> list[HttpRoute]:
    """One route per route key; a second is reported and left out (API Gateway refuses to create it)."""
    out: dict[str, HttpRoute] = {}
    for route in routes:
        if route.route_key in out:
            warnings.append(f"{route.location}: a second route {route.route_key!r} for the same API (the first is at "
                            f"{out[route.route_key].location}); lambdagate keeps the first")
        else:
            out[route.route_key] = route
    return list(out.values())


def route_problem(route: HttpRoute, known: bool) -> str | None:
    """What lambdagate says at start-up about a route it will not serve as AWS would; None when all is well."""
    integration = route.integration
    if integration is None:
        return ("the route has no Target (no integration); what API Gateway answers then is not recorded, "
                "lambdagate answers 501")
    if integration.subtype is not None:
        return f"AWS service integration {integration.subtype} is not emulated; requests to it answer 501"
    if integration.type != "aws_proxy":
        return f"{integration.type.upper()} integration is not emulated; requests to it answer 501"
    if integration.function_arn is None:
        return (f"the AWS_PROXY integration URI {integration.uri!r} names no Lambda function; requests to it "
                "answer 500")
    if not known:
        return (f"integrates {integration.function_arn}, which the definition does not define; requests to it answer "
                "500 unless it is mapped with --function")
    return None
