"""The fix of a doctor finding, said for the deployed resource it names: the AWS CLI command (and the console's
path) with the real function name, API id, resource id, stage and region, after the code or template fix.

The commands are AWS CLI v2's (`aws lambda add-permission`, `update-function-configuration`,
`update-function-code`, `delete-function-concurrency`; `aws apigateway update-integration`, `create-deployment`,
`update-stage`), each as its CLI reference spells it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..arns import sam_permission_arn
from ..doctor.findings import Check, Finding
from .deployed import DeployedStage

_ROUTE = re.compile(r"^(?P<verb>[A-Z]+) (?P<path>/\S*)(?: \(resource (?P<rverb>[A-Z]+) (?P<rpath>/\S*)\))?:")
_TIMEOUT = re.compile(r"at most (?P<seconds>\d+) s")


@dataclass(frozen=True)
class Context:
    stage: DeployedStage
    function: str        # the function's name ("" for the API's own checks)

    @property
    def region(self) -> str:
        return self.stage.ref.region

    def deploy(self) -> str:
        ref = self.stage.ref
        return (f"`aws apigateway create-deployment --rest-api-id {ref.api_id} --stage-name {ref.stage} "
                f"--region {ref.region}`")

    def managed(self) -> str:
        stack = self.stage.ref.stack
        return (f" Stack {stack} manages it: make the same change in its template, or the next deployment puts the "
                "old value back." if stack else "")


def for_aws(check: Check, finding: Finding, stage: DeployedStage) -> Finding:
    context = Context(stage, check.function)
    fix = _fix(finding, context)
    return replace(finding, fix=fix + context.managed()) if fix else finding


def _fix(finding: Finding, c: Context) -> str | None:
    rule = finding.rule
    name, region = c.function, c.region
    code = (f"then upload it: `aws lambda update-function-code --function-name {name} --zip-file "
            f"fileb://{name}.zip --region {region}`")
    if rule in ("policy.not-allowed", "policy.real-verb-only"):
        return _permission(finding, c)
    if rule.startswith("package.") or rule in ("handler.dependency-missing", "handler.syntax-error",
                                               "handler.init-failed", "handler.not-callable"):
        return f"{finding.fix} — {code}"
    if rule in ("handler.module-missing", "handler.function-missing", "handler.malformed", "handler.builtin-module"):
        return (f"{finding.fix} — on AWS: `aws lambda update-function-configuration --function-name {name} "
                f"--handler <file>.<function> --region {region}` (Lambda console: {name} > Code > Runtime settings > "
                "Edit > Handler), or fix the package and update-function-code")
    if rule.startswith("response."):
        return f"{finding.fix} — {code}"
    if rule == "limits.timeout-over-integration":
        seconds = _TIMEOUT.search(finding.fix)
        value = seconds.group("seconds") if seconds else "<seconds>"
        return (f"{finding.fix} — `aws lambda update-function-configuration --function-name {name} --timeout {value} "
                f"--region {region}`")
    if rule == "limits.reserved-concurrency-zero":
        return (f"`aws lambda delete-function-concurrency --function-name {name} --region {region}` (or "
                f"`put-function-concurrency --reserved-concurrent-executions <n>`; Lambda console: {name} > "
                "Configuration > Concurrency)")
    if rule == "limits.runtime-deprecated":
        return (f"{finding.fix} — `aws lambda update-function-configuration --function-name {name} --runtime "
                f"<supported runtime> --region {region}` after testing the code on it")
    if rule == "integration.http-method":
        return _integration(finding, c, "op=replace,path=/httpMethod,value=POST")
    if rule == "integration.function-not-found":
        return _integration(finding, c, f"op=replace,path=/uri,value=arn:aws:apigateway:{region}:lambda:path/"
                                        "2015-03-31/functions/<function ARN>/invocations",
                            "Create the function, or point the integration at one that exists: ")
    return None


def _route(finding: Finding) -> tuple[str, str] | None:
    found = _ROUTE.match(finding.title)
    if not found:
        return None
    return (found.group("rverb") or found.group("verb"), found.group("rpath") or found.group("path"))


def _permission(finding: Finding, c: Context) -> str:
    ref, deployment = c.stage.ref, c.stage.deployment
    verb, path = _route(finding) or ("*", "*")
    arn = sam_permission_arn(ref.region, deployment.account_id, ref.api_id, verb, path)
    statement = re.sub(r"[^A-Za-z0-9_]+", "-", f"apigateway-{ref.api_id}-{verb}-{path}").strip("-")[:100]
    return (f"`aws lambda add-permission --function-name {c.function} --statement-id {statement} --action "
            f"lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn \"{arn}\" --region "
            f"{ref.region}` (every stage and the console's test-invoke-stage; Lambda console: {c.function} > "
            "Configuration > Permissions > Resource-based policy statements > Add permissions, AWS service API "
            "Gateway, the same Source ARN)")


def _integration(finding: Finding, c: Context, patch: str, lead: str = "") -> str:
    ref = c.stage.ref
    route = _route(finding)
    verb, path = route if route else ("<METHOD>", "")
    rid = c.stage.resource_ids.get(path, "<resource-id>")
    return (f"{lead}`aws apigateway update-integration --rest-api-id {ref.api_id} --resource-id {rid} --http-method "
            f"{verb} --patch-operations {patch} --region {ref.region}`, then {c.deploy()}")
