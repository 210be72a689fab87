"""The doctor's report for people (one line per check with a mark, then each finding's cause, evidence and fix)
and for scripts (JSON)."""

from __future__ import annotations

import json
from typing import Any

from .findings import Check, Finding, Report

UNICODE_MARKS = {"pass": "✓", "fail": "✗", "warn": "!", "skip": "-"}
ASCII_MARKS = {"pass": "ok", "fail": "FAIL", "warn": "WARN", "skip": "skip"}


def _headline(check: Check) -> str:
    if check.skipped is not None:
        return f"not checked: {check.skipped}"
    if check.findings:
        more = f" (+{len(check.findings) - 1} more)" if len(check.findings) > 1 else ""
        return check.findings[0].title + more
    return check.summary


def _finding(finding: Finding, mark: str) -> list[str]:
    out = [f"      {mark} {finding.title}", f"        cause: {finding.cause}"]
    for n, item in enumerate(finding.evidence):
        out.append(f"        {'evidence:' if n == 0 else '         '} {item}")
    out.append(f"        fix: {finding.fix}")
    return out


def human(report: Report, marks: dict[str, str] = UNICODE_MARKS) -> str:
    functions = list(dict.fromkeys(c.function for c in report.checks if c.function))
    out = [f"lambdagate doctor: {report.template}, {len(functions)} function(s)"]
    out += [f"  note: {note}" for note in report.notes]
    width = max(len(label) for label in ("handler configuration", "package permissions", "resource policy"))
    mark_width = max(len(m) for m in marks.values())
    for name in functions + ([""] if any(not c.function for c in report.checks) else []):
        checks = [c for c in report.checks if c.function == name]
        out.append("")
        out.append(name or ("The API and its stage" if any(c.family == "stage" for c in report.checks) else
                            "The template: integrations, who may call"))
        for check in checks:
            out.append(f"  {marks[check.mark]:<{mark_width}} {check.label:<{width}}  {_headline(check)}")
            for finding in check.findings:
                out += _finding(finding, marks["fail" if finding.level == "error" else "warn"])
    counts = {mark: sum(1 for c in report.checks if c.mark == mark) for mark in ASCII_MARKS}
    out.append("")
    out.append(f"{len(report.checks)} checks: {counts['pass']} passed, {counts['fail']} failed, {counts['warn']} "
               f"with warnings, {counts['skip']} not checked; {len(report.findings)} finding(s)")
    return "\n".join(out) + "\n"


def as_json(report: Report) -> str:
    def finding(f: Finding) -> dict[str, Any]:
        return {"rule": f.rule, "level": f.level, "title": f.title, "cause": f.cause, "fix": f.fix,
                "evidence": [{"text": e.text, "file": e.file, "line": e.line} for e in f.evidence]}

    document = {
        "template": report.template,
        "checks": [{"function": c.function or None, "check": c.family, "label": c.label, "status": c.mark,
                    "summary": c.summary, "skipped": c.skipped, "findings": [finding(f) for f in c.findings]}
                   for c in report.checks],
        "notes": report.notes,
        "findings": len(report.findings),
        "exit_code": report.exit_code,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
