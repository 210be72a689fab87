"""`lambdagate build`: what `serve` prepares at start-up, done ahead (for CI, or before going offline), with a line
per step and per function, and exit code 1 when something could not be built."""

from __future__ import annotations

import sys
from typing import TextIO

from ..config import Source
from ..definition.loader import load
from .builder import Builder
from .steps import shown


def build(source: Source, out: TextIO | None = None) -> int:
    out = out or sys.stdout

    def say(text: str) -> None:
        out.write(f"lambdagate: {text}\n")
        out.flush()

    deployment, state_dir, sam_built = load(source), source.state_dir, source.sam_built
    if sam_built:
        say(deployment.warnings[0])
    builder = Builder(state_dir, say, install=True, verbose=True)
    for function in deployment.functions.values():
        built = builder.function(function, sam_built)
        where = shown(built.code_dir) + "".join(f" + {shown(p)}" for p in built.package_dirs)
        say(f"{function.logical_id} ({function.runtime}): {where}")
    for problem in builder.problems:
        say(problem)
    say(f"{_count(len(deployment.functions), 'function')}, {_count(len(builder.problems), 'problem')}; builds under "
        f"{shown(state_dir / 'build')}")
    return 1 if builder.problems else 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
