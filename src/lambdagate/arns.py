"""Every ARN rule lambdagate needs, spelled once (fact sheet §6, §10.3).

- A Lambda function ARN is `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`; a resource policy may
  name the function by name, by ARN, by partial ARN (`<account>:function:<name>`) or, in a template, by logical id.
- API Gateway presents `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<verb>/<resource path without the
  leading slash>` as the call's SourceArn, and Lambda matches a statement's SourceArn with `ArnLike`: `*` any run of
  characters, `/` included, `?` one character.
- SAM writes the permission of an Api event for `<apiId>/*/<METHOD, or * for ANY>/<path with {x} as *>`
  (aws/serverless-application-model, eventsources/push.py).
"""

from __future__ import annotations

import re
from functools import lru_cache


def function_name(arn: str) -> str:
    """`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` (or a partial ARN) -> `<name>`; anything
    else is taken to be a name already."""
    return arn.split(":function:", 1)[1].split(":", 1)[0] if ":function:" in arn else arn


def unqualified(arn: str) -> str:
    """A function ARN without its `:<alias or version>` qualifier (an integration may invoke an alias, as SAM's
    AutoPublishAlias makes it do); lambdagate runs every qualifier on the function's one code."""
    head, sep, rest = arn.partition(":function:")
    return f"{head}{sep}{rest.split(':', 1)[0]}" if sep else arn


def function_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


def names_function(target: str, name: str, arn: str, logical_id: str | None = None) -> bool:
    """Does a policy's or integration's `target` (name, ARN, partial or qualified ARN, logical id) designate the
    function `name` / `arn`?"""
    if target in (name, arn) or (logical_id is not None and target == logical_id):
        return True
    return ":function:" in target and function_name(target) == name


def execute_api_arn(region: str, account: str, api_id: str, stage: str, verb: str, path: str) -> str:
    """The SourceArn of a call through `stage` for `verb` on `path` (a resource template or a real path)."""
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{verb}/{path.lstrip('/')}"


def sam_permission_arn(region: str, account: str, api_id: str, verb: str, path: str) -> str:
    """The SourceArn SAM gives an Api event's implicit permission: any stage, `*` for ANY and for `{x}`."""
    verb = "*" if verb.upper() in ("ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD") else verb.upper()
    parts = "/".join("*" if p.startswith("{") and p.endswith("}") else p for p in path.split("/") if p)
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/*/{verb}/{parts}"


@lru_cache(maxsize=4096)
def _arn_like(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.DOTALL)


def arn_like(pattern: str, value: str) -> bool:
    """IAM's ArnLike/StringLike: `*` any run of characters (`/` and `:` included), `?` one character."""
    return _arn_like(pattern).fullmatch(value) is not None


_USER_POOL_ARN = re.compile(r"^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):(\d{12}):userpool/([\w-]+_[0-9A-Za-z]+)$")


def user_pool_id(arn: str) -> str | None:
    """`arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>` -> the pool id."""
    m = _USER_POOL_ARN.match(arn)
    return m.group(3) if m else None


def execute_api_parts(arn: str) -> list[str] | None:
    """[region, account, api id, stage, verb, resource path] of an execute-api ARN (pattern or value)."""
    head = arn.split(":", 5)
    if len(head) != 6 or head[2] != "execute-api":
        return None
    return head[3:5] + head[5].split("/", 3)
