"""The one reader of a Lambda resource policy given as a file (`--policy FILE`): `aws lambda get-policy` output
(`{"Policy": "<the policy JSON as a string>", "RevisionId": ...}`, fact sheet §6) or the policy document itself.

Strict, because a misread policy allows or refuses calls that AWS would not: every statement becomes a Permission
with its Effect and all its conditions, evaluated as IAM does (permission.py); a statement lambdagate cannot
evaluate (an operator or condition key it does not know, NotPrincipal/NotAction/NotResource) is refused with the
file and the statement, never skipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import DefinitionError, LambdagateError
from .model.function import Condition, Permission
from .model.location import Location

# IAM's operators that can test an ARN or a string key (IAM User Guide, reference_policies_elements_condition_
# operators.html), with their ...IfExists forms: the two keys API Gateway's call carries always exist.
OPERATORS = frozenset({"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "StringEquals", "StringNotEquals",
                       "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"})
# The context keys of a call from API Gateway to Lambda that a resource policy can test (LDG
# permissions-function-resource-policies / services-apigateway.md: AWS:SourceArn, AWS:SourceAccount).
KEYS = frozenset({"aws:sourcearn", "aws:sourceaccount"})


def read_policy(path: Path) -> tuple[Permission, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise LambdagateError(f"--policy {path}: cannot read the file: {e.strerror}") from None
    return parse_policy(text, str(path))


def parse_policy(text: str, origin: str) -> tuple[Permission, ...]:
    """The same reading of a policy given as text (`aws lambda get-policy` output, or GetPolicy's answer as
    `lambdagate doctor --aws` receives it); `origin` names it in messages and in each statement's location."""
    try:
        data = json.loads(text)
        if isinstance(data, dict) and isinstance(data.get("Policy"), str):
            data = json.loads(data["Policy"])
    except json.JSONDecodeError as e:
        raise DefinitionError(origin, e.lineno, "", f"not JSON: {e.msg}") from None
    statements = data.get("Statement") if isinstance(data, dict) else None
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list):
        raise DefinitionError(origin, None, "Statement", "expected `aws lambda get-policy` output or a policy "
                              "document with a Statement list")
    out: list[Permission] = []
    for i, statement in enumerate(statements):
        out += _statement(origin, i, statement)
    return tuple(out)


def _statement(origin: str, i: int, statement: Any) -> list[Permission]:
    sid = statement.get("Sid") if isinstance(statement, dict) else None
    where = f"Statement[{i}]" + (f" ({sid})" if sid else "")

    def fail(message: str) -> DefinitionError:
        return DefinitionError(origin, None, where, message)

    if not isinstance(statement, dict):
        raise fail("a statement is a JSON object")
    for negated in ("NotPrincipal", "NotAction", "NotResource"):
        if negated in statement:
            raise fail(f"{negated} is not evaluated by lambdagate; write the statement with "
                       f"{negated.removeprefix('Not')}")
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise fail(f"Effect must be Allow or Deny, got {effect!r}")
    conditions = _conditions(statement.get("Condition"), fail)
    location = Location(f"{origin} {where}")
    return [Permission(resource, action, principal, conditions, effect, location)
            for principal in _principals(statement.get("Principal"))
            for action in _strings(statement.get("Action"))
            for resource in _strings(statement.get("Resource"))]


def _conditions(block: Any, fail: Any) -> tuple[Condition, ...]:
    if block is None:
        return ()
    if not isinstance(block, dict):
        raise fail("Condition is a JSON object of operators")
    out = []
    for operator, tests in block.items():
        base = str(operator).removesuffix("IfExists")
        if base not in OPERATORS:
            raise fail(f"condition operator {operator!r} is not evaluated by lambdagate (it evaluates "
                       f"{', '.join(sorted(OPERATORS))} and their IfExists forms)")
        if not isinstance(tests, dict):
            raise fail(f"Condition.{operator} is a JSON object of condition keys")
        for key, values in tests.items():
            if str(key).lower() not in KEYS:
                raise fail(f"condition key {key!r} is not one API Gateway's call to Lambda carries "
                           "(AWS:SourceArn, AWS:SourceAccount)")
            out.append(Condition(base, str(key).lower(), tuple(_strings(values))))
    return tuple(out)


def _principals(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [p for key in ("Service", "AWS") for p in _strings(value.get(key))]
    return _strings(value)


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [] if value is None else [str(value)]
