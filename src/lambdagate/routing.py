"""Which resource and method of which API a request reaches, with REST API semantics.

The stage in the URL (fact sheet §10.15). A deployed API is called at
`https://<apiId>.execute-api.<region>.amazonaws.com/<stage>/<path>` (AGDG how-to-call-api.html); SAM CLI's `sam
local start-api` serves `/<path>` alone. lambdagate takes both on one port. A request whose first path segment is
the name of a stage served on the port is routed as AWS's default endpoint routes it: the rest of the path, against
the APIs served with that stage. Any other path is routed as it is against every API (the root form). So
`/Prod/hello` and `/hello` reach the same method. One exception keeps SAM's habit working: a resource whose own path
begins with a stage's name (`/v1/users`, stage `v1`) is reached as on AWS (`/v1/v1/users`) and also as `/v1/users`
when the stage form finds no method for it (a start-up notice names a resource the stage form hides). The event is
the same either way: `path` is the path after the stage, `requestContext.path` the stage followed by that path (fact
sheet §1.1, §1.2).

Within one API:
- A literal segment beats `{param}`, which beats `{proxy+}`; a branch that fails deeper down falls back to the
  next kind at that level.
- A resource that matches the path but has no method for the verb (nor ANY) does not stop the search: a greedy
  sibling's method answers (`/test` with POST only, `/{proxy+}` with OPTIONS: `OPTIONS /test` is answered by
  `{proxy+}`; fact sheet §10.12 [REC], LocalStack `TestProxyRouting::test_proxy_routing_with_hardcoded_resource_
  sibling`, validated against AWS). The same search reaches a greedy resource higher up, as LocalStack's router does
  (a werkzeug rule per resource and method [IMPL]). Only when no resource has a method for the verb is the answer
  403 (fact sheet §3).
- `{param}` needs a non-empty segment, `{proxy+}` one or more (chalice's fix "to match API Gateway", aws/chalice
  #582: `/resource/` does not match `/resource/{name}`).
- One trailing slash is ignored (`/my/path/` routes as `/my/path`: aws-powertools/powertools-lambda-python#1577,
  written against API Gateway); extra leading slashes are collapsed (fact sheet §1.1).
- The greedy value is the rest of the raw path, still URL-encoded, without the trailing slash, inner `//` kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .definition.model.restapi import Api, Method, Resource


@dataclass(frozen=True)
class Match:
    api: Api
    resource: Resource
    method: Method
    path_parameters: dict[str, str] | None
    path: str | None = None   # the raw path after the stage (`/hello`, `//x/`); None: the request's path as sent


@dataclass
class _Node:
    resource: Resource | None = None
    literals: dict[str, _Node] = field(default_factory=dict)
    param: tuple[str, _Node] | None = None
    greedy: tuple[str, _Node] | None = None


CACHED_MATCHES = 4096
Found = tuple[Resource, Method, dict[str, str], tuple[int, ...]]


class Router:
    def __init__(self, apis: tuple[Api, ...]) -> None:
        self._trees = [(api, _tree(api)) for api in apis]
        self.stages = frozenset(api.stage.name for api in apis)
        self._cache: dict[tuple[str, str], Match | None] = {}

    def match(self, http_method: str, raw_path: str) -> Match | None:
        """Within one API the most specific resource with a method for the verb decides. Several APIs share
        lambdagate's one port (AWS gives each its own host): there the most specific match wins, then template
        order. A first segment naming a served stage is tried as that stage first (module docstring).
        The APIs do not change while served, so the answer for a method and path is kept (bounded)."""
        key = (http_method, raw_path)
        if key in self._cache:
            return self._cache[key]
        if len(self._cache) >= CACHED_MATCHES:
            self._cache.clear()
        match = self._cache[key] = self._match(http_method, raw_path)
        return match

    def _match(self, http_method: str, raw_path: str) -> Match | None:
        path = "/" + raw_path.lstrip("/")
        segments = _segments(path)
        if segments and segments[0] in self.stages:
            stage = segments[0]
            rest = path[len(stage) + 1:] or "/"
            staged = self._best([(api, root) for api, root in self._trees if api.stage.name == stage],
                                _segments("/" + rest.lstrip("/")), rest, http_method)   # §1.1: slashes collapse
            if staged is not None:
                return staged
            found = self._best(self._trees, segments, raw_path, http_method)
            # SAM's habit kept: only a resource that itself begins with the stage's name is reached this way
            return found if found is not None and found.resource.path.split("/")[1] == stage else None
        return self._best(self._trees, segments, raw_path, http_method)

    @staticmethod
    def _best(trees: list[tuple[Api, _Node]], segments: list[str], raw_path: str, http_method: str) -> Match | None:
        best: tuple[tuple[int, ...], Match] | None = None
        for api, root in trees:
            found = _walk(root, segments, 0, {}, (), http_method)
            if found is None:
                continue
            resource, method, params, rank = found
            if best is None or rank < best[0]:
                best = (rank, Match(api, resource, method, params or None, raw_path))
        return best[1] if best else None

    def url_forms(self, api: Api, resource: Resource, verb: str) -> list[str]:
        """The URL paths that reach this method on the port: the stage's form, the root form, both or neither. A
        resource's template path is its own probe: `{id}` is a segment no literal resource has."""
        forms = []
        for path in (f"/{api.stage.name}{resource.path}", resource.path):
            found = self.match(verb, path)
            if found is not None and found.api is api and found.resource is resource:
                forms.append(path)
        return forms


