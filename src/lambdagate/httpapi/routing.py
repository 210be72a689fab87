"""Which stage and route of which HTTP API a request reaches (docs/aws-http-api.md §2).

- Stage: an explicit stage-name match on the first path segment wins, otherwise the `$default` stage; no stage ->
  404 `Not Found` (§2.1 [DOC] AGDG http-api-develop-routes). A named stage's segment stays in the path the event
  carries (`rawPath`, 1.0 `path`); routes match the rest.
- The path is percent-decoded before routing (§2.3 [REC] VOKER-2026): `%20` is a space, `%2F` a `/`, a decoded
  `%3F` cuts the path, a `%25` sequence is decoded a second time (`%252F` -> `/`) and what is then not a valid
  escape (`%25done`) is a 400.
- Route selection, most specific first (§2.2 [DOC] AGDG): a route without a greedy variable before one with, then
  segment by segment a literal before `{param}` before `{proxy+}`, then the request's own method before `ANY`
  ("ANY matches every method that you haven't defined for a resource"); finally the `$default` route; else 404.
  Paths are case-sensitive and a trailing slash is significant: `/metrics/` does not match `GET /metrics` ([UNCERTAIN]
  §2.3, emulated strictly). `{param}` needs a non-empty segment, `{proxy+}` at least one character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..definition.model.httpapi import DEFAULT_ROUTE, DEFAULT_STAGE, HttpApi, HttpRoute, HttpStage

_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class UndecodablePath(ValueError):
    """The path holds a `%` that is not a valid escape after decoding: 400 (§2.3 [REC] status)."""


@dataclass(frozen=True)
class RouteMatch:
    api: HttpApi
    stage: HttpStage
    route: HttpRoute
    path: str                              # decoded, with the named stage's segment: rawPath / http.path
    path_parameters: dict[str, str] | None  # decoded values; None for a route without variables


def decode_path(raw_path: str) -> str:
    """`rawPath` from the request target's path (§2.3 [REC] VOKER-2026 ingress-paths.json)."""
    once = _decode(raw_path)
    if "%" in once:
        once = _decode(once)
    return once.split("?", 1)[0]


def _decode(text: str) -> str:
    if _ESCAPE.search(text):
        raise UndecodablePath(f"{text!r} holds a '%' that is not a percent-escape")
    data = bytearray()
    i = 0
    raw = text.encode("utf-8")
    while i < len(raw):
        if raw[i] == 0x25:
            data.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            data.append(raw[i])
            i += 1
    return data.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class _Compiled:
    route: HttpRoute
    method: str
    segments: tuple[str, ...]
    greedy: str | None           # name of the greedy variable, when the last segment is one


class HttpRouter:
    """The routes of some HTTP APIs, compiled once. Several APIs share one local port where AWS gives each its own
    host: a specific route of any API beats every `$default` route, then a named stage beats a `$default` stage,
    then template order decides."""

    def __init__(self, apis: tuple[HttpApi, ...]) -> None:
        self._apis = [(api, [_compile(r) for r in api.routes if r.route_key != DEFAULT_ROUTE],
                       next((r for r in api.routes if r.route_key == DEFAULT_ROUTE), None)) for api in apis]

    def match(self, method: str, decoded_path: str) -> RouteMatch | None:
        best: tuple[tuple[int, int, int], RouteMatch] | None = None
        for order, (api, routes, default) in enumerate(self._apis):
            stage, rest = _stage(api, decoded_path)
            if stage is None:
                continue
            named = 0 if stage.name != DEFAULT_STAGE else 1
            found = _best(routes, method, rest)
            if found is not None:
                candidate = ((0, named, order), RouteMatch(api, stage, found[0], decoded_path, found[1] or None))
            elif default is not None:
                candidate = ((1, named, order), RouteMatch(api, stage, default, decoded_path, None))
            else:
                continue
            if best is None or candidate[0] < best[0]:
                best = candidate
        return best[1] if best is not None else None

    def stage_of(self, decoded_path: str) -> tuple[HttpApi, HttpStage] | None:
        """The API and stage a path reaches when no route matches it (for the access log and the metrics of its
        404): a named stage before a `$default` stage, then template order; None when no stage takes it."""
        found = [(api, stage) for api, _routes, _default in self._apis
                 for stage in [_stage(api, decoded_path)[0]] if stage is not None]
        found.sort(key=lambda pair: pair[1].name == DEFAULT_STAGE)
        return found[0] if found else None

    def match_stage(self, api: HttpApi, decoded_path: str) -> RouteMatch | None:
        """The stage `api` would serve the path from, with the `$default` route (or a placeholder `$default` route
        when it has none): for answers that need the stage but no route, such as a CORS preflight."""
        stage, _rest = _stage(api, decoded_path)
        if stage is None:
            return None
        default = next((r for r in api.routes if r.route_key == DEFAULT_ROUTE), HttpRoute(DEFAULT_ROUTE, None))
        return RouteMatch(api, stage, default, decoded_path, None)


