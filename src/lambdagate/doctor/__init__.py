"""`lambdagate doctor`: the 502 checklist of the article, done by a program, for every function behind a Lambda
proxy integration of a REST API or an HTTP API (or those named).

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
from datetime import date
from pathlib import Path
from typing import Any

from ..config import Source
from ..definition.loader import load
from ..definition.policy import read_policy
from ..definition.template import load_template
from ..errors import LambdagateError
from ..runtime.launchers import Runtimes
from . import handler, invoke, limits, package, policy, response
from .findings import Report, shown
from .targets import select

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
            package_file: Path | None = None, today: date | None = None) -> Report:
    """Run every check on what `source` serves (the functions `names`, else every function behind a proxy
    integration); `today` dates the runtime deprecations. A LambdagateError means the checks could not run."""
    names = names or []
    path = source.definition()
    deployment = load(source)
    state_dir = source.state_dir
    template = load_template(path)
    if package_file is not None and not package_file.is_file():
        raise LambdagateError(f"{package_file}: no such deployment package")
    targets = select(deployment, template, names, package_file)
    events = [(p, _read_event(p)) for p in event_files or []]
    extra = frozenset(p for file in source.policies for p in read_policy(file))
    report = Report(shown(path), [], [f"{shown(path)}: {w}" for w in deployment.warnings])
    if not targets:
        report.notes.append("no function is behind a Lambda proxy integration: name functions to check them")
        return report
    plans = {t.function.arn: [invoke.event_probe(p, e, t.function) for p, e in events] or
             [invoke.route_probe(deployment, r) for r in t.routes] +
             [invoke.http_route_probe(deployment, r) for r in t.http_routes] or [invoke.import_probe(t.function)]
             for t in targets}
    asyncio.run(invoke.run(deployment, source, plans))
    runtimes = Runtimes(state_dir)
    sizes = [(p.name, len(json.dumps(e).encode())) for p, e in events]
    for target in targets:
        probes = plans[target.function.arn]
        first = handler.check(target)
        if probes and probes[0].init_failed:
            handler.add_init_failure(first, target, probes[0])
        report.checks += [first, package.check(target, package_file is not None),
                          policy.check(deployment, target, extra), response.check(target, probes),
                          limits.check(target, probes, runtimes, today or date.today(), sizes)]
    if not names:
        report.checks.append(policy.check_integrations(deployment))
    return report
