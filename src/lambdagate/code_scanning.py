"""The findings of `doctor`, `explain` and `compare` where CI shows them: SARIF 2.1.0 (OASIS Static Analysis Results
Interchange Format, read by code-scanning tools) and GitHub Actions workflow commands
(`::error file=template.yaml,line=14,title=...::message`, shown as annotations on the run and the pull request).

Workflow command escaping as GitHub's actions/toolkit does it (packages/core/src/command.ts): in the message `%`,
CR and LF become %25, %0D, %0A; in a property value also `:` and `,` become %3A and %2C.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from .errors import LambdagateError

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
Level = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Result:
    rule: str                  # stable id: "handler.module-missing", "event.body-null", "compare.status"
    level: Level
    title: str                 # one line with the specifics
    message: str               # what a reader needs: the title, the cause, the evidence and the fix
    description: str = ""      # the rule's cause, in general
    help: str = ""             # the rule's fix, in general
    file: str | None = None
    line: int | None = None


def sarif(tool: str, results: list[Result]) -> str:
    rules: dict[str, dict[str, Any]] = {}
    out = []
    for result in results:
        rules.setdefault(result.rule, {
            "id": result.rule,
            "shortDescription": {"text": result.title.split(": ", 1)[-1][:200]},
            "fullDescription": {"text": result.description or result.title},
            "help": {"text": result.help or result.message},
            "defaultConfiguration": {"level": result.level},
        })
        entry: dict[str, Any] = {"ruleId": result.rule, "level": result.level, "message": {"text": result.message},
                                 "locations": []}
        if result.file:
            physical: dict[str, Any] = {"artifactLocation": {"uri": result.file.replace("\\", "/")}}
            if result.line:
                physical["region"] = {"startLine": result.line}
            entry["locations"] = [{"physicalLocation": physical}]
        out.append(entry)
    try:
        version = metadata.version("lambdagate")
    except metadata.PackageNotFoundError:
        version = "0"
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": tool, "version": version, "rules": list(rules.values())}},
                  "results": out}],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def sarif_file(path: Path | None, tool: str, results: list[Result]) -> None:
    """`--sarif FILE`: write the document (nothing when no file is asked for)."""
    if path is None:
        return
    try:
        path.write_text(sarif(tool, results), encoding="utf-8")
    except OSError as e:
        raise LambdagateError(f"{path}: cannot write the SARIF file: {e.strerror}") from None


def workflow_commands(results: list[Result]) -> str:
    """One workflow command per result; SARIF's `note` is GitHub's `notice`."""
    lines = []
    for result in results:
        level = "notice" if result.level == "note" else result.level
        properties = []
        if result.file:
            properties.append(f"file={_property(result.file)}")
            if result.line:
                properties.append(f"line={result.line}")
        properties.append(f"title={_property(result.title[:200])}")
        lines.append(f"::{level} {','.join(properties)}::{_data(result.message)}")
    return "".join(line + "\n" for line in lines)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
