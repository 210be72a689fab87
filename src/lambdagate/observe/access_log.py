"""Access logs: the stage's `AccessLogSetting.Format` (or CLF) filled with `$context` variables.

The CLF format is the console's (AGDG set-up-access-logging.md); a variable with no value is written `-`. A request
is kept as a compact record (`record`) and its line rendered when read (`stored_lines`), like the execution log.
"""

from __future__ import annotations

from typing import Any

from ..context_variables import context_record, variables
from ..context_variables import render as render_template
from ..exchange import Exchange

# The console's "CLF" example, character for character (no space between `]` and `"`).
CLF = ('$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime]'
       '"$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength '
       '$context.requestId $context.extendedRequestId')


def record(exchange: Exchange, account_id: str, log_format: str) -> dict[str, Any]:
    """What the request's access-log line needs, JSON-ready."""
    rec = context_record(exchange, account_id)
    rec.update({"format": log_format, "status": exchange.response.status,
                "responseLength": len(exchange.response.body), "responseLatency": round(exchange.latency_ms)})
    return rec


def context_variables(exchange: Exchange, account_id: str) -> dict[str, str]:
    """`$context` for one request, the names as AWS spells them."""
    return _variables(record(exchange, account_id, CLF))


def _variables(rec: dict[str, Any]) -> dict[str, str]:
    out = variables(rec)
    out.update({"status": str(rec["status"]), "responseLength": str(rec["responseLength"]),
                "responseLatency": str(rec["responseLatency"])})
    return out


def render(log_format: str, variables: dict[str, str]) -> str:
    return render_template(log_format, variables)


def stored_lines(rec: dict[str, Any]) -> list[str]:
    """A stored record's line."""
    return [render_template(rec["format"], _variables(rec))]