def notices(apis: tuple[HttpApi, ...]) -> list[str]:
    """Where several HTTP APIs meet on the one port (AWS gives each its own host), said at start-up: a route that
    another API's route answers here, and a `$default` route that answers the other APIs' unmatched paths, which
    on AWS get their own host's 404."""
    if len(apis) < 2:
        return []
    router = HttpRouter(apis)
    out: list[str] = []
    for api in apis:
        for stage in api.stages:
            prefix = "" if stage.name == DEFAULT_STAGE else f"/{stage.name}"
            for route in api.routes:
                if route.path is None:
                    continue
                path = prefix + route.path if route.path != "/" or not prefix else prefix
                found = router.match("GET" if route.method == "ANY" else route.method, path)
                if found is None or found.route is route:
                    continue
                out.append(f"{route.location}: {route.route_key} ({api.logical_id}, stage {stage.name}) is also "
                           f"taken by {found.route.route_key} of {found.api.logical_id} ({found.route.location}); "
                           f"AWS gives each API its own host, lambdagate serves them on one port: {path} goes to "
                           f"{found.api.logical_id} (a specific route before a $default one, a named stage before "
                           "$default, then the first in the template); serve this API alone (a template of its "
                           "own) to call it")
        default = next((r for r in api.routes if r.route_key == DEFAULT_ROUTE), None)
        if default is not None:
            others = ", ".join(a.logical_id for a in apis if a is not api)
            out.append(f"{default.location}: the $default route of HTTP API {api.logical_id} also answers the paths "
                       f"that no route of {others} takes, which AWS answers with their own hosts' 404 Not Found "
                       "(lambdagate serves them on one port)")
    return out


def _stage(api: HttpApi, path: str) -> tuple[HttpStage | None, str]:
    first = path.split("/", 2)[1] if path.startswith("/") else ""
    for stage in api.stages:
        if stage.name != DEFAULT_STAGE and stage.name == first:
            rest = path[len(first) + 1:]
            return stage, rest or "/"
    default = next((s for s in api.stages if s.name == DEFAULT_STAGE), None)
    return default, path


def _compile(route: HttpRoute) -> _Compiled:
    path = route.path or "/"
    segments = tuple(path.split("/")[1:]) if path != "/" else ()
    greedy = segments[-1][1:-2] if segments and segments[-1].startswith("{") and segments[-1].endswith("+}") else None
    return _Compiled(route, route.method, segments[:-1] if greedy is not None else segments, greedy)


def _best(routes: list[_Compiled], method: str, path: str) -> tuple[HttpRoute, dict[str, str]] | None:
    parts = path.split("/")[1:] if path != "/" else []
    best: tuple[tuple[int, tuple[int, ...], int], HttpRoute, dict[str, str]] | None = None
    for compiled in routes:
        if compiled.method not in (method, "ANY"):
            continue
        found = _fits(compiled, parts)
        if found is None:
            continue
        kinds, params = found
        rank = (1 if compiled.greedy is not None else 0, kinds, 1 if compiled.method == "ANY" else 0)
        if best is None or rank < best[0]:
            best = (rank, compiled.route, params)
    return (best[1], best[2]) if best is not None else None


def _fits(compiled: _Compiled, parts: list[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
    """(segment kinds: 0 literal, 1 {param}, 2 {proxy+}; parameters) when the route's path covers `parts`."""
    segments = compiled.segments
    if compiled.greedy is None and len(parts) != len(segments):
        return None
    if compiled.greedy is not None and len(parts) <= len(segments):
        return None
    kinds: list[int] = []
    params: dict[str, str] = {}
    for segment, part in zip(segments, parts, strict=False):
        if segment.startswith("{") and segment.endswith("}"):
            if not part:
                return None
            params[segment[1:-1]] = part
            kinds.append(1)
        elif segment == part:
            kinds.append(0)
        else:
            return None
    if compiled.greedy is not None:
        rest = "/".join(parts[len(segments):])
        if not rest:
            return None
        params[compiled.greedy] = rest
        kinds.append(2)
    return tuple(kinds), params
