"""One execution environment: one OS process running one function, one invocation at a time, kept warm.

Outcomes are Lambda's (fact sheet §5.1): a result, a function error (`X-Amz-Function-Error: Unhandled` with the
runtime's error JSON), an init error, a timeout (`Sandbox.Timedout`, the environment is killed), an exit
(`Runtime.ExitError`, the environment is gone). Whatever the function does, it costs that one invocation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from ..errors import RESPONSE_TOO_LARGE_MESSAGE, RUNTIME_EXITED_MESSAGE, TASK_TIMED_OUT_MESSAGE
from . import guard, json_object
from .channels import Channel, Frame, RuntimeApiChannel, SocketChannel
from .launchers import CONTROL_FD, LaunchSpec
from .paths import as_on_lambda, payload_as_on_lambda
from .python_worker import LOG_SENTINEL

MAX_RESPONSE_BYTES = 6291556  # Lambda's synchronous response limit (fact sheet §3, §10.10a)
MAX_LOG_LINE = 256 * 1024      # CloudWatch Logs' largest event (256 KB): a longer line is cut into several


class Outcome(Enum):
    SUCCESS = "success"
    FUNCTION_ERROR = "function_error"


@dataclass(frozen=True)
class Invocation:
    request_id: str          # Lambda's request id (not API Gateway's)
    payload: bytes
    function_arn: str
    timeout: float           # seconds
    trace_id: str | None = None


@dataclass
class InvokeResult:
    outcome: Outcome
    payload: bytes
    request_id: str
    duration_ms: float
    init_duration_ms: float | None = None
    error_type: str | None = None
    log_lines: list[str] = field(default_factory=list)
    environment_lost: bool = False
    phase: Literal["init", "invoke"] = "invoke"   # a failure before the runtime said it was initialised: "init"


def _error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def _exit_reason(returncode: int | None) -> str:
    """What follows "Runtime exited ": Go's os.ProcessState text as Lambda writes it (`with error: exit status 1`,
    `with error: signal: killed`, fact sheet §5.1)."""
    if returncode is None or returncode == 0:
        return "without providing a reason"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        names = {"SIGKILL": "killed", "SIGSEGV": "segmentation fault", "SIGABRT": "aborted",
                 "SIGTERM": "terminated", "SIGBUS": "bus error", "SIGFPE": "floating point exception",
                 "SIGILL": "illegal instruction", "SIGINT": "interrupt"}
        return f"with error: signal: {names.get(name, name)}"
    return f"with error: exit status {returncode}"


LogsDone = Callable[["InvokeResult"], None]


class _Output:
    """What one invocation printed, and whether its output has closed: at the worker's end-of-invocation sentinel, at
    once when its answer says it printed nothing, or when the process is gone. `when_closed` runs then."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.closed = False
        self._done: Callable[[], None] | None = None

    def close(self) -> None:
        self.closed = True
        self._fire()

    def when_closed(self, done: Callable[[], None]) -> None:
        self._done = done
        self._fire()

    def _fire(self) -> None:
        if self.closed and self._done is not None:
            done, self._done = self._done, None
            done()


