"""No execution environment outlives lambdagate, and nothing a function started outlives its environment, however
lambdagate ends (Ctrl-C, SIGTERM, SIGHUP, SIGKILL), and without root.

- Inside an environment, first thing (`protect()`: the Python worker calls it; the Node.js bootstrap and a custom
  runtime's bootstrap are started through `python guard.py --exec ...`, which calls it and then becomes them): on
  Linux, PR_SET_PDEATHSIG, so that the kernel kills the environment when lambdagate's process goes, and
  PR_SET_CHILD_SUBREAPER, so that what the function starts stays in the environment's process tree even when the
  process in between exits (a double fork, `setsid()`).
- In lambdagate (`sweep`): an environment is ended with its whole tree: its process, every descendant, and every
  process whose environment variables still hold the environment's marker (its AWS_LAMBDA_LOG_STREAM_NAME, unique
  per environment), which finds what left the tree after its parent died. Where /proc is missing (macOS) the
  environment's process group is ended, as before.
- A watchdog process per lambdagate process (`watch`, `python guard.py --watch`, in a session of its own): told of
  each environment as it starts, it sweeps every one it was told of when lambdagate's end of its pipe closes, which
  happens however lambdagate ends, then exits.

What escapes all three: a process that both clears its environment variables and leaves the tree while lambdagate is
being killed with SIGKILL. A cgroup would close that gap; it needs delegation that an ordinary user rarely has.

This file runs as a script inside environments (`python -I -S guard.py`) and must not import lambdagate.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys

TYPE_CHECKING = False  # typing's own would cost an environment's start-up ~10 ms
if TYPE_CHECKING:
    import subprocess
    import threading

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
MARKER_VARIABLE = "AWS_LAMBDA_LOG_STREAM_NAME"
ROUNDS = 50  # sweeps of a tree at most (a function forking as fast as it can is caught in a few)


def protect() -> None:
    """Linux: die with the parent (the gateway) and keep every descendant in this process's tree. Elsewhere a no-op
    (the watchdog and the control channel's end of file cover it)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent or parent == 1:  # the gateway was gone before the guard was set
        os._exit(0)


# -- the process table (/proc) ---------------------------------------------------------------------------------------
def _stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, start time, state) of a process; None when it is gone or /proc says nothing."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("latin-1")
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    return int(fields[1]), fields[19], fields[0]


def start_time(pid: int) -> str | None:
    """The process's start time (a pid alone may be reused once its process is gone)."""
    stat = _stat(pid)
    return stat[1] if stat else None


def _table() -> dict[int, int]:
    """pid -> parent pid of every live process."""
    out: dict[int, int] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return out
    for entry in entries:
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[2] != "Z":  # a zombie holds nothing; its parent reaps it
                out[int(entry)] = stat[0]
    return out


