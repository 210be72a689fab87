"""The comparison for people (one line per request, the differences side by side), for scripts (JSON) and for CI
(SARIF results and GitHub annotations located at the project's method)."""

from __future__ import annotations

import json
from typing import Any

from ..code_scanning import Result
from ..doctor.findings import shown
from .compare import IGNORED_HEADERS, Comparison

_COLUMN = 44
_LABEL = 34
IGNORED = (f"not compared: the headers {', '.join(sorted(IGNORED_HEADERS))}; in other values request ids, trace "
           "ids, dates and times, the API ids and the account ids")


def _cell(text: str) -> str:
    flat = text.replace("\n", "\\n")
    return flat if len(flat) <= _COLUMN else flat[:_COLUMN - 3] + "..."


def human(comparisons: list[Comparison], deployed: str, local: str, marks: tuple[str, str]) -> str:
    ok, bad = marks
    out = [f"lambdagate compare: {deployed} (deployed) and {local} (local)", f"  {IGNORED}", ""]
    for c in comparisons:
        if c.error is not None:
            out.append(f"{bad} {c.sent.label}: not compared: {c.error}")
            continue
        assert c.deployed is not None and c.local is not None
        if not c.differences:
            out.append(f"{ok} {c.sent.label}: {c.deployed.status} on both, same headers and body")
            continue
        out.append(f"{bad} {c.sent.label}: {len(c.differences)} difference(s)")
        out.append(f"      {'':<{_LABEL}} {'deployed':<{_COLUMN}}  local")
        for d in c.differences:
            label = d.part if d.part != "header" else f"header {d.name}"
            out.append(f"      {label[:_LABEL]:<{_LABEL}} {_cell(d.deployed):<{_COLUMN}}  {_cell(d.local)}")
    same = sum(1 for c in comparisons if c.error is None and not c.differences)
    out += ["", f"{len(comparisons)} request(s): {same} the same, {len(comparisons) - same} different or not compared"]
    return "\n".join(out) + "\n"


def as_json(comparisons: list[Comparison], deployed: str, local: str) -> str:
    def answer(a: Any) -> dict[str, Any] | None:
        if a is None:
            return None
        return {"status": a.status, "headers": [list(h) for h in a.headers],
                "body": a.body.decode("utf-8", "backslashreplace")}

    document = {
        "deployed": deployed, "local": local, "ignored_headers": sorted(IGNORED_HEADERS),
        "requests": [{"method": c.sent.method, "path": c.sent.path, "same": c.error is None and not c.differences,
                      "error": c.error, "differences": [{"part": d.part, "name": d.name or None, "deployed": d.deployed,
                                                         "local": d.local} for d in c.differences],
                      "deployed_answer": answer(c.deployed), "local_answer": answer(c.local)} for c in comparisons],
        "exit_code": exit_code(comparisons),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def exit_code(comparisons: list[Comparison]) -> int:
    return 1 if any(c.error is not None or c.differences for c in comparisons) else 0


def results(comparisons: list[Comparison]) -> list[Result]:
    out = []
    for c in comparisons:
        location = c.sent.route.method.location if c.sent.route is not None else None
        file = shown(location.file) if location is not None and location.file else None
        line = location.line if location is not None else None
        for d in c.differences:
            what = d.part if d.part != "header" else f"header {d.name}"
            title = f"{c.sent.label}: {what} differs (deployed {_cell(d.deployed)}, local {_cell(d.local)})"
            out.append(Result(f"compare.{d.part}", "error", title,
                              f"{title}. Deployed: {d.deployed} Local: {d.local}",
                              "The deployed stage and lambdagate answered this request differently.",
                              "Find which side is right: a project change not deployed yet, a setting of the "
                              "deployed stage the project does not hold, or something lambdagate does not emulate "
                              "(please report it).", file, line))
        if c.error is not None:
            out.append(Result("compare.not-compared", "warning", f"{c.sent.label}: not compared", c.error,
                              file=file, line=line))
    return out
