"""The local Lambda service: the functions of a deployment, each with its pool of execution environments."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from pathlib import Path

from ..definition.model import Deployment, Function
from .environment import InvokeResult
from .launchers import Runtimes, UnsupportedRuntime
from .platform import max_memory_used_mb, resident_memory_mb
from .pool import FunctionPool, InvocationSink, LogSink, Throttled


class FunctionUnavailable(Exception):
    """The function exists in the template but cannot run here (its runtime); the message says why."""


class LambdaService:
    def __init__(self, deployment: Deployment, state_dir: Path, on_log: LogSink,
                 on_notice: Callable[[str], None], max_environments: int = 8, watch: bool = True,
                 python_channel: str = "socket", on_invocation: InvocationSink | None = None,
                 node_channel: str = "socket") -> None:
        self.deployment = deployment
        self._on_notice = on_notice
        self._watch = watch
        self._watch_task: asyncio.Task[None] | None = None
        self._memory_task: asyncio.Task[None] | None = None
        self.unavailable: dict[str, str] = {}
        self._pools: dict[str, FunctionPool] = {}
        runtimes = Runtimes(state_dir, python_channel, node_channel)
        notes: dict[str, list[str]] = {}
        for arn, function in deployment.functions.items():
            try:
                note = runtimes.check(function)
            except UnsupportedRuntime as e:
                self.unavailable[arn] = str(e)
                on_notice(str(e))
                continue
            if note:  # said once per runtime, naming its functions
                notes.setdefault(note.split(": ", 1)[1], []).append(function.logical_id)
            self._pools[arn] = FunctionPool(function, functools.partial(runtimes.launch, function, deployment.region),
                                            on_log, max_environments, on_invocation)
        for note, names in notes.items():
            on_notice(f"{', '.join(names)}: {note}")

    def pool(self, function_arn: str) -> FunctionPool | None:
        return self._pools.get(function_arn)

    async def invoke(self, function: Function, payload: bytes, trace_id: str | None) -> InvokeResult | Throttled:
        pool = self._pools.get(function.arn)
        if pool is None:
            raise FunctionUnavailable(self.unavailable.get(function.arn, f"{function.name} cannot run here"))
        return await pool.invoke(payload, trace_id)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._watch and self._pools:
            self._watch_task = loop.create_task(self._watch_code())
        if self._pools:
            self._memory_task = loop.create_task(self._watch_memory())

    async def _watch_memory(self, interval: float = 0.1) -> None:
        """A function that goes over its MemorySize is killed, as Lambda kills it (where /proc tells memory)."""
        while True:
            await asyncio.sleep(interval)
            for pool in self._pools.values():
                for env in pool.busy_environments():
                    if env.pid:
                        env.peak_memory_mb = max_memory_used_mb(env.pid) or env.peak_memory_mb
                    used = resident_memory_mb(env.pid) if env.pid else None
                    if used is not None and used > pool.function.memory_size:
                        self._on_notice(f"{pool.function.logical_id}: {used} MB in use, over its MemorySize of "
                                        f"{pool.function.memory_size} MB: the environment is killed as on Lambda")
                        env.kill_now()

    async def _watch_code(self) -> None:
        """Code changes under a CodeUri (or a layer) recycle that function's environments."""
        from watchfiles import awatch

        folders: dict[str, list[FunctionPool]] = {}
        for pool in self._pools.values():
            for folder in (pool.function.code_dir, *pool.function.layers):
                folders.setdefault(folder, []).append(pool)
        roots = _outermost(list(folders))
        with contextlib.suppress(asyncio.CancelledError):
            async for changes in awatch(*roots, debounce=200, step=50, recursive=True):
                touched: set[FunctionPool] = set()
                for _change, changed in changes:
                    for folder, pools in folders.items():
                        if changed == folder or changed.startswith(folder.rstrip("/") + "/"):
                            touched.update(pools)
                for pool in touched:
                    await pool.recycle()
                    self._on_notice(f"{pool.function.logical_id}: code changed, new environments from the next "
                                    "request on")

    async def close(self) -> None:
        for task in (self._watch_task, self._memory_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await asyncio.gather(*(pool.close() for pool in self._pools.values()))


def _outermost(folders: list[str]) -> list[str]:
    ordered = sorted(set(folders), key=len)
    out: list[str] = []
    for folder in ordered:
        if not any(folder == o or folder.startswith(o.rstrip("/") + "/") for o in out):
            out.append(folder)
    return out