def _kill(pid: int, sig: int, group: bool = False) -> bool:
    try:
        (os.killpg if group else os.kill)(pid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _descendants(roots: set[int], table: dict[int, int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, parent in table.items():
        children.setdefault(parent, []).append(pid)
    out: set[int] = set()
    todo = list(roots)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def _marked(markers: set[bytes], table: dict[int, int]) -> set[int]:
    """The processes whose environment holds one of the markers."""
    if not markers:
        return set()
    out = set()
    for pid in table:
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                environ = f.read()
        except OSError:
            continue
        if any(marker in environ for marker in markers):
            out.add(pid)
    return out


def marker(env: dict[str, str]) -> bytes:
    """How an environment's processes are recognised: its log stream's variable, as their environment holds it."""
    return f"{MARKER_VARIABLE}={env.get(MARKER_VARIABLE, '')}\0".encode()


def sweep(environments: list[tuple[int, str | None, bytes]]) -> int:
    """End environments, each given as (pid, start time or None, marker), with everything they started; returns how
    many processes were killed. The environment's process is stopped first (so that it forks no more and keeps its
    tree together), its descendants and marked processes killed until none is left, then itself."""
    if not os.path.isdir("/proc"):
        for pid, _, _ in environments:
            _kill(pid, signal.SIGKILL, group=True)
        return 0
    me = {os.getpid(), os.getppid()}
    # only a process known by its start time is stopped as a root (its pid may be another's by now); the others are
    # found by their marker
    roots = {pid for pid, started, _ in environments if started is not None and start_time(pid) == started} - me
    markers = {m for _, _, m in environments if m.count(b"=") and not m.endswith(b"=\0")}
    for pid in roots:
        _kill(pid, signal.SIGSTOP)
    killed = 0
    for _ in range(ROUNDS):
        table = _table()
        victims = (_descendants(roots, table) | _marked(markers, table)) - roots - me
        if not victims:
            break
        killed += sum(_kill(pid, signal.SIGKILL) for pid in victims)
    killed += sum(_kill(pid, signal.SIGKILL) for pid in roots)
    return killed


# -- the watchdog --------------------------------------------------------------------------------------------------
_watchdog: subprocess.Popen[bytes] | None = None
_watchdog_pid = 0
_lock: threading.Lock | None = None


def watch(pid: int, started: str | None, env_marker: bytes) -> None:
    """Tell this process's watchdog of an environment (started at once if none runs yet)."""
    _tell(f"+{pid} {started or '-'} {env_marker.hex()}\n".encode())


def unwatch(pid: int) -> None:
    _tell(f"-{pid}\n".encode())


def _tell(line: bytes) -> None:
    import subprocess
    import threading

    global _watchdog, _watchdog_pid, _lock
    if _lock is None:
        _lock = threading.Lock()
    with _lock:
        if _watchdog is None or _watchdog_pid != os.getpid() or _watchdog.poll() is not None:
            if _watchdog is None:
                atexit.register(_stop_watchdog)
            try:
                _watchdog = subprocess.Popen(
                    [sys.executable, "-I", "-S", os.path.abspath(__file__), "--watch", str(os.getpid())],
                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True, close_fds=True)
            except OSError:
                return
            _watchdog_pid = os.getpid()
        assert _watchdog.stdin is not None
        try:
            _watchdog.stdin.write(line)
            _watchdog.stdin.flush()
        except OSError:
            _watchdog = None


def _watch_main() -> None:
    """The watchdog: read registrations until the end of the pipe, then sweep what is registered."""
    import select
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    registered: dict[int, tuple[str | None, bytes]] = {}
    buffer = b""
    fd = sys.stdin.fileno()
    while True:
        try:
            select.select([fd], [], [])
        except InterruptedError:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            text = line.decode("ascii", "replace")
            if text.startswith("+"):
                pid, started, hex_marker = text[1:].split(" ")
                registered[int(pid)] = (None if started == "-" else started, bytes.fromhex(hex_marker))
            elif text.startswith("-"):
                registered.pop(int(text[1:]), None)
    if registered:
        environments = [(pid, started, m) for pid, (started, m) in registered.items()]
        sweep(environments)
        time.sleep(0.2)  # what was forked while the first sweep ran
        sweep(environments)


def _exec_main(argv: list[str]) -> None:
    """`guard.py --exec PROGRAM ARGS...`: protect(), then become PROGRAM (same pid; the guard stays set)."""
    protect()
    try:
        os.execv(argv[0], argv)
    except OSError as e:  # as Lambda's init says it (fork/exec <path>: <reason>)
        os.write(2, f"fork/exec {argv[0]}: {(e.strerror or str(e)).lower()}\n".encode())
        os._exit(127)


def _stop_watchdog() -> None:
    """At a normal exit: close the pipe (the watchdog sweeps what is still registered) and wait for it."""
    import subprocess

    watchdog = _watchdog
    if watchdog is None or _watchdog_pid != os.getpid():
        return
    try:
        if watchdog.stdin is not None:
            watchdog.stdin.close()
        watchdog.wait(5)
    except (OSError, subprocess.TimeoutExpired):
        pass



if __name__ == "__main__":
    if sys.argv[1:2] == ["--watch"]:
        _watch_main()
    elif sys.argv[1:2] == ["--exec"]:
        _exec_main(sys.argv[2:])
    else:
        sys.exit("usage: guard.py --watch GATEWAY_PID | --exec PROGRAM [ARGS...]")
