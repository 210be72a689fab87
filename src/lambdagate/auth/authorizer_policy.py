"""A Lambda authorizer's answer, read as strictly as API Gateway reads it, and its policy evaluated against the
methodArn (aws-auth.md §1.6, §1.7).

Reading ([REC] LOG-2023, EXPANSE; [DOC] AGDG output page):
- the top level is an object of `principalId`, `policyDocument`, `context`, `usageIdentifierKey` and nothing else:
  another key (a function error's `errorType`, an HTTP-style `statusCode`) fails with `Invalid JSON in response:
  Unrecognized field "<key>" , not marked as ignorable`; `null` with `Could not parse policy`; both answer 500;
- `Statement` may be one object or a list, `Action` and `Resource` a string or a list;
- `context` values are strings, numbers or booleans, stringified for the integration (`123` -> `"123"`, `true` ->
  `"true"`); `null` stays null ([REC] DT); an object or array value answers 500 ([DOC] AGDG);
- scalar `principalId` / `usageIdentifierKey` values are taken as text (Jackson's coercion of scalars).
[UNCERTAIN] (not recorded, lambdagate answers 500): a missing or non-object `policyDocument`, an `Effect` other than
`Allow`/`Deny` (IAM spells them so), an Allow without `principalId`.

Evaluation: IAM's logic for action `execute-api:Invoke` on the methodArn: a matching Deny wins (explicit deny), else
a matching Allow passes, else implicit deny ([DOC] KC-403). `*` in Action and Resource matches any run of
characters, `/` included, `?` one character ([REC] LOG-2017); actions match case-insensitively (IAM). NotAction and
NotResource apply to everything they do not name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from ..arns import arn_like
from ..errors import AUTHORIZER_INVALID_JSON, AUTHORIZER_UNPARSEABLE_POLICY, AUTHORIZER_UNRECOGNIZED_FIELD

ACTION = "execute-api:Invoke"
OUTPUT_KEYS = ("principalId", "policyDocument", "context", "usageIdentifierKey")
Effect = Literal["Allow", "Deny"]
Verdict = Literal["allow", "explicit_deny", "implicit_deny"]


class PolicyError(Exception):
    """The answer is not a policy API Gateway accepts: 500. `detail` follows `Execution failed due to configuration
    error: ` in the execution log; `hint` is lambdagate's explanation for the terminal."""

    def __init__(self, detail: str, hint: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.hint = hint


@dataclass(frozen=True)
class Statement:
    effect: Effect
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_action: bool = False
    not_resource: bool = False

    def applies(self, arn: str) -> bool:
        action = any(_action_like(a, ACTION) for a in self.actions) != self.not_action
        resource = any(arn_like(r, arn) for r in self.resources) != self.not_resource
        return action and resource


@dataclass(frozen=True)
class AuthorizerOutput:
    principal_id: str | None
    statements: tuple[Statement, ...]
    context: tuple[tuple[str, str | None], ...] = ()   # stringified, in the order returned
    usage_identifier_key: str | None = None


def parse_output(payload: bytes) -> AuthorizerOutput:
    try:
        data = json.loads(payload)
    except ValueError as e:
        raise PolicyError(AUTHORIZER_INVALID_JSON.format(detail=f"{e.msg}" if isinstance(e, json.JSONDecodeError)
                                                         else str(e)),
                          "the authorizer's answer is not JSON") from None
    if data is None:
        raise PolicyError(AUTHORIZER_UNPARSEABLE_POLICY, "the authorizer returned null instead of "
                          "{principalId, policyDocument}")
    if not isinstance(data, dict):
        raise PolicyError(AUTHORIZER_UNPARSEABLE_POLICY, f"the authorizer returned {_kind(data)}, not an object "
                          "{principalId, policyDocument, context, usageIdentifierKey}")
    for key in data:
        if key not in OUTPUT_KEYS:
            hint = (f"the authorizer's answer has a field {key!r}; API Gateway accepts only "
                    f"{', '.join(OUTPUT_KEYS)}")
            raise PolicyError(AUTHORIZER_UNRECOGNIZED_FIELD.format(field=key), hint)
    principal = _text(data.get("principalId"), "principalId")
    statements = _statements(data.get("policyDocument"))
    return AuthorizerOutput(principal, statements, _context(data.get("context")),
                            _text(data.get("usageIdentifierKey"), "usageIdentifierKey"))


def evaluate(statements: tuple[Statement, ...], arn: str) -> tuple[Verdict, Statement | None]:
    """The verdict for `arn` and the statement that decided it (None for an implicit deny)."""
    allow: Statement | None = None
    for statement in statements:
        if statement.applies(arn):
            if statement.effect == "Deny":
                return "explicit_deny", statement
            allow = allow or statement
    return ("allow", allow) if allow is not None else ("implicit_deny", None)


def policy_statements(document: Any) -> tuple[Statement, ...]:
    """A `policyDocument`'s statements as IAM reads them (also an HTTP API authorizer's IAM answer, whose other keys
    are read by httpapi/lambda_authorizer.py); PolicyError when it is not one."""
    return _statements(document)


def stringify(value: Any) -> str | None:
    """A context value as the integration sees it (aws-auth.md §1.9): JSON's own text for numbers and booleans."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


# -- reading ---------------------------------------------------------------------------------------------------
def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean"}.get(type(value), "a number")


def _text(value: Any, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        raise PolicyError(AUTHORIZER_INVALID_JSON.format(detail=f"{field} is not a string"),   # [UNCERTAIN] text
                          f"{field} must be a string, got {_kind(value) if isinstance(value, list) else 'an object'}")
    return stringify(value)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PolicyError(AUTHORIZER_UNPARSEABLE_POLICY, f"{where} must be a string or a list of strings, got "
                      f"{json.dumps(value)}")


def _statements(document: Any) -> tuple[Statement, ...]:
    if not isinstance(document, dict):
        raise PolicyError(AUTHORIZER_UNPARSEABLE_POLICY, "the answer has no policyDocument object "
                          "({\"Version\": \"2012-10-17\", \"Statement\": [...]})")
    raw = document.get("Statement", [])
    raw = [raw] if isinstance(raw, dict) else raw
    if not isinstance(raw, list):
        raise PolicyError(AUTHORIZER_UNPARSEABLE_POLICY, "policyDocument.Statement must be an object or a list")
    out = []
    for i, entry in enumerate(raw):
        where = f"policyDocument.Statement[{i}]"
        if not isinstance(entry, dict):
            raise PolicyError(AUTHORIZER_UNPARSEABLE_POLICY, f"{where} must be an object")
        effect = entry.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyError(AUTHORIZER_UNPARSEABLE_POLICY, f"{where}.Effect must be \"Allow\" or \"Deny\" (as "
                              f"IAM spells them), got {json.dumps(effect)}")
        not_action, not_resource = "NotAction" in entry, "NotResource" in entry
        actions = _strings(entry.get("NotAction" if not_action else "Action"), f"{where}.Action")
        resources = _strings(entry.get("NotResource" if not_resource else "Resource"), f"{where}.Resource")
        out.append(Statement(effect, actions, resources, not_action, not_resource))
    return tuple(out)


def _context(value: Any) -> tuple[tuple[str, str | None], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise PolicyError(AUTHORIZER_INVALID_JSON.format(detail="context is not an object"),   # [UNCERTAIN] text
                          "context must be an object of strings, numbers and booleans")
    out = []
    for key, item in value.items():
        if isinstance(item, (dict, list)):
            raise PolicyError(AUTHORIZER_INVALID_JSON.format(detail=f"context.{key} is not a primitive"),
                              f"context.{key} is {'an array' if isinstance(item, list) else 'an object'}; API "
                              "Gateway accepts only strings, numbers and booleans in context (JSON-encode it)")
        out.append((str(key), stringify(item)))
    return tuple(out)


@lru_cache(maxsize=256)
def _action_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern),
                      re.IGNORECASE | re.DOTALL)


def _action_like(pattern: str, action: str) -> bool:
    return _action_pattern(pattern).fullmatch(action) is not None