def _segments(path: str) -> list[str]:
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return [] if path == "/" else path[1:].split("/")


def _tree(api: Api) -> _Node:
    root = _Node()
    for resource in api.resources:
        node = root
        for part in [p for p in resource.path.split("/") if p]:
            if part.startswith("{") and part.endswith("+}"):
                if node.greedy is None:
                    node.greedy = (part[1:-2], _Node())
                node = node.greedy[1]
            elif part.startswith("{") and part.endswith("}"):
                if node.param is None:
                    node.param = (part[1:-1], _Node())
                node = node.param[1]
            else:
                node = node.literals.setdefault(part, _Node())
        node.resource = resource
    return root


def _method(resource: Resource | None, http_method: str) -> Method | None:
    if resource is None:
        return None
    return resource.methods.get(http_method) or resource.methods.get("ANY")


def _walk(node: _Node, segments: list[str], i: int, params: dict[str, str], rank: tuple[int, ...],
          http_method: str) -> Found | None:
    """Depth first, literal before {param} before {proxy+}; `rank` records the kinds taken (0, 1, 2). A resource
    without a method for the verb is passed over, so that a greedy sibling (or one higher up) answers (§10.12)."""
    if i == len(segments):
        method = _method(node.resource, http_method)
        return (node.resource, method, params, rank) if node.resource is not None and method is not None else None
    segment = segments[i]
    literal = node.literals.get(segment)
    if literal is not None:
        found = _walk(literal, segments, i + 1, params, rank + (0,), http_method)
        if found is not None:
            return found
    if node.param is not None and segment:
        name, child = node.param
        found = _walk(child, segments, i + 1, {**params, name: segment}, rank + (1,), http_method)
        if found is not None:
            return found
    if node.greedy is not None:
        name, child = node.greedy
        rest = "/".join(segments[i:])
        method = _method(child.resource, http_method)
        if rest and child.resource is not None and method is not None:
            return child.resource, method, {**params, name: rest}, rank + (2,)
    return None


def notices(apis: tuple[Api, ...]) -> list[str]:
    """Start-up notices for what the shared port changes: a resource whose path begins with the name of a stage served
    on the port (reached only with the stage in front), and a method that two APIs define for the same path (AWS gives
    each API its own host; here the first in template order answers the root form)."""
    out = []
    stages = {api.stage.name for api in apis}
    router = Router(apis)
    for api in apis:
        for resource in api.resources:
            first = resource.path.split("/")[1] if resource.path != "/" else ""
            for verb, method in resource.methods.items() if first in stages else ():
                if resource.path not in router.url_forms(api, resource, verb):
                    out.append(f"{method.location}: {verb} {resource.path} ({api.logical_id}) begins with {first!r}, "
                               f"the name of a stage served here: a URL's first segment {first!r} is taken as the "
                               f"stage, as on AWS, and that stage answers {resource.path} itself; this method is "
                               f"reached as /{api.stage.name}{resource.path}")
    claimed: dict[str, dict[str, tuple[Api, Method]]] = {}   # path shape -> verb -> the first API's method
    for api in apis:
        for resource in api.resources:
            verbs = claimed.setdefault(_shape(resource.path), {})
            for verb, method in resource.methods.items():
                rivals = [v for v in verbs if verbs[v][0] is not api and (v == verb or "ANY" in (v, verb))]
                if rivals:
                    out.append(_overlap(api, resource, verb, method, *verbs[rivals[0]]))
                verbs.setdefault(verb, (api, method))
    return out


def _overlap(api: Api, resource: Resource, verb: str, method: Method, first: Api, first_method: Method) -> str:
    if first.stage.name != api.stage.name:
        reach = f"this one is reached with its stage in the URL: /{api.stage.name}{resource.path}"
    else:
        reach = (f"both are served with stage {api.stage.name!r}, so this one is not reachable here; serve it alone "
                 "(a template of its own) to call it")
    return (f"{method.location}: {verb} {resource.path} ({api.logical_id}) is also defined by {first.logical_id} "
            f"({first_method.location}); AWS gives each API its own host, lambdagate serves them on one port: "
            f"{resource.path} goes to {first.logical_id}, the first in the template; {reach}")


def _shape(path: str) -> str:
    """The path as routing sees it: `/items/{id}` and `/items/{itemId}` are the same resource to a request."""
    parts = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("+}"):
            parts.append("{+}")
        elif part.startswith("{") and part.endswith("}"):
            parts.append("{}")
        else:
            parts.append(part)
    return "/".join(parts)
