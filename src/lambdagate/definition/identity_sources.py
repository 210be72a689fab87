"""Identity sources as API Gateway stores them (aws-auth.md §1.1), read when a definition is loaded: the parsing half
of auth/identity_sources.py, which checks them on requests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SourceKind = Literal["header", "querystring", "stageVariables", "context"]
_PREFIXES: tuple[tuple[str, SourceKind], ...] = (
    ("method.request.header.", "header"), ("method.request.querystring.", "querystring"),
    ("stageVariables.", "stageVariables"), ("context.", "context"))


@dataclass(frozen=True)
class IdentitySource:
    kind: SourceKind
    name: str

    def __str__(self) -> str:
        prefix = next(p for p, k in _PREFIXES if k == self.kind)
        return prefix + self.name


def parse_identity_source(text: str) -> IdentitySource:
    """`method.request.header.Authorization` -> IdentitySource("header", "Authorization"); anything else is a
    ValueError whose message says what API Gateway accepts."""
    for prefix, kind in _PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return IdentitySource(kind, text[len(prefix):])
    raise ValueError(f"identity source {text!r} is not method.request.header.<name>, method.request.querystring."
                     "<name>, stageVariables.<name> or context.<name>")


def split_identity_sources(text: str) -> tuple[str, ...]:
    """API Gateway stores the sources comma-separated; SAM writes `", "` between them ([REC] SAM-INT)."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def check_expression(expression: str) -> str | None:
    """Why Python cannot read this regular expression, or None (for start-up checks)."""
    try:
        re.compile(expression)
    except re.error as e:
        return str(e)
    return None
