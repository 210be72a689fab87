"""The doctor's findings as SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), the format code-scanning
tools read: one rule per finding kind, one result per finding, located at its first file:line evidence."""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any

from .findings import Finding, Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _location(finding: Finding) -> list[dict[str, Any]]:
    for item in finding.evidence:
        if item.file:
            physical: dict[str, Any] = {"artifactLocation": {"uri": item.file.replace("\\", "/")}}
            if item.line:
                physical["region"] = {"startLine": item.line}
            return [{"physicalLocation": physical}]
    return []


def as_sarif(report: Report) -> str:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for check, finding in report.findings:
        rules.setdefault(finding.rule, {
            "id": finding.rule,
            "shortDescription": {"text": finding.title.split(": ", 1)[-1][:200]},
            "fullDescription": {"text": finding.cause},
            "help": {"text": finding.fix},
            "defaultConfiguration": {"level": finding.level},
        })
        evidence = "; ".join(str(e) for e in finding.evidence)
        where = f"{check.function}: " if check.function else ""
        results.append({
            "ruleId": finding.rule,
            "level": finding.level,
            "message": {"text": f"{where}{finding.title}. {finding.cause} Fix: {finding.fix} Evidence: {evidence}"},
            "locations": _location(finding),
        })
    try:
        version = metadata.version("lambdagate")
    except metadata.PackageNotFoundError:
        version = "0"
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "lambdagate doctor", "version": version, "rules": list(rules.values())}},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
