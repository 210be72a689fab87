"""`lambdagate doctor`: the 502 checklist of the article, done by a program, for every function behind a Lambda
proxy integration (or those named).

    targets    which functions, their routes, where their settings stand in the template
    handler    Handler fits the runtime; module file, function, import in a clean execution environment
    package    files readable and folders searchable by others; .zip entry modes; a custom runtime's bootstrap
    policy     each route may invoke the function (template permissions, --policy); integrations that cannot work
    response   each route's answer, from a real execution environment, through `serve`'s validator
    limits     Timeout vs integration timeout, reserved concurrency 0, payload sizes, runtime deprecated/missing
    invoke     the invocations (LambdaService), one per route or --event file
    report     human text and JSON; sarif: SARIF 2.1.0 for code-scanning tools
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..app import ServeConfig, find_template, load
from ..definition.template import load_template
from ..errors import LambdagateError
from ..runtime.launchers import Runtimes
from . import handler, invoke, limits, package, policy, response
from .findings import Report, shown
from .targets import select

__all__ = ["DoctorOptions", "examine"]


@dataclass
class DoctorOptions:
    template: Path | None = None
    functions: list[str] = field(default_factory=list)
    events: list[Path] = field(default_factory=list)
    policy: Path | None = None
    package: Path | None = None
    region: str = "us-east-1"
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    today: date | None = None          # for the runtime deprecation dates; today when not given


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


def examine(options: DoctorOptions) -> Report:
    """Run every check; a LambdagateError means the checks could not run (exit code 2)."""
    path = find_template(options.template).resolve()
    # a command that only looks: what earlier builds left is used, what is missing is reported
    deployment, state_dir = load(ServeConfig(template=path, region=options.region,
                                             parameter_overrides=options.parameter_overrides, install=False))
    template = load_template(path)
    if options.package is not None and not options.package.is_file():
        raise LambdagateError(f"{options.package}: no such deployment package")
    targets = select(deployment, template, options.functions, options.package)
    events = [(p, _read_event(p)) for p in options.events]
    extra = policy.read_policy(options.policy) if options.policy else []
    report = Report(shown(path), [], [f"{shown(path)}: {w}" for w in deployment.warnings])
    if not targets:
        report.notes.append("no function is behind a Lambda proxy integration: name functions to check them")
        return report
    plans = {t.function.arn: [invoke.event_probe(p, e, t.function) for p, e in events] or
             [invoke.route_probe(deployment, r) for r in t.routes] or [invoke.import_probe(t.function)]
             for t in targets}
    asyncio.run(invoke.run(deployment, state_dir, plans, lambda note: None))
    runtimes = Runtimes(state_dir)
    sizes = [(p.name, len(json.dumps(e).encode())) for p, e in events]
    for target in targets:
        probes = plans[target.function.arn]
        first = handler.check(target)
        if probes and probes[0].init_failed:
            handler.add_init_failure(first, target, probes[0])
        report.checks += [first, package.check(target, options.package is not None),
                          policy.check(deployment, target, extra), response.check(target, probes),
                          limits.check(target, probes, runtimes, options.today or date.today(), sizes)]
    if not options.functions:
        report.checks.append(policy.check_integrations(deployment))
    return report
