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

from ..code_scanning import Result
from .diagnosis import Verdict, diagnose
from .grouping import Reading, group
from .reading import LogLine, read_lines
from .report import as_json, as_results, human

__all__ = ["Explanation", "explain_lines", "explain_text"]


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

    def results(self, file: str | None = None) -> list[Result]:
        """Each finding of each failed request, for SARIF and GitHub annotations (located in `file`)."""
        return as_results(self.verdicts, file)


def explain_text(text: str) -> Explanation:
    return explain_lines(read_lines(text))


def explain_lines(lines: list[LogLine]) -> Explanation:
    """Lines already read (e.g. CloudWatch Logs events, `reading.read_records`)."""
    reading = group(lines)
    return Explanation([diagnose(story) for story in reading.stories], reading, len(lines))
