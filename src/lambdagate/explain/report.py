"""An explanation for people (one block per failed request) and for scripts (JSON)."""

from __future__ import annotations

import json
import re
from typing import Any

from ..code_scanning import Result
from .diagnosis import Finding, Verdict
from .grouping import Reading
from .reading import LogLine

_WIDTH = 240  # a log line is cut here in the human report; JSON keeps it whole


def _quote(line: LogLine, cut: bool = True) -> str:
    text = line.text if not cut or len(line.text) <= _WIDTH else line.text[:_WIDTH] + " ..."
    prefix = f"({line.request_id}) " if line.request_id else ""
    return f"{line.where}: {prefix}{text}"


def human(verdicts: list[Verdict], reading: Reading, line_count: int, marks: tuple[str, str]) -> str:
    ok, bad = marks
    failed = [v for v in verdicts if v.failed]
    out = [f"{line_count} log lines, {len(verdicts)} request(s), {len(failed)} failed"]
    for verdict in verdicts:
        status = f"status {verdict.status}" if verdict.status is not None else "no status in the log"
        if not verdict.failed:
            out.append(f"{ok} {verdict.story.key}: {status}")
            continue
        first = verdict.findings[0]
        out.append(f"{bad} {verdict.story.key}: {status}: {first.summary or first.cause.title}")
        for n, finding in enumerate(verdict.findings):
            out += _finding(finding, also=n > 0)
    if reading.unplaced:
        out.append(f"lines that belong to no request ({len(reading.unplaced)}):")
        out += [f"  {_quote(line)}   [{why}]" for line, why in reading.unplaced]
    return "\n".join(out) + "\n"


def _finding(finding: Finding, also: bool) -> list[str]:
    cause = finding.cause
    out = [f"    also: {finding.summary or cause.title}"] if also else []
    out.append(f"    cause: {cause.explanation}")
    out.append("    shown by:")
    out += [f"      {_quote(line)}" for line in finding.evidence]
    out += [f"      -> {detail}" for detail in finding.details]
    out.append(f"    fix: {cause.fix}")
    return out


def as_json(verdicts: list[Verdict], reading: Reading, line_count: int) -> str:
    def line(item: LogLine) -> dict[str, Any]:
        return {"where": item.where, "request_id": item.request_id, "text": item.text}

    document = {
        "lines": line_count,
        "requests": [{
            "request": v.story.key,
            "request_id": v.story.request_id,
            "status": v.status,
            "failed": v.failed,
            "findings": [{
                "cause": f.cause.id,
                "title": f.summary or f.cause.title,
                "explanation": f.cause.explanation,
                "fix": f.cause.fix,
                "source": f.cause.source,
                "evidence": [line(e) for e in f.evidence],
                "details": list(f.details),
            } for f in v.findings],
            "lines": [line(item) for item in v.story.lines + v.story.lambda_lines],
        } for v in verdicts],
        "unplaced": [{**line(item), "why": why} for item, why in reading.unplaced],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_LINE = re.compile(r"^(?:log )?line (?P<n>\d+)")


def as_results(verdicts: list[Verdict], file: str | None) -> list[Result]:
    """One result per finding of a failed request, located at its first evidence line of the log `file`."""
    out = []
    for verdict in verdicts:
        if not verdict.failed:
            continue
        for finding in verdict.findings:
            title = f"{verdict.story.key}: {finding.summary or finding.cause.title}"
            shown = "; ".join(_quote(line) for line in finding.evidence[:3])
            details = " ".join(f"{d}." for d in finding.details)
            line = next((int(m.group("n")) for e in finding.evidence for m in [_LINE.match(e.where)] if m), None)
            out.append(Result(finding.cause.id, "error", title,
                              f"{title}. {finding.cause.explanation} {details} Fix: {finding.cause.fix} "
                              f"Shown by: {shown}", finding.cause.explanation, finding.cause.fix, file,
                              line if file else None))
    return out
