"""`lambdagate doctor`: the 502 checklist of the article, done by a program, for every function behind a Lambda
proxy integration of a REST API or an HTTP API (or those named).

    targets    which functions, their routes, where their settings stand in the template
    handler    Handler fits the runtime; module file, function, import in a clean execution environment
    package    files readable and folders searchable by others; .zip entry modes; a custom runtime's bootstrap
    policy     each route (and Lambda authorizer) may invoke the function (template permissions, --policy);
               integrations that cannot work
    access     who may call: authorizer functions outside the template, Cognito pools without keys, API keys that
               no usage plan accepts
    response   each route's answer, from a real execution environment, through `serve`'s validator
    limits     Timeout vs integration timeout, reserved concurrency 0, payload sizes, runtime deprecated/missing
    invoke     the invocations (LambdaService), one per route (safe methods unless --invoke-all) or --event file
    sandbox    what those invocations may reach: nothing of AWS
    report     human text and JSON; sarif: SARIF 2.1.0 for code-scanning tools
"""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

from ..auth.user_pool_keys import UserPoolKeys, jwks_flags
from ..build import prepared
from ..config import Source
from ..definition.model.deployment import Deployment
from ..definition.policy import read_policy
from ..definition.template import load_template
from ..errors import LambdagateError
from ..runtime.launchers import Runtimes
from . import access, handler, invoke, limits, package, policy, response
from .findings import Report, shown
from .targets import Target, select

__all__ = ["examine"]


def _read_event(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise LambdagateError(f"{path}: cannot read the --event file: {e.strerror}") from None
    except ValueError as e:
        raise LambdagateError(f"{path}: the --event file is not JSON: {e}") from None
    if not isinstance(data, dict):
        raise LambdagateError(f"{path}: an event is a JSON object (a proxy event, e.g. from `sam local "
                              "generate-event apigateway aws-proxy`)")
    return data


def examine(source: Source, names: list[str] | None = None, event_files: list[Path] | None = None,
            package_file: Path | None = None, today: date | None = None, invoke_all: bool = False) -> Report:
    """Run every check on what `source` serves (the functions `names`, else every function behind a proxy
    integration); `today` dates the runtime deprecations; `invoke_all` invokes routes of every method, not only the
    safe ones. A LambdagateError means the checks could not run."""
    names = names or []
    path = source.definition()
    # a command that only looks: what earlier builds left is used, what is missing is reported
    deployment = prepared(source, lambda _: None, install=False)
    state_dir = source.state_dir
    template = load_template(path)
    if package_file is not None and not package_file.is_file():
        raise LambdagateError(f"{package_file}: no such deployment package")
    targets = select(deployment, template, names, package_file)
    events = [(p, _read_event(p)) for p in event_files or []]
    extra = frozenset(p for file in source.policies for p in read_policy(file))
    report = Report(shown(path), [], [f"{shown(path)}: {w}" for w in deployment.warnings])
    callers = [] if names else [access.check(deployment, UserPoolKeys(jwks_flags(source.user_pool_jwks),
                                                                      state_dir=state_dir))]
    if not targets:
        report.notes.append("no function is behind a Lambda proxy integration: name functions to check them")
        report.checks += callers
        return report
    plans = {t.function.arn: _plan(deployment, t, events, invoke_all) for t in targets}
    asyncio.run(invoke.run(deployment, source, plans))
    report.notes.append(_what_was_done(plans, bool(events), invoke_all))
    for target in targets:
        calls = [c for p in plans[target.function.arn] for c in p.aws_calls]
        if calls:
            what = ", ".join(dict.fromkeys(str(c) for c in calls))
            report.notes.append(f"{target.logical_id} called AWS ({what}): doctor's stand-in answered with an error "
                                "and nothing reached AWS, so its answers here may differ from the deployed ones")
    runtimes = Runtimes(state_dir)
    sizes = [(p.name, len(json.dumps(e).encode())) for p, e in events]
    for target in targets:
        probes = plans[target.function.arn]
        first = handler.check(target)
        if probes and probes[0].init_failed and not probes[0].aws_calls:
            handler.add_init_failure(first, target, probes[0])
        report.checks += [first, package.check(target, package_file is not None),
                          policy.check(deployment, target, extra), response.check(target, probes),
                          limits.check(target, probes, runtimes, today or date.today(), sizes)]
    if not names:
        report.checks.append(policy.check_integrations(deployment))
    report.checks += callers
    return report


def _plan(deployment: Deployment, target: Target, events: list[tuple[Path, dict[str, Any]]],
          invoke_all: bool) -> list[invoke.Probe]:
    """The --event files, else one probe per route; an import check first when none of them will run."""
    if events:
        return [invoke.event_probe(p, e, target.function) for p, e in events]
    probes = [invoke.route_probe(deployment, r, invoke_all=invoke_all) for r in target.routes]
    probes += [invoke.http_route_probe(deployment, r, invoke_all=invoke_all) for r in target.http_routes]
    if all(p.not_run is not None for p in probes):
        probes.insert(0, invoke.import_probe(target.function))
    return probes


def _what_was_done(plans: dict[str, list[invoke.Probe]], events: bool, invoke_all: bool) -> str:
    probes = [p for ps in plans.values() for p in ps if not p.import_only]
    skipped = [p for p in probes if p.not_run is not None and "--invoke-all" in p.not_run]
    which = "the --event files" if events else ("every route" if invoke_all else
                                                 "the routes of safe methods (GET, HEAD, OPTIONS; ANY as GET)")
    said = (f"invoked {which} in local execution environments, with credentials that sign nothing and AWS "
            "endpoints answered by doctor itself: nothing reaches AWS")
    if skipped:
        said += (f"; {len(skipped)} route(s) of other methods not invoked "
                 f"({', '.join(p.label for p in skipped[:5])}{', ...' if len(skipped) > 5 else ''}): "
                 "--invoke-all invokes them")
    return said
