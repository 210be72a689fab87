"""Lambda's paths in what the user sees: the host folders of a function replaced by the ones Lambda has.

On Lambda the code is in /var/task, the layers are merged into /opt, the runtime and its packages are in
/var/runtime (and the Python standard library in /var/lang/lib/python3.X), so stack traces in error payloads
(Python's `stackTrace`, Node.js's `trace`) and in the function's log lines name those paths (LDG
lambda-runtime-environment.md, configuration-envvars.md: LAMBDA_TASK_ROOT=/var/task, LAMBDA_RUNTIME_DIR=
/var/runtime). Pure functions; the terminal's own hints may still name the local path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

TASK_ROOT = "/var/task"
LAYERS_ROOT = "/opt"
RUNTIME_ROOT = "/var/runtime"


@dataclass(frozen=True)
class LambdaPaths:
    """Host folders and what Lambda calls them, matched longest first and only as whole path parts."""

    targets: dict[str, str] = field(default_factory=dict)
    pattern: re.Pattern[str] | None = None
    pattern_bytes: re.Pattern[bytes] | None = None


NO_PATHS = LambdaPaths()


def lambda_paths(folders: Iterable[tuple[str, str]]) -> LambdaPaths:
    """From (host folder, Lambda's folder) pairs; a folder reached through a symbolic link is matched by both
    names (Node.js reports the real path of a module)."""
    targets: dict[str, str] = {}
    for host, shown in folders:
        for name in dict.fromkeys((host.rstrip("/"), os.path.realpath(host))):
            if name and name != "/" and name not in targets:
                targets[name] = shown
    if not targets:
        return NO_PATHS
    ordered = sorted(targets, key=len, reverse=True)
    alternatives = "|".join(re.escape(name) for name in ordered)
    boundary = r"(?![^/\\\s'\"`:),\]}])"
    return LambdaPaths(targets, re.compile(f"(?:{alternatives}){boundary}"),
                       re.compile(f"(?:{alternatives}){boundary}".encode()))


def as_on_lambda(text: str, paths: LambdaPaths) -> str:
    """A log line with the host folders replaced by Lambda's."""
    if paths.pattern is None:
        return text
    return paths.pattern.sub(lambda m: paths.targets[m.group(0)], text)


def payload_as_on_lambda(payload: bytes, paths: LambdaPaths) -> bytes:
    """An error payload (JSON) with the host folders in its strings replaced by Lambda's."""
    if paths.pattern_bytes is None:
        return payload
    return paths.pattern_bytes.sub(lambda m: paths.targets[m.group(0).decode()].encode(), payload)
