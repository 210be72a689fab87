"""CORS of an HTTP API from its `CorsConfiguration` (docs/aws-http-api.md §8; AGDG http-api-cors.md):

- With CORS configured, API Gateway "automatically sends a response to preflight OPTIONS requests, even if there
  isn't an OPTIONS route", adds the configured CORS headers to the integration's responses, and "ignores CORS
  headers returned from your backend integration" [DOC]. Gateway errors carry them too ([REC] CURL-AUTH: a 401 with
  `access-control-allow-origin: <origin>`, `vary: origin`, `access-control-allow-credentials: true`).
- A preflight is an OPTIONS request with `Origin` and `Access-Control-Request-Method` (Fetch standard). Its status
  (204) and what a non-allowed origin gets (the answer without CORS headers) are [UNCERTAIN] (§8; floci answers
  204 [IMPL], SAM CLI 200); whether a matching OPTIONS route takes precedence is [UNCERTAIN]: the automatic answer
  wins here.
- The allowed origin is echoed when it is in `allowOrigins` (or `*` when `*` is); `Vary: Origin` then, as recorded.
"""

from __future__ import annotations

from ..definition.model.httpapi import CorsConfiguration
from ..exchange import HttpRequest

PREFLIGHT_STATUS = 204


def is_preflight(request: HttpRequest) -> bool:
    return request.method == "OPTIONS" and request.header("Origin") is not None and \
        request.header("Access-Control-Request-Method") is not None


def allowed_origin(cors: CorsConfiguration, origin: str | None) -> str | None:
    """The `Access-Control-Allow-Origin` value for this origin, or None when it is not allowed."""
    if origin is None:
        return None
    if "*" in cors.allow_origins:
        return "*"
    return origin if origin.lower() in {o.lower() for o in cors.allow_origins} else None


def preflight_headers(cors: CorsConfiguration, request: HttpRequest) -> list[tuple[str, str]]:
    """The headers of the automatic preflight answer; none when the origin is not allowed."""
    origin = allowed_origin(cors, request.header("Origin"))
    if origin is None:
        return []
    headers = [("access-control-allow-origin", origin)]
    if cors.allow_credentials:
        headers.append(("access-control-allow-credentials", "true"))
    if cors.allow_methods:
        headers.append(("access-control-allow-methods", ",".join(cors.allow_methods)))
    if cors.allow_headers:
        headers.append(("access-control-allow-headers", ",".join(cors.allow_headers)))
    if cors.max_age is not None:
        headers.append(("access-control-max-age", str(cors.max_age)))
    if origin != "*":
        headers.append(("vary", "origin"))
    return headers


def response_headers(cors: CorsConfiguration, request: HttpRequest,
                     headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An actual (non-preflight) response: the backend's CORS headers dropped, the configured ones added when the
    request's origin is allowed."""
    out = [(n, v) for n, v in headers if not n.lower().startswith("access-control-")]
    origin = allowed_origin(cors, request.header("Origin"))
    if origin is None:
        return out
    out.append(("access-control-allow-origin", origin))
    if cors.allow_credentials:
        out.append(("access-control-allow-credentials", "true"))
    if cors.expose_headers:
        out.append(("access-control-expose-headers", ",".join(cors.expose_headers)))
    if origin != "*":
        out.append(("vary", "origin"))
    return out
