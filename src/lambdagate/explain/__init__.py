"""`lambdagate explain`: log text -> each request's story -> for each failed one, its cause, the lines that show
it and the fix.

    reading     wrappers off, glued lines split: LogLine
    grouping    lines -> one Story per request (API Gateway's lines + the function's Lambda log lines)
    diagnosis   Story -> Verdict: failed?, Findings (catalogue cause, evidence, details)
    (causes.py, the catalogue of causes keyed on the messages in lambdagate.errors, shared with `serve` and `doctor`)
    (violations.py: every proxy-result violation, found with `serve`'s own validator)
    report      human text and JSON
"""

from __future__ import annotations

from dataclasses import dataclass

from .diagnosis import Verdict, diagnose
from .grouping import Reading, group
from .reading import read_lines
from .report import as_json, human

__all__ = ["Explanation", "explain_text"]


@dataclass(frozen=True)
class Explanation:
    verdicts: list[Verdict]
    reading: Reading
    line_count: int

    @property
    def failed(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.failed]

    def human(self, marks: tuple[str, str] = ("ok", "FAILED")) -> str:
        return human(self.verdicts, self.reading, self.line_count, marks)

    def json(self) -> str:
        return as_json(self.verdicts, self.reading, self.line_count)


def explain_text(text: str) -> Explanation:
    lines = read_lines(text)
    reading = group(lines)
    return Explanation([diagnose(story) for story in reading.stories], reading, len(lines))
