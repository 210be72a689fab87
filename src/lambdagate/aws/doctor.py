"""`lambdagate doctor --aws`: the doctor's own checks (doctor/handler, package, policy, response, limits,
integrations) on what a stage serves, plus the stage's settings; findings name the AWS resource and the CLI fix.

The code is the deployed package, unpacked in a temporary folder and invoked in real execution environments as the
local doctor does. It runs with AWS cut off: AWS_ENDPOINT_URL points at a closed local port and the credentials are
placeholders, so the function's own AWS calls fail here instead of acting on the account.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

from .. import causes as catalogue
from ..config import Source
from ..doctor import handler, invoke, limits, package, policy, response
from ..doctor.findings import Check, Evidence, Finding, Report, shown
from ..doctor.targets import Target, proxy_routes
from ..runtime.launchers import Runtimes
from . import deployed, fixes
from .access import AwsAccess
from .deployed import DeployedStage
from .target import StageRef

# AWS calls of the deployed code, invoked here, go nowhere (botocore and the AWS SDK for JavaScript v3 read
# AWS_ENDPOINT_URL; port 9 is discard, closed on a workstation)
CUT_OFF = (("AWS_ENDPOINT_URL", "http://127.0.0.1:9"), ("AWS_ACCESS_KEY_ID", "lambdagate-doctor-placeholder"),
           ("AWS_SECRET_ACCESS_KEY", "lambdagate-doctor-placeholder"), ("AWS_SESSION_TOKEN", "placeholder"))
_CUT_MARKS = ("127.0.0.1:9", "Could not connect to the endpoint URL", "ECONNREFUSED")


def examine(access: AwsAccess, refs: list[StageRef], today: date | None = None, download: bool = True) -> Report:
    title = "; ".join(str(ref) for ref in refs) + f" in {access.region}"
    report = Report(title, [])
    with tempfile.TemporaryDirectory(prefix="lambdagate-aws-") as folder:
        for n, ref in enumerate(refs):
            workdir = Path(folder) / str(n)
            workdir.mkdir()
            stage = deployed.read(access, ref, workdir if download else None)
            report.notes += [f"{ref}: methods read from {stage.source}"] + stage.notes
            report.checks += [_renamed(check, stage, workdir) for check in _checks(stage, workdir, today)]
            if ref.stack:
                report.notes.append(f"stack {ref.stack} manages {ref.api_id}: the CLI fixes below change the account "
                                    "directly; make the same change in the stack's template")
    operations = ", ".join(sorted({op for _, op in access.calls}))
    operations = ", ".join(sorted({op for _, op in access.calls}))
    report.notes.append(f"{len(access.calls)} read-only AWS calls ({operations})")
    return report


def _checks(stage: DeployedStage, workdir: Path, today: date | None) -> list[Check]:
    dep = stage.deployment
    routes = proxy_routes(dep)
    targets = [Target(fn, [r for r in routes if r.method.integration.function_arn == arn],
                      zip_path=stage.functions[arn].package) for arn, fn in dep.functions.items()]
    cut = replace(dep, functions={arn: replace(fn, environment=fn.environment + CUT_OFF)
                                  for arn, fn in dep.functions.items()})
    plans = {t.function.arn: [invoke.route_probe(cut, r) for r in t.routes] or [invoke.import_probe(t.function)]
             for t in targets if t.zip_path is not None}
    source = Source(template=workdir / "deployed.json")   # stands for the deployed API: state under workdir
    if plans:
        asyncio.run(invoke.run(cut, source, plans))
    runtimes = Runtimes(source.state_dir)
    out: list[Check] = []
    for target in targets:
        info = stage.functions[target.function.arn]
        probes = plans.get(target.function.arn, [])
        if info.package is None:
            out += [Check(family, target.logical_id, skipped=info.unavailable)
                    for family in ("handler", "package", "response")]
        else:
            first = handler.check(target)
            if probes and probes[0].init_failed:
                handler.add_init_failure(first, target, probes[0])
            out += [first, package.check(target, True), _cut_off(response.check(target, probes))]
        if info.policy_error is not None:
            out.append(Check("policy", target.logical_id, skipped=f"the resource policy cannot be evaluated: "
                                                                   f"{info.policy_error}"))
        else:
            out.append(policy.check(dep, target, frozenset()))
        out.append(limits.check(target, probes, runtimes, today or date.today(), []))
    out.append(_integrations(stage))
    out.append(_stage(stage))
    return out


def _cut_off(check: Check) -> Check:
    """A function error that comes from the cut-off AWS endpoint says nothing about the deployed function."""
    kept = [f for f in check.findings if not any(mark in f.title + str(f.evidence) for mark in _CUT_MARKS)]
    if len(kept) < len(check.findings):
        check.summary = (check.summary + "; " if check.summary else "") + (
            f"{len(check.findings) - len(kept)} answer(s) need AWS services, which lambdagate does not call from "
            "the deployed code (not checked)")
        check.findings = kept
    return check


def _integrations(stage: DeployedStage) -> Check:
    check = policy.check_integrations(stage.deployment)
    missing = {arn for arn, f in stage.functions.items() if f.configuration is None}
    for n, finding in enumerate(check.findings):
        if finding.rule == "integration.function-not-in-template":
            arn = next((a for a in missing if a in finding.title), None)
            if arn is not None:
                check.findings[n] = replace(
                    finding, rule="integration.function-not-found", level="error",
                    title=finding.title.replace("which is not a function of this template",
                                                f"which does not exist in {stage.ref.region} (GetFunction: not found)"),
                    cause="API Gateway answers 502 with `Execution failed due to configuration error: Function not "
                          "found: <arn>` for every request to this method (fact sheet §10.10b).")
    _binary_transform(stage, check)
    return check


def _binary_transform(stage: DeployedStage, check: Check) -> None:
    """A body treated as binary meets a mapping template: `Unable to transform request`, 500 (fact sheet §10.13)."""
    [api] = stage.deployment.apis
    types = [t for t in api.binary_media_types if t]
    if not types:
        return
    for item in stage.resources:
        for verb, method in (item.get("resourceMethods") or {}).items():
            integration = method.get("methodIntegration") or {}
            if integration.get("type") in ("AWS_PROXY", "HTTP_PROXY", None) or not integration.get("requestTemplates") \
                    or integration.get("contentHandling"):
                continue
            path = str(item.get("path"))
            every = "*/*" in types
            check.findings.append(Finding(
                "integration.binary-transform", "error" if every else "warning",
                f"{verb} {path}: a {integration.get('type')} integration with a mapping template and no "
                f"contentHandling, on an API whose binaryMediaTypes are {', '.join(types)}",
                catalogue.UNABLE_TO_TRANSFORM_REQUEST.explanation + (
                    " `*/*` makes every request's body binary, a CORS preflight's included." if every else
                    f" Requests whose Content-Type is one of {', '.join(types)} fail so."),
                catalogue.UNABLE_TO_TRANSFORM_REQUEST.fix.replace("<api-id>", stage.ref.api_id).replace(
                    "<resource-id>", str(item.get("id"))).replace("--http-method OPTIONS", f"--http-method {verb}"),
                (Evidence(f"{verb} {path} ({integration.get('type')}, requestTemplates "
                          f"{', '.join(integration.get('requestTemplates') or {})})",
                          stage.method_arn(path, verb)),
                 Evidence(f"binaryMediaTypes: {', '.join(types)}", stage.ref.arn))))


def _stage(stage: DeployedStage) -> Check:
    """Execution logging (AGDG set-up-logging.html) and changes not deployed to the stage."""
    ref = stage.ref
    check = Check("stage", "")
    settings = (stage.stage.get("methodSettings") or {}).get("*/*") or {}
    level = str(settings.get("loggingLevel") or "OFF")
    trace = bool(settings.get("dataTraceEnabled"))
    where = Evidence(f"stage {ref.stage}: methodSettings */* loggingLevel {level}, dataTraceEnabled "
                     f"{str(trace).lower()}", ref.arn)
    if level == "OFF":
        check.findings.append(Finding(
            "stage.execution-logging-off", "warning", f"execution logging is off for stage {ref.stage}",
            f"API Gateway writes no execution log (API-Gateway-Execution-Logs_{ref.api_id}/{ref.stage}): a 5XX "
            "leaves no `Execution failed due to ...` line to read, only the function's own log, and `lambdagate "
            "explain --aws` can name fewer causes.",
            enable_logging(ref), (where,)))
    check.summary = (f"execution logging {level}{' with data tracing' if trace else ''}; access logging "
                     f"{'on' if stage.stage.get('accessLogSettings') else 'off'}")
    if stage.undeployed:
        shown_methods = ", ".join(stage.undeployed[:8]) + (" ..." if len(stage.undeployed) > 8 else "")
        check.findings.append(Finding(
            "stage.undeployed-changes", "warning",
            f"{len(stage.undeployed)} method(s) of the API are not deployed to stage {ref.stage}: {shown_methods}",
            "Changes to an API's resources take effect on a stage only when deployed to it; until then a request "
            "for them answers 403 Missing Authentication Token (fact sheet §3).",
            f"`aws apigateway create-deployment --rest-api-id {ref.api_id} --stage-name {ref.stage} --region "
            f"{ref.region}` (console: Resources > Deploy API)", (Evidence(f"GetResources of {ref.api_id}", ref.arn),)))
    return check


def enable_logging(ref: StageRef) -> str:
    """Execution logging: the stage's method setting, and once per account and region a CloudWatch Logs role."""
    return (f"`aws apigateway update-stage --rest-api-id {ref.api_id} --stage-name {ref.stage} --patch-operations "
            "op=replace,path=/*/*/logging/loglevel,value=INFO op=replace,path=/*/*/logging/dataTrace,value=true "
            f"--region {ref.region}`; once per account and region API Gateway needs a role to write logs: `aws "
            "apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=<ARN of a role "
            "with AmazonAPIGatewayPushToCloudWatchLogs>` (console: the stage > Logs and tracing > Edit; Settings > "
            "CloudWatch log role ARN)")


