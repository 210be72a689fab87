"""The code watcher: a change to a function's code (or its layers') gives that function new execution
environments from the next request on, after rebuilding what the change touched.

What counts as code: every file under the function's source folder (CodeUri, or the build's source for a function
with `Metadata: BuildMethod`) and under its layers' folders, except what tools write next to code and Lambda never
sees as a change: lambdagate's own state (`.lambdagate/`: logs, builds), bytecode caches (`__pycache__`, `*.pyc`),
`sam build`'s output (`.aws-sam/`), version control (`.git/`, ...), tool caches (`node_modules/.cache`,
`.pytest_cache`, ...), and editor swap and backup files. Those rules apply below the watched folder, so that a
template served from `.aws-sam/build/` still sees `sam build` rewrite its code.

Changes are gathered for a short while (`debounce_ms`) and each function is recycled once per batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path

from ..definition.model.function import Function

IGNORED_FOLDERS = frozenset({
    ".lambdagate", "__pycache__", ".aws-sam", ".git", ".hg", ".svn", ".venv", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".hypothesis", ".idea", ".vscode",
})
# (folder, subfolder) pairs ignored only together: node_modules/.cache is a cache, node_modules is code
IGNORED_PAIRS = frozenset({("node_modules", ".cache")})
IGNORED_FILES = re.compile(r"""
    \.py[cod]$ | \.sw[a-p]$ | ~$ | ^\.\# | ^\#.*\#$ | ^4913$ | ^\.DS_Store$ | \.___jb_\w+___$ | ^flycheck_
""", re.VERBOSE)

Recycle = Callable[[Function], Awaitable[None]]


def counts_as_code(parts: Sequence[str]) -> bool:
    """Whether a file, by its path relative to the watched folder, is code (see the module's docstring)."""
    if not parts or IGNORED_FILES.search(parts[-1]):
        return False
    for n, part in enumerate(parts):
        if part in IGNORED_FOLDERS or (n + 1 < len(parts) and (part, parts[n + 1]) in IGNORED_PAIRS):
            return False
    return True


def sources(function: Function) -> list[str]:
    """The folders whose files are the function's code: its source and its layers' sources."""
    own = function.build.source if function.build is not None else function.code_dir
    built = dict(function.layer_builds)
    return [own] + [built[layer].source if layer in built else layer for layer in function.layers]


def touched(changed: Iterable[str], folders: dict[str, list[Function]]) -> list[Function]:
    """The functions that a batch of changed paths concerns, each once, in the order of `folders`."""
    out: dict[str, Function] = {}
    for path in changed:
        for folder, functions in folders.items():
            if path.startswith(folder + os.sep):
                parts = path[len(folder) + 1:].split(os.sep)
                if counts_as_code(parts):
                    out.update((f.arn, f) for f in functions)
    return list(out.values())


def outermost(folders: Iterable[str]) -> list[str]:
    out: list[str] = []
    for folder in sorted(set(folders), key=lambda f: (len(f), f)):
        if not any(folder == o or folder.startswith(o.rstrip(os.sep) + os.sep) for o in out):
            out.append(folder)
    return out


Rebuild = Callable[[Function, Path, Callable[[str], None]], None]


class CodeWatcher:
    """Watches the functions' folders; rebuilds (`rebuild`: lambdagate.build's) and recycles the functions a change
    touches."""

    def __init__(self, functions: Iterable[Function], recycle: Recycle, on_notice: Callable[[str], None],
                 state_dir: Path, rebuild: Rebuild, debounce_ms: int = 300) -> None:
        self._folders: dict[str, list[Function]] = {}
        for function in functions:
            for folder in sources(function):
                self._folders.setdefault(str(Path(folder).resolve()), []).append(function)
        self._recycle = recycle
        self._on_notice = on_notice
        self._state_dir = state_dir
        self._rebuild = rebuild
        self._debounce_ms = debounce_ms
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._folders:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        from watchfiles import awatch

        roots = [f for f in outermost(self._folders) if os.path.isdir(f)]
        async for changes in awatch(*roots, watch_filter=self._is_code, debounce=self._debounce_ms, step=50,
                                    recursive=True):
            for function in touched((path for _change, path in changes), self._folders):
                await self._renew(function)

    def _is_code(self, _change: object, path: str) -> bool:
        """watchfiles' filter: drops lambdagate's own writes and the like before they wake the loop."""
        return bool(touched([path], self._folders))

    async def _renew(self, function: Function) -> None:
        try:
            await asyncio.to_thread(self._rebuild, function, self._state_dir, self._on_notice)
        except Exception as e:  # a failed rebuild keeps the previous build; the notice says why
            self._on_notice(f"{function.logical_id}: the rebuild failed, the previous build is served: {e}")
            return
        await self._recycle(function)
        self._on_notice(f"{function.logical_id}: code changed, new environments from the next request on")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
