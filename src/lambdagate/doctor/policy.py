"""Resource policy: every API, stage, method and resource that integrates the function may invoke it, by an
AWS::Lambda::Permission of the template or a statement of `--policy FILE` (`aws lambda get-policy` output).

The decision is `permission.decide` on the SourceArn of `permission.source_arns` (fact sheet §6, §10.3: the
method's verb, `ANY` included, and the resource template); a statement that almost matches is shown with the part
that differs. A statement of --policy names the real API id and account, which lambdagate cannot know: when only
those parts differ, the statement is counted as allowing the call and the ids are shown for the user to compare.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..definition.model import Deployment, Location, Permission
from ..errors import LambdagateError
from ..permission import API_GATEWAY_PRINCIPALS, INVOKE_ACTIONS, arn_like, decide, source_arns
from .findings import Check, Evidence, Finding, shown
from .targets import Route, Target, proxy_routes

_PARTS = ("region", "account", "API id", "stage", "method", "resource path")
_IDENTITY = _PARTS[:3]


def read_policy(path: Path) -> list[Permission]:
    """`{"Policy": "<JSON string>", "RevisionId": ...}` as `aws lambda get-policy` prints it, or the policy."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("Policy"), str):
            data = json.loads(data["Policy"])
    except (OSError, ValueError) as e:
        raise LambdagateError(f"{path}: cannot read the policy (expected `aws lambda get-policy` output): {e}") \
            from None
    statements = data.get("Statement") if isinstance(data, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise LambdagateError(f"{path}: no \"Statement\" list in the policy")
    out = []
    for i, st in enumerate(s for s in statements if isinstance(s, dict)):
        if st.get("Effect", "Allow") != "Allow":
            continue
        condition = st.get("Condition") or {}
        source_arn = _condition(condition, "aws:sourcearn")
        source_account = _condition(condition, "aws:sourceaccount")
        where = Location(f"{path} (statement {st.get('Sid', i + 1)})")
        for action in _list(st.get("Action")):
            for principal in _principals(st.get("Principal")):
                for resource in _list(st.get("Resource")):
                    out.append(Permission(resource, action, principal, source_arn, source_account, where))
    return out


def _list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)] if value is not None else []


