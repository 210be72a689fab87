"""Access logs: the stage's `AccessLogSetting.Format` (or CLF) filled with `$context` variables.

The CLF format is the console's (AGDG set-up-access-logging.md); a variable with no value is written `-`.
"""

from __future__ import annotations

from ..context_variables import render as render_template
from ..context_variables import request_context
from ..exchange import Exchange

# The console's "CLF" example, character for character (no space between `]` and `"`).
CLF = ('$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime]'
       '"$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength '
       '$context.requestId $context.extendedRequestId')


def context_variables(exchange: Exchange, account_id: str) -> dict[str, str]:
    """`$context` for one request, the names as AWS spells them."""
    out = request_context(exchange, account_id)
    out.update({"status": str(exchange.response.status), "responseLength": str(len(exchange.response.body)),
                "responseLatency": str(round(exchange.latency_ms))})
    return out


def render(log_format: str, variables: dict[str, str]) -> str:
    return render_template(log_format, variables)
