"""The root of the model: what `definition.loader.load` returns and every other part reads."""

from __future__ import annotations

from dataclasses import dataclass

from .auth import ApiKey, UsagePlan
from .function import Function, Permission
from .httpapi import HttpApi
from .restapi import Api


@dataclass(frozen=True)
class Deployment:
    """Everything one template deploys that lambdagate serves: REST APIs and HTTP APIs side by side."""

    apis: tuple[Api, ...]
    functions: dict[str, Function]     # by ARN
    permissions: tuple[Permission, ...]
    region: str
    account_id: str
    warnings: tuple[str, ...] = ()
    http_apis: tuple[HttpApi, ...] = ()
    api_keys: tuple[ApiKey, ...] = ()
    usage_plans: tuple[UsagePlan, ...] = ()

    def function_by_arn(self, arn: str) -> Function | None:
        """By ARN; a qualified ARN (`...:function:name:live`) designates the function (arns.unqualified)."""
        found = self.functions.get(arn)
        if found is None and arn.count(":") == 7:
            found = self.functions.get(arn.rsplit(":", 1)[0])
        return found
