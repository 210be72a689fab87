"""The execution environments of one function: warm reuse, concurrency, throttling, recycling on code change.

Lambda runs one invocation per environment and starts another environment for a concurrent request; with
`ReservedConcurrentExecutions` set, an invocation beyond it is throttled (Invoke answers 429, which API Gateway
turns into 500 "Rate Exceeded", fact sheet §3). Unreserved functions are not throttled locally; past
`max_environments` (a local cap that AWS does not have) invocations wait for a free environment.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable

from .. import ids
from ..definition.model.function import Function
from ..exchange import InvocationLog, Observer
from . import Throttled
from .environment import ExecutionEnvironment, Invocation, InvokeResult
from .launchers import LaunchSpec
from .platform import max_memory_used_mb

KILL_MARGIN_S = 5.0   # a timed-out environment's kill and exit (ExecutionEnvironment._wait_exit: 2 s) fit in it


class FunctionPool:
    """The execution environments of one function."""

    def __init__(self, function: Function, spec: Callable[[], LaunchSpec], observer: Observer,
                 max_environments: int) -> None:
        self.function = function
        self._spec = spec
        self._observer = observer
        self._max = max(1, max_environments)
        self._idle: list[ExecutionEnvironment] = []
        self._busy = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._generation = 0
        self._all: set[ExecutionEnvironment] = set()
        self._background: set[asyncio.Task[None]] = set()

    @property
    def environment_count(self) -> int:
        return len(self._all)

    def ends_within(self, seconds: float) -> bool:
        """A warm environment is free, so an invocation starts at once and Lambda's timeout (plus the time to see
        the killed process go, environment.py) ends it first."""
        if not self._idle or self.function.timeout + KILL_MARGIN_S >= seconds:
            return False
        env = self._idle[-1]   # the one _acquire takes
        return not env.dead and env.generation == self._generation

    def busy_environments(self) -> list[ExecutionEnvironment]:
        return [env for env in self._all if env.busy]

    async def invoke(self, payload: bytes, trace_id: str | None) -> InvokeResult | Throttled:
        request_id = ids.uuid4()
        reserved = self.function.reserved_concurrency
        if reserved is not None and self._busy >= reserved:
            return Throttled(request_id, reserved)
        while reserved is None and self._busy >= self._max:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake_one()  # the place it was given goes to the next in line
                raise
        self._busy += 1
        env: ExecutionEnvironment | None = None
        released = False
        try:
            env = await self._acquire()
            start = f"START RequestId: {request_id} Version: $LATEST"
            started_at = time.time()
            self._log(start)
            used = env
            result = await env.invoke(Invocation(request_id, payload, self.function.arn, self.function.timeout,
                                                 trace_id), lambda done: self._report(done, used, start, started_at))
            self._release(env)
            released = True
            return result
        finally:
            if env is not None and not released:  # cancelled mid-invocation: the environment cannot be trusted
                env.dead = True
                self._release(env)
            self._busy -= 1
            self._wake_one()

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def _acquire(self) -> ExecutionEnvironment:
        while self._idle:
            env = self._idle.pop()
            if not env.dead and env.generation == self._generation:
                return env
            await self._discard(env)
        env = ExecutionEnvironment(self._spec(), self._log, self._generation)
        await env.start()  # raises when the process cannot be started: nothing to keep
        self._all.add(env)
        return env

    def _release(self, env: ExecutionEnvironment) -> None:
        if env.dead or env.generation != self._generation:
            task = asyncio.get_running_loop().create_task(self._discard(env))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        else:
            self._idle.append(env)

    async def _discard(self, env: ExecutionEnvironment) -> None:
        self._all.discard(env)
        await env.kill()

    def _log(self, line: str) -> None:
        self._observer.function_output(self.function, line)

    def _report(self, result: InvokeResult, env: ExecutionEnvironment, start: str, started_at: float) -> None:
        """Lambda's END and REPORT lines (fact sheet §5.3): tab-separated, ending with a tab."""
        end = f"END RequestId: {result.request_id}"
        self._log(end)
        if env.peak_memory_mb is None and env.pid:  # first invocation; later ones use the memory watcher's reading
            env.peak_memory_mb = max_memory_used_mb(env.pid)
        memory = env.peak_memory_mb
        parts = [f"REPORT RequestId: {result.request_id}", f"Duration: {result.duration_ms:.2f} ms",
                 f"Billed Duration: {max(1, math.ceil(result.duration_ms))} ms",
                 f"Memory Size: {self.function.memory_size} MB",
                 f"Max Memory Used: {memory if memory is not None else '-'} MB"]
        if result.init_duration_ms is not None:
            parts.append(f"Init Duration: {result.init_duration_ms:.2f} ms")
        if result.error_type in ("Sandbox.Timedout",):
            parts.append("Status: timeout")
        elif result.environment_lost:
            parts.append(f"Status: error\tError Type: {result.error_type}")
        report = "\t".join(parts) + "\t"
        self._log(report)
        stream = env.spec.env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self._observer.invocation(InvocationLog(self.function, stream, result.request_id, started_at,
                                                (start, *result.log_lines, end, report)))

    async def recycle(self) -> None:
        """New code: idle environments go now, busy ones when their invocation ends."""
        self._generation += 1
        idle, self._idle = self._idle, []
        await asyncio.gather(*(self._discard(env) for env in idle))

    async def close(self) -> None:
        self._generation += 1
        self._idle = []
        await asyncio.gather(*(env.kill() for env in list(self._all)))
        self._all.clear()
