"""The local Lambda service: the functions of a deployment, each with its pool of execution environments."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable

from ..config import Config
from ..definition.model.deployment import Deployment
from ..definition.model.function import Function
from ..exchange import Observer
from . import Answered, FunctionFailed, Invoked, Throttled, Unavailable
from .catalog import UnsupportedRuntime
from .environment import Outcome
from .launchers import Runtimes
from .platform import max_memory_used_mb, resident_memory_mb
from .pool import FunctionPool


class LambdaService:
    """Lambda's Invoke for the functions of a deployment (the gateway's and doctor's `Invoker`)."""

    def __init__(self, deployment: Deployment, config: Config, observer: Observer,
                 sandbox: Callable[[Function, dict[str, str]], None] | None = None) -> None:
        self.deployment = deployment
        self._observer = observer
        self._memory_task: asyncio.Task[None] | None = None
        self.unavailable: dict[str, UnsupportedRuntime] = {}
        self._pools: dict[str, FunctionPool] = {}
        runtimes = Runtimes(config.source.state_dir, config.python_channel, config.node_channel,
                            notice=observer.notice, sandbox=sandbox)
        notes: dict[str, list[str]] = {}
        for arn, function in deployment.functions.items():
            try:
                for note in runtimes.check(function):  # said once per runtime, naming its functions
                    notes.setdefault(note, []).append(function.logical_id)
            except UnsupportedRuntime as e:
                self.unavailable[arn] = e
                observer.notice(str(e))
                continue
            self._pools[arn] = FunctionPool(function, functools.partial(runtimes.launch, function, deployment.region),
                                            observer, config.max_environments)
        for note, names in notes.items():
            observer.notice(f"{', '.join(names)}: {note}")

    def pool(self, function_arn: str) -> FunctionPool | None:
        return self._pools.get(function_arn)

    async def invoke(self, function: Function, event: bytes, trace_id: str | None) -> Invoked:
        pool = self._pools.get(function.arn)
        if pool is None:
            refused = self.unavailable.get(function.arn)
            return Unavailable(str(refused) if refused else f"{function.name} cannot run here",
                               refused.not_emulated if refused else False)
        result = await pool.invoke(event, trace_id)
        if isinstance(result, Throttled):
            return result
        if result.outcome is Outcome.SUCCESS:
            return Answered(result.payload, result.request_id)
        return FunctionFailed(result.payload, result.request_id, result.error_type, result.phase,
                              result.environment_lost)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
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
                                              f"{pool.function.memory_size} MB: the environment is killed as on "
                                              "Lambda")
                        env.kill_now()

    def ends_within(self, function: Function, seconds: float) -> bool:
        pool = self._pools.get(function.arn)
        return pool is None or pool.ends_within(seconds)

    def served(self) -> list[Function]:
        """The functions that run here."""
        return [pool.function for pool in self._pools.values()]

    async def recycle(self, function: Function) -> None:
        """New code: the function's next invocations get new environments."""
        await self._pools[function.arn].recycle()

    async def close(self) -> None:
        if self._memory_task is not None:
            self._memory_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._memory_task
        await asyncio.gather(*(pool.close() for pool in self._pools.values()))
