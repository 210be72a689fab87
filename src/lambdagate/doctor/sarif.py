"""The doctor's findings for code-scanning tools and CI: one result per finding, located at its first file:line
evidence (a template line, or with `--aws` the ARN of the resource), as SARIF 2.1.0 or GitHub annotations."""

from __future__ import annotations

from typing import cast

from ..code_scanning import Level, Result, sarif, workflow_commands
from .findings import Report


def results(report: Report) -> list[Result]:
    out = []
    for check, finding in report.findings:
        evidence = "; ".join(str(e) for e in finding.evidence)
        where = f"{check.function}: " if check.function else ""
        located = next((e for e in finding.evidence if e.file), None)
        out.append(Result(finding.rule, cast(Level, finding.level), f"{where}{finding.title}",
                          f"{where}{finding.title}. {finding.cause} Fix: {finding.fix} Evidence: {evidence}",
                          finding.cause, finding.fix, located.file if located else None,
                          located.line if located else None))
    return out


def as_sarif(report: Report) -> str:
    return sarif("lambdagate doctor", results(report))


def as_annotations(report: Report) -> str:
    return workflow_commands(results(report))
