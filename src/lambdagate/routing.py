"""Which resource and method of which API a request reaches, with REST API semantics.

- A literal segment beats `{param}`, which beats `{proxy+}`; a branch that fails deeper down falls back to the
  next kind at that level.
- `{param}` needs a non-empty segment, `{proxy+}` one or more (chalice's fix "to match API Gateway", aws/chalice
  #582: `/resource/` does not match `/resource/{name}`).
- One trailing slash is ignored (`/my/path/` routes as `/my/path`: aws-powertools/powertools-lambda-python#1577,
  written against API Gateway); extra leading slashes are collapsed (fact sheet §1.1).
- The greedy value is the rest of the raw path, still URL-encoded, without the trailing slash, inner `//` kept.
- The most specific resource decides: if it has neither the verb nor ANY, the answer is 403 (fact sheet §3,
  "resource exists but the verb has no method").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .definition.model import Api, Method, Resource


@dataclass(frozen=True)
class Match:
    api: Api
    resource: Resource
    method: Method
    path_parameters: dict[str, str] | None


@dataclass
class _Node:
    resource: Resource | None = None
    literals: dict[str, _Node] = field(default_factory=dict)
    param: tuple[str, _Node] | None = None
    greedy: tuple[str, _Node] | None = None


CACHED_MATCHES = 4096


class Router:
    def __init__(self, apis: tuple[Api, ...]) -> None:
        self._trees = [(api, _tree(api)) for api in apis]
        self._cache: dict[tuple[str, str], Match | None] = {}

    def match(self, http_method: str, raw_path: str) -> Match | None:
        """Within one API the most specific resource decides. Several APIs share lambdagate's one port (AWS gives
        each its own host): there the most specific match that has the method wins, then template order.
        The APIs do not change while served, so the answer for a method and path is kept (bounded)."""
        key = (http_method, raw_path)
        if key in self._cache:
            return self._cache[key]
        if len(self._cache) >= CACHED_MATCHES:
            self._cache.clear()
        match = self._cache[key] = self._match(http_method, raw_path)
        return match

    def _match(self, http_method: str, raw_path: str) -> Match | None:
        segments = _segments(raw_path)
        best: tuple[tuple[int, ...], Match] | None = None
        for api, root in self._trees:
            found = _walk(root, segments, 0, {}, ())
            if found is None:
                continue
            resource, params, rank = found
            method = resource.methods.get(http_method) or resource.methods.get("ANY")
            if method is None:
                continue
            if best is None or rank < best[0]:
                best = (rank, Match(api, resource, method, params or None))
        return best[1] if best else None


def _segments(raw_path: str) -> list[str]:
    path = "/" + raw_path.lstrip("/")
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


Found = tuple[Resource, dict[str, str], tuple[int, ...]]


def _walk(node: _Node, segments: list[str], i: int, params: dict[str, str], rank: tuple[int, ...]) -> Found | None:
    """Depth first, literal before {param} before {proxy+}; `rank` records the kinds taken (0, 1, 2)."""
    if i == len(segments):
        return (node.resource, params, rank) if node.resource is not None else None
    segment = segments[i]
    literal = node.literals.get(segment)
    if literal is not None:
        found = _walk(literal, segments, i + 1, params, rank + (0,))
        if found is not None:
            return found
    if node.param is not None and segment:
        name, child = node.param
        found = _walk(child, segments, i + 1, {**params, name: segment}, rank + (1,))
        if found is not None:
            return found
    if node.greedy is not None:
        name, child = node.greedy
        rest = "/".join(segments[i:])
        if rest and child.resource is not None:
            return child.resource, {**params, name: rest}, rank + (2,)
    return None
