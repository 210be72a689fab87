"""May this API invoke this function? The function's resource policy, evaluated as Lambda does (fact sheet §6).

API Gateway presents the SourceArn `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<method's verb, e.g.
ANY>/<resource template without the leading slash>` (root: trailing `/`), and Lambda matches it with `ArnLike`
(`*` any run of characters, `/` included; `?` one character). Whether today's API Gateway sends the real verb and
path instead is [UNCERTAIN] (§10.3), so a statement matching either form allows the call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .definition.model import Api, Deployment, Function, Permission

INVOKE_ACTIONS = frozenset({"lambda:invokefunction", "lambda:*", "*"})
API_GATEWAY_PRINCIPALS = frozenset({"apigateway.amazonaws.com", "*"})


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str


@lru_cache(maxsize=4096)
def _arn_like(pattern: str) -> re.Pattern[str]:
    parts = []
    for ch in pattern:
        parts.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    return re.compile("".join(parts), re.DOTALL)


def arn_like(pattern: str, value: str) -> bool:
    return _arn_like(pattern).fullmatch(value) is not None


def source_arns(deployment: Deployment, api: Api, method_verb: str, resource_path: str, real_verb: str,
                real_path: str, stage: str | None = None) -> tuple[str, ...]:
    """The console's Test button presents stage `test-invoke-stage` (§10.3)."""
    base = f"arn:aws:execute-api:{deployment.region}:{deployment.account_id}:{api.id}/{stage or api.stage.name}"
    configured = f"{base}/{method_verb}/{resource_path.lstrip('/')}"
    real = f"{base}/{real_verb}/{real_path.lstrip('/')}"
    return (configured, real) if real != configured else (configured,)


def _names_function(statement: Permission, function: Function) -> bool:
    target = statement.function
    if target in (function.name, function.arn, function.logical_id):
        return True
    # a qualified ARN or partial ARN (`123456789012:function:name`) of the same function
    return target.split(":function:")[-1].split(":")[0] == function.name


def decide(deployment: Deployment, function: Function, arns: tuple[str, ...]) -> Decision:
    candidates = [s for s in deployment.permissions if _names_function(s, function)]
    for statement in candidates:
        if statement.action.lower() not in INVOKE_ACTIONS:
            continue
        if statement.principal not in API_GATEWAY_PRINCIPALS:
            continue
        if statement.source_account and statement.source_account != deployment.account_id:
            continue
        if statement.source_arn is None or any(arn_like(statement.source_arn, a) for a in arns):
            return Decision(True, f"allowed by {statement.location}")
    if not candidates:
        return Decision(False, f"function {function.name} has no resource policy statement (no "
                               f"AWS::Lambda::Permission names it) that lets API Gateway invoke it for {arns[0]}")
    near = "; ".join(f"{s.location}: SourceArn {s.source_arn}" for s in candidates)
    return Decision(False, f"no statement of {function.name}'s resource policy matches {arns[0]} ({near})")
