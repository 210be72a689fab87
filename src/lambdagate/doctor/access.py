"""Who may call (aws-auth.md), for the template as a whole: what makes every call of some methods fail before any
function of them runs.

- A Lambda authorizer whose function is not in the template: 500 `{"message":null}` for its methods.
- A Cognito authorizer whose user pool has no keys here (no `--user-pool-jwks`, no pool made by `lambdagate
  tokens`): its tokens can only be checked with the pool's own keys, fetched from its issuer while serving.
- A method that requires an API key where no enabled key is in a usage plan of its stage: 403 Forbidden always.
(An authorizer function's resource policy and handler are checked with the functions: policy.py, handler.py.)
"""

from __future__ import annotations

from ..arns import user_pool_id
from ..auth.api_keys import unusable_methods
from ..auth.user_pool_keys import JWKS_FLAG, UserPoolKeys
from ..definition.model.deployment import Deployment
from .findings import Check, Evidence, Finding
from .targets import lambda_authorizers


def check(deployment: Deployment, pool_keys: UserPoolKeys) -> Check:
    result = Check("access", "")
    _authorizer_functions(deployment, result)
    pools = _user_pools(deployment, pool_keys, result)
    for api, resource, method in unusable_methods(deployment):
        label = f"{method.http_method} {resource.path} ({api.logical_id}, stage {api.stage.name})"
        result.findings.append(Finding(
            "access.api-key-without-usage-plan", "error", f"{label} requires an API key that no usage plan "
            "accepts", "API Gateway accepts an API key only when it is enabled and in a usage plan whose ApiStages "
            "hold the API's stage (AGDG api-gateway-api-usage-plans); otherwise every call answers 403 "
            "{\"message\":\"Forbidden\"} (ForbiddenException).",
            "Add an AWS::ApiGateway::UsagePlan with this API and stage in ApiStages, an AWS::ApiGateway::ApiKey "
            "(Enabled: true) and an AWS::ApiGateway::UsagePlanKey joining them, or SAM's Auth.UsagePlan: "
            "{CreateUsagePlan: PER_API}.", (Evidence.at(method.location, f"{label}: ApiKeyRequired"),)))
    methods = sum(len(r.methods) for api in deployment.apis for r in api.resources)
    keyed = sum(m.auth.api_key_required for api in deployment.apis for r in api.resources for m in r.methods.values())
    result.summary = (f"{len(lambda_authorizers(deployment))} Lambda authorizer(s), {pools} Cognito user pool(s), "
                      f"{keyed} of {methods} method(s) requiring an API key, {len(deployment.usage_plans)} usage "
                      "plan(s)")
    return result


def _authorizer_functions(deployment: Deployment, result: Check) -> None:
    for api, authorizer in lambda_authorizers(deployment):
        arn = authorizer.function_arn
        if arn is not None and deployment.function_by_arn(arn) is not None:
            continue
        result.findings.append(Finding(
            "access.authorizer-function-not-in-template", "warning",
            f"authorizer {authorizer.name} ({api.logical_id}) invokes {arn or authorizer.uri!r}, which is not a "
            "function of this template",
            "If API Gateway cannot invoke the authorizer's function, every call of its methods answers 500 "
            "{\"message\":null} (AuthorizerConfigurationException); lambdagate cannot run a function outside the "
            "template and answers so.",
            "Point the authorizer at a function of the template (FunctionArn: !GetAtt <Function>.Arn), or give "
            "lambdagate its code with --functions NAME=PATH:HANDLER:RUNTIME.",
            (Evidence.at(authorizer.location, f"authorizer {authorizer.name}"),)))


def _user_pools(deployment: Deployment, keys: UserPoolKeys, result: Check) -> int:
    seen: set[str] = set()
    for api in deployment.apis:
        for authorizer in api.authorizers:
            if authorizer.type != "COGNITO_USER_POOLS":
                continue
            for arn in authorizer.provider_arns:
                pool = user_pool_id(arn)
                where = Evidence.at(authorizer.location, f"authorizer {authorizer.name}: {arn}")
                if pool is None:
                    result.findings.append(Finding(
                        "access.user-pool-arn", "error", f"authorizer {authorizer.name} ({api.logical_id}): "
                        f"{arn!r} is not a user pool ARN", "API Gateway checks Cognito tokens against the pools "
                        "of the authorizer's providerARNs (arn:aws:cognito-idp:<region>:<account>:userpool/<id>); "
                        "a token can match no pool here, so every call answers 401.",
                        "Give UserPoolArn as !GetAtt <UserPool>.Arn or the pool's ARN.", (where,)))
                    continue
                if pool in seen or keys.local_file(pool) is not None:
                    seen.add(pool)
                    continue
                seen.add(pool)
                result.findings.append(Finding(
                    "access.user-pool-without-keys", "warning", f"authorizer {authorizer.name} "
                    f"({api.logical_id}): user pool {pool} has no keys here",
                    "API Gateway checks a token's signature with its pool's keys. With none here, `serve` fetches "
                    "the pool's public JWKS from its issuer when the first token comes: that needs the network and a "
                    "real pool, and then only tokens of that real pool pass.",
                    f"For local tests, make the pool's keys and a token with `lambdagate tokens {pool}`; for tokens "
                    f"of the real pool offline, save its JWKS and give it with {JWKS_FLAG} {pool}=FILE.", (where,)))
    return len(seen)
