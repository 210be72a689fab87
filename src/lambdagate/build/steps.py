"""One build step: a tool run (pip, npm, esbuild, make) with a progress line before and the time after, and its
output shown only when it fails."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

Notice = Callable[[str], None]
TOOL_TIMEOUT = 900.0      # seconds: a slow network install still ends


class StepFailed(Exception):
    """A tool failed; the message quotes the command and the end of its output."""


def shown(path: Path | str) -> str:
    """A path as the user would type it: relative to the working folder when below it."""
    path = Path(os.path.abspath(path))
    try:
        return str(path.relative_to(Path(os.path.abspath(Path.cwd())))) or "."
    except ValueError:
        home = Path.home()
        try:
            return "~/" + str(path.relative_to(home))
        except ValueError:
            return str(path)


def run(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> str:
    """Run a tool to completion; its output, or StepFailed with the last lines of it."""
    try:
        done = subprocess.run(list(argv), cwd=cwd, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                              timeout=TOOL_TIMEOUT)
    except FileNotFoundError:
        raise StepFailed(f"{argv[0]} is not installed (not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise StepFailed(f"`{' '.join(argv[:3])} ...` did not finish within {TOOL_TIMEOUT:.0f} s") from None
    if done.returncode != 0:
        tail = "\n".join(line for line in done.stdout.strip().splitlines()[-12:])
        raise StepFailed(f"`{' '.join(argv[:4])}{' ...' if len(argv) > 4 else ''}` failed (exit {done.returncode})"
                         + (f":\n{tail}" if tail else ""))
    return done.stdout


class Progress:
    """`<what> ...` when a step starts, `<what>: done in 1.2 s` when it ends."""

    def __init__(self, notice: Notice) -> None:
        self.notice = notice

    def step(self, what: str, work: Callable[[], object]) -> None:
        self.notice(f"{what} ...")
        started = time.perf_counter()
        work()
        self.notice(f"{what}: done in {time.perf_counter() - started:.1f} s")
