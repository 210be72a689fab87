"""May this API invoke this function? The function's resource policy, evaluated as IAM evaluates it (fact sheet §6).

API Gateway calls Lambda with the SourceArn `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<method's verb,
e.g. ANY>/<resource template without the leading slash>` (root: trailing `/`) and the SourceAccount of the API.
Whether today's API Gateway sends the real verb and path instead is [UNCERTAIN] (§10.3): the call is allowed when
the policy allows it for either form.

IAM's evaluation (IAM User Guide, reference_policies_evaluation-logic.html and reference_policies_elements_condition_
operators.html): a statement applies when its principal, action and function match and every condition holds
(operators AND, keys AND, values OR; negated operators NOR); an applying Deny refuses whatever an Allow says; no
applying Allow refuses.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import arns
from .definition.model.deployment import Deployment
from .definition.model.function import Condition, Function, Permission
from .definition.model.restapi import Api

INVOKE_ACTIONS = frozenset({"lambda:invokefunction", "lambda:*", "*"})
API_GATEWAY_PRINCIPALS = frozenset({"apigateway.amazonaws.com", "*"})


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str


def source_arns(deployment: Deployment, api: Api, method_verb: str, resource_path: str, real_verb: str,
                real_path: str, stage: str | None = None) -> tuple[str, ...]:
    """The SourceArn forms of one call; the console's Test button presents stage `test-invoke-stage` (§10.3)."""
    stage = stage or api.stage.name
    configured = arns.execute_api_arn(deployment.region, deployment.account_id, api.id, stage, method_verb,
                                      resource_path)
    real = arns.execute_api_arn(deployment.region, deployment.account_id, api.id, stage, real_verb, real_path)
    return (configured, real) if real != configured else (configured,)


def names_function(statement: Permission, function: Function) -> bool:
    return arns.names_function(statement.function, function.name, function.arn, function.logical_id)


def condition_holds(condition: Condition, context: dict[str, str]) -> bool:
    value = context.get(condition.key)
    negated = "Not" in condition.operator
    if value is None:
        return negated
    if condition.operator.startswith("Arn") or condition.operator.endswith("Like"):
        hit = any(arns.arn_like(pattern, value) for pattern in condition.values)
    elif condition.operator.endswith("IgnoreCase"):
        hit = any(v.lower() == value.lower() for v in condition.values)
    else:
        hit = value in condition.values
    return hit != negated


def applies(statement: Permission, context: dict[str, str]) -> bool:
    """The statement's principal and action cover API Gateway's invocation and its conditions hold."""
    return (statement.action.lower() in INVOKE_ACTIONS and statement.principal in API_GATEWAY_PRINCIPALS and
            all(condition_holds(c, context) for c in statement.conditions))


def call_context(deployment: Deployment, source_arn: str) -> dict[str, str]:
    return {"aws:sourcearn": source_arn, "aws:sourceaccount": deployment.account_id}


def decide(deployment: Deployment, function: Function, source_arns: tuple[str, ...]) -> Decision:
    candidates = [s for s in deployment.permissions if names_function(s, function)]
    deny: Permission | None = None
    reason = ""
    for arn in source_arns:
        context = call_context(deployment, arn)
        applying = [s for s in candidates if applies(s, context)]
        deny = next((s for s in applying if s.effect == "Deny"), None)
        if deny is not None:
            reason = f"{deny.location} denies {arn}"
            continue
        allow = next((s for s in applying if s.effect == "Allow"), None)
        if allow is not None:
            return Decision(True, f"allowed by {allow.location}")
    if not candidates:
        return Decision(False, f"function {function.name} has no resource policy statement (no AWS::Lambda::"
                               f"Permission names it) that lets API Gateway invoke it for {source_arns[0]}")
    if deny is not None:
        return Decision(False, reason)
    near = "; ".join(f"{s.location}: SourceArn {s.source_arn}" for s in candidates)
    return Decision(False, f"no statement of {function.name}'s resource policy matches {source_arns[0]} ({near})")
