"""`AWS::Cognito::UserPool` and `AWS::Cognito::UserPoolClient` as far as authorizers need them (CloudFormation
template reference): a pool's `Ref` is its ID (`<region>_<id>`), `Arn` `arn:aws:cognito-idp:<region>:<account>:
userpool/<ID>`, `ProviderName` `cognito-idp.<region>.amazonaws.com/<ID>`, `ProviderURL` `https://` + the same; a
client's `Ref` its client id. lambdagate makes stable IDs from the logical ids; `serve` prints them, and `lambdagate
tokens <ID>` makes tokens of that pool."""

from __future__ import annotations

from .resource_ids import ALPHANUMERIC, stable_id
from .stack import Stack

USER_POOL = "AWS::Cognito::UserPool"
USER_POOL_CLIENT = "AWS::Cognito::UserPoolClient"
_CLIENT_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"   # client ids: lowercase alphanumerics


def pool_id(stack: Stack, logical_id: str) -> str:
    return f"{stack.o.region}_{stable_id(f'userpool:{stack.o.stack_name}:{logical_id}', 9, ALPHANUMERIC)}"


def ref(stack: Stack, logical_id: str) -> str | None:
    kind = stack.type_of(logical_id)
    if kind == USER_POOL:
        return pool_id(stack, logical_id)
    if kind == USER_POOL_CLIENT:
        return stable_id(f"client:{stack.o.stack_name}:{logical_id}", 26, _CLIENT_ALPHABET)
    return None


def get_att(stack: Stack, logical_id: str, attribute: str) -> str | None:
    if stack.type_of(logical_id) != USER_POOL:
        return None
    ident = pool_id(stack, logical_id)
    provider = f"cognito-idp.{stack.o.region}.amazonaws.com/{ident}"
    return {"Arn": f"arn:aws:cognito-idp:{stack.o.region}:{stack.o.account_id}:userpool/{ident}",
            "ProviderName": provider, "ProviderURL": f"https://{provider}", "UserPoolId": ident}.get(attribute)
