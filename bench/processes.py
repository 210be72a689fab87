"""The benchmark's child processes, and what they cost, read from /proc (Linux).

Every child is registered in `_children`, started in a session of its own, its output drained by a thread (a pipe
the benchmark reads, as a terminal would; the last 64 KiB are kept for error messages), and stopped with all its
descendants by `stop()` or, at the latest, by `stop_all()` on the way out (main's `finally`, SIGTERM, SIGHUP,
Ctrl-C, atexit).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
TAIL_BYTES = 64 * 1024


# --------------------------------------------------------------------------------------------------------------
# /proc readers

def proc_stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat split into fields, 0-based as in proc(5) minus one: [3] ppid, [13] utime, [14] stime,
    [15] cutime, [16] cstime, [21] starttime; None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("latin-1")
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may contain spaces and parentheses
    return [data[:data.index(" ")], "comm"] + data[data.rindex(")") + 2:].split()


def identity(pid: int) -> tuple[int, str] | None:
    """(pid, start time): a pid alone may be reused once its process is gone."""
    stat = proc_stat(pid)
    return (pid, stat[21]) if stat else None


def descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = proc_stat(int(entry))
            if stat:
                parents.setdefault(int(stat[3]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def rss_mb(pid: int, field_name: str = "VmRSS") -> float | None:
    """Resident memory of one process in MB (VmRSS now, VmHWM the peak)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (everything but idle and iowait): what the other processes on
    the machine (other helpers' tests, say) took is this minus what the measured processes took."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    # guest time is already counted in user time
    return (sum(fields[:8]) - idle) / CLK_TCK


@dataclass(frozen=True)
class _Cpu:
    own: float        # utime + stime
    reaped: float     # cutime + cstime: the children it has waited for


def _cpu(pid: int) -> tuple[tuple[int, str], _Cpu] | None:
    stat = proc_stat(pid)
    if not stat:
        return None
    return ((pid, stat[21]),
            _Cpu((int(stat[13]) + int(stat[14])) / CLK_TCK, (int(stat[15]) + int(stat[16])) / CLK_TCK))


@dataclass(frozen=True)
class TreeSnapshot:
    """CPU times of a server process and its descendants (its execution environments / workers) at one moment."""
    server: int
    taken: float
    processes: dict[tuple[int, str], _Cpu] = field(default_factory=dict)

    @classmethod
    def take(cls, server: int) -> TreeSnapshot:
        processes = {}
        for pid in [server, *descendants(server)]:
            got = _cpu(pid)
            if got:
                processes[got[0]] = got[1]
        return cls(server, time.perf_counter(), processes)

    def workers(self) -> set[tuple[int, str]]:
        return {key for key in self.processes if key[0] != self.server}


@dataclass(frozen=True)
class TreeCost:
    server_cpu: float     # seconds of CPU of the server process itself
    worker_cpu: float     # seconds of CPU of its descendants, including those that ended meanwhile
    wall: float
    workers_alive: int    # descendants at the end
    workers_started: int  # descendants that were not there at the start


def tree_cost(before: TreeSnapshot, after: TreeSnapshot) -> TreeCost:
    """What the tree used between two snapshots. A descendant that ended meanwhile is charged through its parent's
    cutime/cstime once the parent has waited for it (its whole life, a slight overcount); one that is new is charged
    its whole life so far."""
    server_key = next((k for k in after.processes if k[0] == after.server), None)
    server_cpu = 0.0
    worker_cpu = 0.0
    for key, now in after.processes.items():
        then = before.processes.get(key, _Cpu(0.0, 0.0))
        reaped = now.reaped - then.reaped
        if key == server_key:
            server_cpu = now.own - then.own
        else:
            worker_cpu += now.own - then.own
        worker_cpu += reaped
    return TreeCost(server_cpu=server_cpu, worker_cpu=worker_cpu, wall=after.taken - before.taken,
                    workers_alive=len(after.workers()), workers_started=len(after.workers() - before.workers()))


# --------------------------------------------------------------------------------------------------------------
# Children

class Output:
    """Drains a child's stdout+stderr (a pipe, as a terminal would be read), counting bytes and keeping the tail."""

    def __init__(self, pipe: int) -> None:
        self.bytes = 0
        self._tail = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._drain, args=(pipe,), daemon=True)
        self._thread.start()

    def _drain(self, fd: int) -> None:
        try:
            while chunk := os.read(fd, 65536):
                with self._lock:
                    self.bytes += len(chunk)
                    self._tail += chunk
                    if len(self._tail) > 2 * TAIL_BYTES:
                        del self._tail[:-TAIL_BYTES]
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)

    def tail(self, limit: int = 4000) -> str:
        with self._lock:
            return bytes(self._tail[-limit:]).decode(errors="replace")


@dataclass
class Child:
    process: subprocess.Popen[bytes]
    output: Output | None    # None: the output went to a file or /dev/null
    name: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def describe_exit(self) -> str:
        tail = self.output.tail() if self.output else ""
        return f"{self.name} exited with {self.process.returncode}" + (f"; its last output:\n{tail}" if tail else "")


_children: list[subprocess.Popen[bytes]] = []


def spawn(argv: list[str], name: str, *, cwd: Path | None = None, env: dict[str, str] | None = None,
          drain: bool = True) -> Child:
    """Start `argv` in its own session; its output goes to a pipe drained by a thread (or /dev/null)."""
    if drain:
        read_end, write_end = os.pipe()
        try:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=write_end, stderr=subprocess.STDOUT,
                                       start_new_session=True, cwd=cwd, env=env)
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        _children.append(process)
        return Child(process, Output(read_end), name)
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, cwd=cwd, env=env)
    _children.append(process)
    return Child(process, None, name)


def register(process: subprocess.Popen[bytes]) -> None:
    """A child started elsewhere (a load generator), stopped with the others."""
    _children.append(process)


def stop(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM to its process group (lambdagate then stops its environments itself), SIGKILL after `grace`, then
    SIGKILL whatever of its descendants is still there (they may have sessions of their own)."""
    tree = [i for i in (identity(p) for p in descendants(process.pid)) if i]
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    else:
        # the leader is gone; its group may not be
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    for pid_and_start in tree:
        if identity(pid_and_start[0]) == pid_and_start:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid_and_start[0], signal.SIGKILL)
    if process in _children:
        _children.remove(process)


def stop_all() -> None:
    for process in list(_children):
        stop(process, grace=2.0)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def install_exit_handlers() -> None:
    """SIGTERM and SIGHUP unwind like Ctrl-C does (through main's `finally`); atexit is the last resort. SIGINT
    raises KeyboardInterrupt even where a shell started the benchmark with it ignored (a background job)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    atexit.register(stop_all)