def _renamed(check: Check, stage: DeployedStage, workdir: Path) -> Check:
    """Temporary paths as Lambda sees them (/var/task/...), files as the function's ARN, fixes for AWS."""
    names = {f.name: f.arn for f in stage.functions.values()}
    arn = next((names[n] for n in names if n == check.function), stage.ref.arn)

    def text(value: str) -> str:
        for name in names:
            for base in (str(workdir), shown(workdir)):
                value = value.replace(f"deployment package {base}/{name}.zip", f"the deployed package of {name}")
                value = value.replace(f"{base}/{name}.zip", f"the deployed package of {name}")
                value = value.replace(f"{base}/{name}/", "/var/task/").replace(f"{base}/{name}", "/var/task")
        return value

    def evidence(item: Evidence) -> Evidence:
        if item.file is None or not (item.file.startswith(str(workdir)) or item.file.startswith(shown(workdir))):
            return Evidence(text(item.text), item.file, item.line)
        where = text(item.file) + (f":{item.line}" if item.line else "")
        said = text(item.text)
        return Evidence(said if where in said else (f"{where}: {said}" if said else where), arn)

    check.findings = [fixes.for_aws(check, replace(f, title=text(f.title), cause=text(f.cause), fix=text(f.fix),
                                                   evidence=tuple(evidence(e) for e in f.evidence)), stage)
                      for f in check.findings]
    check.summary = text(check.summary)
    check.skipped = text(check.skipped) if check.skipped else None
    return check
