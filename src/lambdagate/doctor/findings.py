"""What a check reports: findings (cause, evidence, fix) grouped by check family and function."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..definition.model.location import Location

FAMILIES = {
    "handler": "handler configuration",
    "package": "package permissions",
    "policy": "resource policy",
    "response": "response format",
    "limits": "limits",
    "integration": "integrations",
    "access": "who may call",       # authorizers, user pools, API keys and usage plans (doctor/access.py)
    "stage": "stage settings",       # `doctor --aws`: the deployed stage's logging and deployment
}


def shown(path: str | Path) -> str:
    """A path as the user typed it: relative to the working folder when inside it."""
    text = str(path)
    try:
        relative = os.path.relpath(text)
    except ValueError:
        return text
    return relative if not relative.startswith("..") else text


@dataclass(frozen=True)
class Evidence:
    text: str
    file: str | None = None
    line: int | None = None

    @classmethod
    def at(cls, location: Location, text: str) -> Evidence:
        return cls(text, shown(location.file) if location.file else None, location.line)

    def __str__(self) -> str:
        if self.file is None:
            return self.text
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.text}" if self.text else where


@dataclass(frozen=True)
class Finding:
    rule: str                      # stable id, e.g. "handler.module-missing" (SARIF ruleId)
    level: str                     # "error" (requests fail) or "warning" (they may, or will some day)
    title: str                     # one line with the specifics
    cause: str
    fix: str
    evidence: tuple[Evidence, ...] = ()


@dataclass
class Check:
    family: str
    function: str                  # the function's logical id; "" for the template as a whole
    summary: str = ""              # what was checked, one line
    findings: list[Finding] = field(default_factory=list)
    skipped: str | None = None     # why the check could not run

    @property
    def label(self) -> str:
        return FAMILIES[self.family]

    @property
    def mark(self) -> str:
        if self.skipped is not None:
            return "skip"
        if any(f.level == "error" for f in self.findings):
            return "fail"
        return "warn" if self.findings else "pass"


@dataclass
class Report:
    template: str
    checks: list[Check]
    notes: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[tuple[Check, Finding]]:
        return [(check, finding) for check in self.checks for finding in check.findings]

    @property
    def exit_code(self) -> int:
        return 1 if self.findings else 0