class ExecutionEnvironment:
    """The gateway's side of one environment.

    The function's stdout/stderr lines belong to the oldest invocation whose output is still open. An invocation's
    output closes at the worker's end-of-invocation sentinel, or at once when its answer says it printed nothing
    (python_worker.py). The answer goes back to the gateway as soon as it arrives; the invocation's log is complete
    (and `logs_done` is called) when its output has closed, so that Lambda's END and REPORT lines follow everything
    the function printed. Runtimes over HTTP have no sentinel: their output closes when their answer arrives.
    """

    def __init__(self, spec: LaunchSpec, on_log: Callable[[str], None], generation: int) -> None:
        self.spec = spec
        self.generation = generation
        self._on_log = on_log
        self._process: asyncio.subprocess.Process | None = None
        self._channel: Channel | None = None
        self._log_task: asyncio.Task[None] | None = None
        self._open: deque[_Output] = deque()        # outputs not closed yet, oldest first
        self._timed_out = False
        self.initialised = False
        self.busy = False
        self.dead = False
        self.started_at = 0.0
        self.peak_memory_mb: int | None = None
        self._identity: str | None = None         # the process's start time, for guard.sweep

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    async def start(self) -> None:
        self.started_at = time.perf_counter()
        if self.spec.failure is not None:
            return  # Lambda could not start the runtime: the invocation reports it (see invoke)
        if self.spec.channel == "runtime-api":
            channel = RuntimeApiChannel()
            env = {**self.spec.env, "AWS_LAMBDA_RUNTIME_API": await channel.start()}
            try:
                self._process = await self._spawn(list(self.spec.argv), env, ())
            except BaseException:
                await channel.close()
                raise
            channel.exited = asyncio.ensure_future(_exited(self._process))
            self._channel = channel
        else:
            parent, child = socket.socketpair()
            argv = [a.replace(CONTROL_FD, str(child.fileno())) for a in self.spec.argv]
            try:
                self._process = await self._spawn(argv, self.spec.env, (child.fileno(),))
            except BaseException:
                parent.close()
                raise
            finally:
                child.close()
            self._channel = await SocketChannel.open(parent)
        self._identity = guard.start_time(self._process.pid)
        guard.watch(self._process.pid, self._identity, guard.marker(self.spec.env))
        self._log_task = asyncio.get_running_loop().create_task(self._read_logs())

    async def _spawn(self, argv: list[str], env: dict[str, str], fds: tuple[int, ...]) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *argv, env=env, cwd=self.spec.cwd, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, pass_fds=fds, start_new_session=True, limit=MAX_LOG_LINE)

    # -- the function's output ----------------------------------------------------------------------------------
    async def _read_logs(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout
        while True:
            try:
                line = await stdout.readuntil(b"\n")
            except asyncio.IncompleteReadError as e:  # the end of the output, without a last newline
                line = e.partial
            except asyncio.LimitOverrunError as e:  # a line longer than the buffer: take it as it comes
                line = await stdout.readexactly(e.consumed)
            if not line:
                break
            if line.endswith(LOG_SENTINEL):  # output that did not end its last line runs into the sentinel
                if len(line) > len(LOG_SENTINEL):
                    self._log_line(line[: -len(LOG_SENTINEL)])
                if self._open:
                    self._open.popleft().close()
                continue
            self._log_line(line)
        while self._open:  # the process is gone: every output is as complete as it will be
            self._open.popleft().close()

    def _log_line(self, line: bytes) -> None:
        text = as_on_lambda(line.decode("utf-8", errors="replace").rstrip("\n"), self.spec.paths)
        lines = self._open[0].lines if self._open else None
        # awslambdaric joins the lines of one error record with "\r" on a plain stdout
        for part in text.split("\r"):
            if lines is not None:
                lines.append(part)
            self._on_log(part)

    # -- one invocation -------------------------------------------------------------------------------------------
    async def invoke(self, invocation: Invocation, logs_done: LogsDone | None = None) -> InvokeResult:
        """Run one invocation; initialise first when cold. Never raises for anything the function does.
        `logs_done(result)` is called once everything the invocation printed is in `result.log_lines`."""
        self.busy = True
        output = _Output()
        self._open.append(output)
        try:
            result = await self._invoke(invocation, output)
        finally:
            self.busy = False
        if result.environment_lost and (self._log_task is None or self._log_task.done()):
            output.close()  # else: the reader closes it at the end of the output
        if logs_done is not None:
            output.when_closed(lambda: logs_done(result))
        return result

    async def _receive(self, channel: Channel, seconds: float) -> Frame | None:
        """The next frame, or None when the process is gone; past `seconds` the process is killed (timeout)."""
        handle = asyncio.get_running_loop().call_later(max(0.0, seconds), self._time_out)
        try:
            return await channel.receive()
        finally:
            handle.cancel()

    def _time_out(self) -> None:
        self._timed_out = True
        self.kill_now()

    def _answered(self, kind: bytes, output: _Output) -> bytes:
        """The frame's kind in capitals; a lower-case kind (or a runtime over HTTP) means no more output follows."""
        channel = self._channel
        if kind.islower() or channel is None or not channel.has_log_sentinel:
            with contextlib.suppress(ValueError):
                self._open.remove(output)
            output.close()
        return kind.upper()

    async def _invoke(self, invocation: Invocation, output: _Output) -> InvokeResult:
        channel = self._channel
        started = time.perf_counter()
        lines = output.lines
        if self.spec.failure is not None or channel is None:
            failure_type, message = self.spec.failure or ("Runtime.Unknown", "the runtime did not start")
            return self._result(Outcome.FUNCTION_ERROR, _error_payload(
                failure_type, f"RequestId: {invocation.request_id} Error: {message}"), invocation, started, None,
                failure_type, lines, lost=True)
        init_ms: float | None = None
        if not self.initialised:
            frame = await self._receive(channel, invocation.timeout)
            if frame is not None:
                frame = (self._answered(frame[0], output) if frame[0] != b"Y" else b"Y", frame[1])
            if frame is None or frame[0] == b"N":
                return await self._lost(invocation, started, frame, None, lines)
            self.initialised = True
            init_ms = (time.perf_counter() - self.started_at) * 1000
            started = time.perf_counter()
        channel.send({"id": invocation.request_id, "arn": invocation.function_arn,
                      "deadline": int(time.time() * 1000 + invocation.timeout * 1000),
                      "trace": invocation.trace_id}, invocation.payload)
        frame = await self._receive(channel, invocation.timeout)
        if frame is None:
            return await self._lost(invocation, started, None, init_ms, lines)
        kind, data = self._answered(frame[0], output), frame[1]
        if kind == b"R":
            _content_type, _, payload = data.partition(b"\n")
            if len(payload) > MAX_RESPONSE_BYTES:
                message = RESPONSE_TOO_LARGE_MESSAGE.format(limit=MAX_RESPONSE_BYTES)
                return self._result(Outcome.FUNCTION_ERROR, _error_payload("Function.ResponseSizeTooLarge",
                                    message), invocation, started, init_ms, "Function.ResponseSizeTooLarge", lines)
            return self._result(Outcome.SUCCESS, payload, invocation, started, init_ms, None, lines)
        return self._result(Outcome.FUNCTION_ERROR, data, invocation, started, init_ms, _error_type(data), lines)

    async def _lost(self, invocation: Invocation, started: float, frame: Frame | None, init_ms: float | None,
                    lines: list[str]) -> InvokeResult:
        """The runtime reported an init error, timed out, or went away."""
        if frame is not None and frame[0] == b"N":
            await self.kill()
            return self._result(Outcome.FUNCTION_ERROR, frame[1], invocation, started, init_ms,
                                _error_type(frame[1]), lines, lost=True)
        returncode = await self._wait_exit()
        if self._timed_out:
            message = TASK_TIMED_OUT_MESSAGE.format(request_id=invocation.request_id,
                                                    seconds=f"{invocation.timeout:.2f}")
            return self._result(Outcome.FUNCTION_ERROR, _error_payload("Sandbox.Timedout", message), invocation,
                                started, init_ms, "Sandbox.Timedout", lines, lost=True)
        message = RUNTIME_EXITED_MESSAGE.format(request_id=invocation.request_id, reason=_exit_reason(returncode))
        return self._result(Outcome.FUNCTION_ERROR, _error_payload("Runtime.ExitError", message), invocation,
                            started, init_ms, "Runtime.ExitError", lines, lost=True)

    def _result(self, outcome: Outcome, payload: bytes, invocation: Invocation, started: float,
                init_ms: float | None, error_type: str | None, lines: list[str], lost: bool = False) -> InvokeResult:
        if lost:
            self.dead = True
        if outcome is Outcome.FUNCTION_ERROR:  # stack traces name /var/task, /opt, /var/runtime as on Lambda
            payload = payload_as_on_lambda(payload, self.spec.paths)
        phase: Literal["init", "invoke"] = "invoke" if self.initialised else "init"
        return InvokeResult(outcome, payload, invocation.request_id, (time.perf_counter() - started) * 1000,
                            init_ms, error_type, lines, lost, phase)

    async def _wait_exit(self) -> int | None:
        assert self._process is not None
        try:
            return await asyncio.wait_for(_exited(self._process), timeout=2.0)
        except asyncio.TimeoutError:
            await self.kill()
            return self._process.returncode

    def kill_now(self) -> None:
        """SIGKILL at once (timeout, or memory over MemorySize as Lambda does): the invocation then ends with
        `Task timed out` or `Runtime exited with error: signal: killed` (Runtime.ExitError)."""
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGKILL)

    async def kill(self) -> None:
        """Stop the process and everything it started: its session, and whatever left it (guard.sweep)."""
        self.dead = True
        process = self._process
        if process is None:
            return
        # its tree first (the process is stopped, not killed, so that what it started stays in its tree), then it
        environment = (process.pid, self._identity, guard.marker(self.spec.env))
        await asyncio.get_running_loop().run_in_executor(None, guard.sweep, [environment])
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        guard.unwatch(process.pid)
        if process.returncode is None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(_exited(process), timeout=5.0)
        if self._channel is not None:
            await self._channel.close()
        if self._log_task is not None:
            # the last lines are read at once; a process the function started may hold the pipe open for longer
            try:
                await asyncio.wait_for(asyncio.shield(self._log_task), timeout=0.3)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._log_task.cancel()
        # let go of the output pipe even if a process the function left behind still holds its end
        transport = getattr(process, "_transport", None)
        if transport is not None:
            transport.close()


async def _exited(process: asyncio.subprocess.Process, interval: float = 0.02) -> int:
    """The exit status as soon as the process has exited. (Python 3.11's Process.wait() also waits for its pipes
    to close, which a child the function started and left running may keep open for ever.)"""
    while process.returncode is None:
        await asyncio.sleep(interval)
    return process.returncode


def _error_type(payload: bytes) -> str | None:
    error_type = json_object(payload).get("errorType")
    return None if error_type is None else str(error_type)
