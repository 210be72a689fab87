"""The local Lambda service: the functions of a deployment, each with its pool of execution environments."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable

from ..config import Config
from ..definition.model import Deployment, Function
from ..exchange import Observer
from . import Answered, FunctionFailed, Invoked, Throttled, Unavailable
from .environment import Outcome
from .launchers import Runtimes, UnsupportedRuntime
from .platform import max_memory_used_mb, resident_memory_mb
from .pool import FunctionPool


class LambdaService:
    """Lambda's Invoke for the functions of a deployment (the gateway's and doctor's `Invoker`)."""

    def __init__(self, deployment: Deployment, config: Config, observer: Observer,
                 sandbox: Callable[[Function, dict[str, str]], None] | None = None) -> None:
        self.deployment = deployment
        self._observer = observer
        self._watch = config.watch
        self._watch_task: asyncio.Task[None] | None = None
        self._memory_task: asyncio.Task[None] | None = None
        self.unavailable: dict[str, str] = {}
        self._pools: dict[str, FunctionPool] = {}
        runtimes = Runtimes(config.source.state_dir, config.python_channel, config.node_channel, observer.notice,
                            sandbox)
        notes: dict[str, list[str]] = {}
        for arn, function in deployment.functions.items():
            try:
                note = runtimes.check(function)
            except UnsupportedRuntime as e:
                self.unavailable[arn] = str(e)
                observer.notice(str(e))
                continue
            if note:  # said once per runtime, naming its functions
                notes.setdefault(note.split(": ", 1)[1], []).append(function.logical_id)
            self._pools[arn] = FunctionPool(function, functools.partial(runtimes.launch, function, deployment.region),
                                            observer, config.max_environments)
        for note, names in notes.items():
            observer.notice(f"{', '.join(names)}: {note}")

    def pool(self, function_arn: str) -> FunctionPool | None:
        return self._pools.get(function_arn)

    async def invoke(self, function: Function, event: bytes, trace_id: str | None) -> Invoked:
        pool = self._pools.get(function.arn)
        if pool is None:
            return Unavailable(self.unavailable.get(function.arn, f"{function.name} cannot run here"))
        result = await pool.invoke(event, trace_id)
        if isinstance(result, Throttled):
            return result
        if result.outcome is Outcome.SUCCESS:
            return Answered(result.payload, result.request_id)
        return FunctionFailed(result.payload, result.request_id, result.error_type, result.phase,
                              result.environment_lost)

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
                        self._observer.notice(f"{pool.function.logical_id}: {used} MB in use, over its MemorySize of "
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
                    self._observer.notice(f"{pool.function.logical_id}: code changed, new environments from the next "
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
