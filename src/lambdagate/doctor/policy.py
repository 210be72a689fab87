"""Resource policy: every API, stage, method and resource that integrates the function may invoke it, by an
AWS::Lambda::Permission of the template or a statement of `--policy FILE` (`aws lambda get-policy` output).

The decision is `permission.decide` on the SourceArn of `permission.source_arns` (fact sheet §6, §10.3: the
method's verb, `ANY` included, and the resource template); a statement that almost matches is shown with the part
that differs. A statement of --policy names the real API id and account, which lambdagate cannot know: when only
those parts differ, the statement is counted as allowing the call and the ids are shown for the user to compare.
"""

from __future__ import annotations

from ..arns import arn_like, execute_api_parts, sam_permission_arn
from ..auth.lambda_authorizer import source_arn
from ..definition.model.deployment import Deployment
from ..definition.model.function import Permission
from ..definition.model.httpapi import DEFAULT_ROUTE
from ..httpapi import causes as http_causes
from ..httpapi.invocation import source_arns as http_source_arns
from ..permission import (
    API_GATEWAY_PRINCIPALS,
    INVOKE_ACTIONS,
    call_context,
    condition_holds,
    decide,
    names_function,
    source_arns,
)
from .findings import Check, Evidence, Finding, shown
from .targets import HttpApiRoute, Route, Target, http_proxy_routes, proxy_routes

_PARTS = ("region", "account", "API id", "stage", "method", "resource path")
_IDENTITY = _PARTS[:3]


def check(deployment: Deployment, target: Target, extra: frozenset[Permission]) -> Check:
    """`extra`: the statements of --policy files (their API id and account are the deployed API's)."""
    result = Check("policy", target.logical_id)
    fn = target.function
    if not target.routes and not target.authorizers and not target.http_routes:
        result.skipped = "no API integrates this function"
        return result
    combined = deployment
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
    _authorizers(deployment, target, allowed, result)
    for ref in target.http_routes:
        _http_route(deployment, target, ref, template_file, allowed, result)
    result.summary = "; ".join(
        f"{', '.join(labels) if len(labels) <= 3 else f'{len(labels)} routes'}: {by}" for by, labels in allowed.items())
    return result


def _authorizers(deployment: Deployment, target: Target, allowed: dict[str, list[str]], result: Check) -> None:
    """A Lambda authorizer's function must let `<apiId>/authorizers/<authorizerId>` invoke it unless the authorizer
    has credentials (aws-auth.md §1.1 [DOC]; [REC] LOG-2017's X-Amz-Source-Arn)."""
    for api, authorizer in target.authorizers:
        label = f"authorizer {authorizer.name} ({api.logical_id})"
        if authorizer.credentials:
            allowed.setdefault(f"the authorizer's credentials role {authorizer.credentials} (not checked)",
                               []).append(label)
            continue
        arn = source_arn(deployment, api, authorizer)
        decision = decide(deployment, target.function, (arn,))
        if decision.allowed:
            file = target.template.file if target.template is not None else None
            allowed.setdefault(decision.reason.replace(file, shown(file)) if file else decision.reason,
                               []).append(label)
            continue
        evidence = [Evidence.at(authorizer.location, f"{label} invokes {target.logical_id}")]
        evidence += [Evidence.at(s.location, f"SourceArn {s.source_arn}: " + "; ".join(
            _differences(s, arn, deployment) or ["matches"])) for s in _statements(deployment, target)]
        sub = f"arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{api.logical_id}}}/authorizers/*"
        result.findings.append(Finding(
            "policy.authorizer-not-allowed", "error", f"{label}: no statement allows {arn}",
            "API Gateway answers 500 {\"message\":null} (AuthorizerConfigurationException) to every call of the "
            "authorizer's methods, its log saying `Execution failed due to configuration error: Invalid permissions "
            "on Lambda function` and `Authorizer error`, when the function's resource policy does not let "
            "<apiId>/authorizers/<authorizerId> invoke it.",
            f"Add to the template: Type: AWS::Lambda::Permission, Properties: {{FunctionName: !GetAtt "
            f"{target.logical_id}.Arn, Action: lambda:InvokeFunction, Principal: apigateway.amazonaws.com, "
            f"SourceArn: !Sub {sub}}} (SAM adds it for the authorizers of an AWS::Serverless::Api unless "
            "FunctionInvokeRole is set), or give the authorizer a FunctionInvokeRole.", tuple(evidence)))


