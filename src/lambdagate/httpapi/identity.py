"""Identity sources of HTTP API authorizers (docs/aws-http-api.md §9; AGDG http-api-lambda-authorizer.md):
`$request.header.<name>` (case-insensitive), `$request.querystring.<name>` (case-sensitive), `$context.<var>`,
`$stageVariables.<name>`. If any is missing the authorizer is not invoked and the client gets 401 [DOC][REC]."""

from __future__ import annotations

from ..exchange import HttpRequest
from .request import query_pairs


def identity_values(sources: tuple[str, ...], request: HttpRequest, context: dict[str, str],
                    stage_variables: dict[str, str]) -> list[str] | None:
    """The value of each source, in order; None when one is missing or empty."""
    values = []
    query = query_pairs(request.raw_query)
    for source in sources:
        value: str | None = None
        if source.startswith("$request.header."):
            name = source[len("$request.header."):].lower()
            found = [v for k, v in request.headers if k.lower() == name]
            value = ",".join(found) if found else None
        elif source.startswith("$request.querystring."):
            name = source[len("$request.querystring."):]
            found = [v for k, v in query if k == name]
            value = ",".join(found) if found else None
        elif source.startswith("$context."):
            value = context.get(source[len("$context."):])
        elif source.startswith("$stageVariables."):
            value = stage_variables.get(source[len("$stageVariables."):])
        if not value:
            return None
        values.append(value)
    return values
