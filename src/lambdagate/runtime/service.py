"""The local Lambda service: the functions of a deployment, each with its pool of execution environments."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from pathlib import Path

from ..definition.model import Deployment, Function
from .catalog import UnsupportedRuntime
from .environment import InvokeResult
from .launchers import Runtimes
from .platform import max_memory_used_mb, resident_memory_mb
from .pool import FunctionPool, InvocationSink, LogSink, Throttled
from .watch import CodeWatcher


class FunctionUnavailable(Exception):
    """The function exists in the template but cannot run here (its runtime); the message says why.
    `not_emulated`: its language is one lambdagate does not run (an answer of lambdagate's own, 501)."""

    def __init__(self, message: str, not_emulated: bool = False) -> None:
        super().__init__(message)
        self.not_emulated = not_emulated


class LambdaService:
    def __init__(self, deployment: Deployment, state_dir: Path, on_log: LogSink,
                 on_notice: Callable[[str], None], max_environments: int = 8, watch: bool = True,
                 python_channel: str = "socket", on_invocation: InvocationSink | None = None,
                 node_channel: str = "socket") -> None:
        self.deployment = deployment
        self._on_notice = on_notice
        self._watch = watch
        self._state_dir = state_dir
        self._watcher: CodeWatcher | None = None
        self._memory_task: asyncio.Task[None] | None = None
        self.unavailable: dict[str, UnsupportedRuntime] = {}
        self._pools: dict[str, FunctionPool] = {}
        runtimes = Runtimes(state_dir, python_channel, node_channel)
        notes: dict[str, list[str]] = {}
        for arn, function in deployment.functions.items():
            try:
                for note in runtimes.check(function):  # said once per runtime, naming its functions
                    notes.setdefault(note, []).append(function.logical_id)
            except UnsupportedRuntime as e:
                self.unavailable[arn] = e
                on_notice(str(e))
                continue
            self._pools[arn] = FunctionPool(function, functools.partial(runtimes.launch, function, deployment.region),
                                            on_log, max_environments, on_invocation)
        for note, names in notes.items():
            on_notice(f"{', '.join(names)}: {note}")

    def pool(self, function_arn: str) -> FunctionPool | None:
        return self._pools.get(function_arn)

    async def invoke(self, function: Function, payload: bytes, trace_id: str | None) -> InvokeResult | Throttled:
        pool = self._pools.get(function.arn)
        if pool is None:
            refused = self.unavailable.get(function.arn)
            raise FunctionUnavailable(str(refused) if refused else f"{function.name} cannot run here",
                                      refused.not_emulated if refused else False)
        return await pool.invoke(payload, trace_id)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._watch and self._pools:
            self._watcher = CodeWatcher([pool.function for pool in self._pools.values()], self._recycle,
                                        self._on_notice, self._state_dir)
            self._watcher.start()
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

    async def _recycle(self, function: Function) -> None:
        await self._pools[function.arn].recycle()

    async def close(self) -> None:
        if self._watcher is not None:
            await self._watcher.close()
        if self._memory_task is not None:
            self._memory_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._memory_task
        await asyncio.gather(*(pool.close() for pool in self._pools.values()))