def _http_route(deployment: Deployment, target: Target, ref: HttpApiRoute, template_file: str | None,
                allowed: dict[str, list[str]], result: Check) -> None:
    """An HTTP API route on each of its API's stages: the SourceArns API Gateway presents (httpapi/invocation.py,
    aws-http-api.md §1.7), decided as `serve` decides them."""
    integration = ref.route.integration
    if integration is not None and integration.credentials:
        allowed.setdefault(f"the integration's credentials role {integration.credentials} (not checked)",
                           []).append(ref.label)
        return
    verb = "GET" if ref.route.method in ("ANY", DEFAULT_ROUTE) else ref.route.method
    refused = []
    for stage in ref.api.stages:
        arns = http_source_arns(deployment.region, deployment.account_id, ref.api.id, stage.name, ref.route.route_key,
                                verb)
        decision = decide(deployment, target.function, arns)
        if decision.allowed:
            by = decision.reason.replace(template_file, shown(template_file)) if template_file else decision.reason
            allowed.setdefault(by, []).append(f"{ref.label} ({ref.api.logical_id})")
        else:
            refused.append(arns[0])
    if refused:
        evidence = [Evidence.at(ref.location, f"{ref.long_label} integrates {target.logical_id}")]
        evidence += [Evidence.at(s.location, f"SourceArn {s.source_arn}: " + "; ".join(
            _differences(s, refused[0], deployment) or ["matches"])) for s in _statements(deployment, target)]
        result.findings.append(Finding(
            "policy.not-allowed", "error", f"{ref.label} ({ref.api.logical_id}): no statement allows {refused[0]}",
            http_causes.NO_PERMISSION.explanation, _http_fix(ref, target), tuple(evidence)))


def _http_fix(ref: HttpApiRoute, target: Target) -> str:
    """SAM's rule for an HttpApi event's permission: `<apiId>/*/<METHOD or *><path, variables as *>`, `/*/*` for the
    $default route (aws-http-api.md §1.1, push.py `HttpApi._get_permission`)."""
    route = ref.route
    if route.path is None:
        tail = "*/*"
    else:
        verb, path = route.method, route.path
        tail = sam_permission_arn("r", "a", "i", verb, path).split(":i/", 1)[1]
    sub = f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{ref.api.logical_id}}}/{tail}"
    cli = f"arn:aws:execute-api:<region>:<account-id>:<api-id>/{tail}"
    return (f"Add to the template: Type: AWS::Lambda::Permission, Properties: {{FunctionName: !GetAtt "
            f"{target.logical_id}.Arn, Action: lambda:InvokeFunction, Principal: apigateway.amazonaws.com, "
            f"SourceArn: !Sub {sub}}} (SAM adds it for an HttpApi event) — or `aws lambda add-permission "
            f"--function-name {target.function.name} --statement-id apigateway-{ref.api.logical_id.lower()} "
            f"--action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn \"{cli}\"`")


def _statements(deployment: Deployment, target: Target) -> list[Permission]:
    """The statements naming the function, as `permission.decide` selects them."""
    return [s for s in deployment.permissions if names_function(s, target.function)]


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
    verb, path = route.method.http_method, route.resource.path
    sub = sam_permission_arn("${AWS::Region}", "${AWS::AccountId}", f"${{{route.api.logical_id}}}", verb, path)
    cli = sam_permission_arn("<region>", "<account-id>", "<api-id>", verb, path)
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
    if statement.effect == "Deny":
        out.append("Effect Deny: the statement refuses the calls it matches")
    context = call_context(deployment, arn)
    for condition in statement.conditions:
        if condition_holds(condition, context):
            continue
        if condition.key == "aws:sourcearn" and condition.operator in ("ArnLike", "ArnEquals", "StringLike"):
            out += _arn_differences(condition.values[0] if condition.values else "", arn)
        elif condition.key == "aws:sourceaccount" and "Not" not in condition.operator:
            out.append(f"account: SourceAccount {', '.join(condition.values)} is not {deployment.account_id}")
        else:
            out.append(f"{condition.operator} {condition.key}: {', '.join(condition.values)} does not hold for "
                       f"{context[condition.key]}")
    return out


def _arn_differences(pattern: str, arn: str) -> list[str]:
    """Part by part with ArnLike; a pattern with fewer parts compares its last part with the rest."""
    wanted, value = execute_api_parts(pattern), execute_api_parts(arn)
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
    http_routes = http_proxy_routes(deployment)
    result.summary = f"{len(routes)} Lambda proxy integration(s)" + (
        f", {len(http_routes)} HTTP API route(s) (their integrations are checked at start-up)" if http_routes else "")
    return result