def _principals(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [p for kind in ("Service", "AWS") for p in _list(value.get(kind))]
    return _list(value)


def _condition(condition: dict[str, Any], key: str) -> str | None:
    for block in condition.values():
        if isinstance(block, dict):
            for name, value in block.items():
                if name.lower() == key:
                    return _list(value)[0] if _list(value) else None
    return None


def check(deployment: Deployment, target: Target, extra: list[Permission]) -> Check:
    result = Check("policy", target.logical_id)
    fn = target.function
    if not target.routes:
        result.skipped = "no API integrates this function"
        return result
    combined = replace(deployment, permissions=deployment.permissions + tuple(extra))
    allowed: dict[str, list[str]] = {}
    template_file = target.template.file if target.template is not None else None
    for route in target.routes:
        verb, path = route.method.http_method, route.resource.path
        real = "GET" if verb == "ANY" else verb
        arns = source_arns(combined, route.api, verb, path, real, path)
        if route.method.integration.credentials:
            by = f"the integration's credentials role {route.method.integration.credentials} (not checked)"
            allowed.setdefault(by, []).append(route.label)
            continue
        decision = decide(combined, fn, arns[:1])
        if decision.allowed:
            by = decision.reason.replace(template_file, shown(template_file)) if template_file else decision.reason
            allowed.setdefault(by, []).append(route.label)
            continue
        loose = [s for s in _statements(combined, target) if s in extra and
                 _differences(s, arns[0], combined) and
                 all(d.startswith(_IDENTITY) for d in _differences(s, arns[0], combined))]
        if loose:
            ids = ", ".join(sorted({str(s.source_arn) for s in loose}))
            by = f"by {loose[0].location} if its API id and account are this API's ({ids})"
            allowed.setdefault(by, []).append(route.label)
        elif decide(combined, fn, arns).allowed:
            result.findings.append(_finding(route, target, arns, combined, "warning", "policy.real-verb-only",
                                            "allowed only for the real verb and path, not for the method's own "
                                            f"{arns[0]} that API Gateway presents"))  # fact sheet §10.3
        else:
            result.findings.append(_finding(route, target, arns, combined, "error", "policy.not-allowed",
                                            f"no statement allows {arns[0]}"))
    result.summary = "; ".join(
        f"{', '.join(labels) if len(labels) <= 3 else f'{len(labels)} routes'}: {by}" for by, labels in allowed.items())
    return result


def _statements(deployment: Deployment, target: Target) -> list[Permission]:
    """The statements naming the function, as `permission.decide` selects them (name, ARN or logical id)."""
    fn = target.function
    return [s for s in deployment.permissions if s.function in (fn.name, fn.arn, fn.logical_id) or
            s.function.split(":function:")[-1].split(":")[0] == fn.name]


def _finding(route: Route, target: Target, arns: tuple[str, ...], deployment: Deployment, level: str, rule: str,
             what: str) -> Finding:
    """Fact sheet §3, §6, §10.10c [REC]: 500 and the `Invalid permissions` line."""
    evidence = [Evidence.at(route.method.location, f"{route.long_label} integrates {target.logical_id}")]
    for statement in _statements(deployment, target):
        diffs = _differences(statement, arns[0], deployment) or ["matches"]
        evidence.append(Evidence.at(statement.location, f"SourceArn {statement.source_arn}: " + "; ".join(diffs)))
    return Finding(rule, level, f"{route.label}: {what}",
                   "API Gateway answers 500 Internal server error with `Execution failed due to configuration error: "
                   "Invalid permissions on Lambda function` when the function's resource policy does not let it "
                   "invoke the function for this API, stage, method and resource.",
                   _fix(route, target), tuple(evidence))


def _fix(route: Route, target: Target) -> str:
    """SAM's own rule for the permission it generates: `*` for ANY and for path parameters (fact sheet §10.3)."""
    verb = "*" if route.method.http_method == "ANY" else route.method.http_method
    path = "/".join("*" if p.startswith("{") else p for p in route.resource.path.split("/") if p)
    sub = f"arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{route.api.logical_id}}}/*/{verb}/{path}"
    cli = f"arn:aws:execute-api:<region>:<account-id>:<api-id>/*/{verb}/{path}"
    return (f"Add to the template: Type: AWS::Lambda::Permission, Properties: {{FunctionName: !GetAtt "
            f"{target.logical_id}.Arn, Action: lambda:InvokeFunction, Principal: apigateway.amazonaws.com, "
            f"SourceArn: !Sub {sub}}} — or `aws lambda add-permission --function-name {target.function.name} "
            f"--statement-id apigateway-{route.api.logical_id.lower()} --action lambda:InvokeFunction --principal "
            f"apigateway.amazonaws.com --source-arn \"{cli}\"` (LDG services-apigateway.md)")


def _differences(statement: Permission, arn: str, deployment: Deployment) -> list[str]:
    out = []
    if statement.principal not in API_GATEWAY_PRINCIPALS:
        out.append(f"Principal {statement.principal!r} is not apigateway.amazonaws.com")
    if statement.action.lower() not in INVOKE_ACTIONS:
        out.append(f"Action {statement.action!r} is not lambda:InvokeFunction")
    if statement.source_account and statement.source_account != deployment.account_id:
        out.append(f"account: SourceAccount {statement.source_account} is not {deployment.account_id}")
    if statement.source_arn:
        out += _arn_differences(statement.source_arn, arn)
    return out


def _arn_parts(arn: str) -> list[str] | None:
    head = arn.split(":", 5)
    if len(head) != 6 or head[2] != "execute-api":
        return None
    return head[3:5] + head[5].split("/", 3)


def _arn_differences(pattern: str, arn: str) -> list[str]:
    """Part by part with ArnLike; a pattern with fewer parts compares its last part with the rest."""
    wanted, value = _arn_parts(pattern), _arn_parts(arn)
    if wanted is None or value is None:
        return [] if arn_like(pattern, arn) else [f"{pattern} is not an execute-api ARN like {arn}"]
    out = []
    for i, part in enumerate(wanted):
        seen = "/".join(value[i:]) if i == len(wanted) - 1 else (value[i] if i < len(value) else "")
        if not arn_like(part, seen):
            out.append(f"{_PARTS[min(i, 5)]}: {part!r} does not match {seen!r}")
    return out


def check_integrations(deployment: Deployment) -> Check:
    """Routes whose integration cannot reach a function of the template."""
    result = Check("integration", "")
    routes = proxy_routes(deployment)
    for route in routes:
        integration = route.method.integration
        where = Evidence.at(route.method.location, route.long_label)
        if integration.http_method != "POST":  # fact sheet §3 [REC] (LS-snap-lambda non-POST case)
            result.findings.append(Finding(
                "integration.http-method", "error", f"{route.label}: the integration's httpMethod is "
                f"{integration.http_method}", "Lambda is invoked with POST only; API Gateway answers 500 for an "
                "AWS_PROXY integration with another httpMethod.",
                "Set x-amazon-apigateway-integration httpMethod: POST (it is independent of the method's verb).",
                (where,)))
        if integration.function_arn and deployment.function_by_arn(integration.function_arn) is None:  # §10.10b
            result.findings.append(Finding(
                "integration.function-not-in-template", "warning", f"{route.label}: the integration names "
                f"{integration.function_arn}, which is not a function of this template",
                "If no such function exists in that account and region, API Gateway answers 502 with `Execution "
                "failed due to configuration error: Function not found: <arn>`; lambdagate "
                "cannot check a function outside the template.",
                "Point the integration at a function of the template (!GetAtt <Function>.Arn), or make sure the "
                "function, version or alias exists.", (where,)))
    result.summary = f"{len(routes)} Lambda proxy integration(s)"
    return result
