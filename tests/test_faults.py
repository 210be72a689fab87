"""Fault injection: every way a function can fail, and every way lambdagate's own world can fail (its disk, its
process killed), each costs at most the request it hits. For each case: the follow-up request succeeds, no process
of the run is left (counted by walking /proc for the environment's variables, which every process it starts
inherits), and nothing expected is missing from the log store.

`pytest -m faults` runs this module and the fault cases kept beside the module they test (marked `faults`):
test_server.py (Content-Encoding, deadlines, half-closed clients, absolute-form targets, many headers, no traceback),
test_dashboard.py (Host checks, query parameters, loopback), test_doctor.py (no side effect on AWS), test_observe.py
(a failing disk, damaged files, escaped control characters), test_gateway.py (the 6 MB event, content coding).
Bounded: about a minute on 2 cores; it runs with the rest under plain `pytest`.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import copy_app
from harness import RunningGateway, processes_with
from lambdagate.observe.log_store import LogStore
from lambdagate.observe.recorder import FUNCTION_LOG_BYTES

pytestmark = [pytest.mark.faults,
              pytest.mark.skipif(not os.path.isdir("/proc"), reason="counts processes through /proc")]
HAS_NODE = shutil.which("node") is not None


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_app(tmp_path_factory, "faults")


@pytest.fixture(scope="module")
def served(app: Path) -> Iterator[RunningGateway]:
    running = RunningGateway(app / "template.yaml", dashboard=True, watch=False)
    yield running
    running.close()
    assert wait_until(lambda: not processes_with(f"LAMBDA_TASK_ROOT={app / 'src'}")), "environments left after close"


def code_dir(running: RunningGateway, logical_id: str) -> str:
    return next(f.code_dir for f in running.deployment.functions.values() if f.logical_id == logical_id)


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def left_after_recycle(running: RunningGateway, logical_id: str, handler: str) -> list[int]:
    """The function's environments are recycled (as a code change does); returns its processes still alive."""
    function = next(f for f in running.deployment.functions.values() if f.logical_id == logical_id)
    pool = running.runner.lambdas.pool(function.arn)
    assert pool is not None
    running.run(pool.recycle())
    variables = (f"LAMBDA_TASK_ROOT={function.code_dir}", f"_HANDLER={handler}")
    wait_until(lambda: not processes_with(*variables))
    return processes_with(*variables)


def stored(running: RunningGateway, app: Path, group_part: str, text: str, seconds: float = 10.0) -> bool:
    """Whether a log group (or groups whose name holds `group_part`) holds a line with `text`, once written (a
    function's log is complete when all its output is read, which may be after its answer)."""
    def found() -> bool:
        running.run(running.runner.recorder.flush_in_steps())
        store = LogStore(app / ".lambdagate" / "logs")
        return any(text in e.message for e in store.search(group_part, 0, None))
    return wait_until(found, seconds)


async def _write_all(running: RunningGateway) -> None:
    running.runner.recorder.close()


def lambda_request_id(running: RunningGateway, request_id: str) -> str:
    entry = running.runner.recorder.recent[request_id]
    assert entry.exchange.lambda_request_id, request_id
    return entry.exchange.lambda_request_id


# -- the function's failures ---------------------------------------------------------------------------------------
HANDLER_FAILURES = [
    pytest.param("/fault/loop", 502, "Error: Task timed out after 2.00 seconds", id="sec5.1-REC-timeout-loop"),
    pytest.param("/fault/exit", 502, "Error: Runtime exited with error: exit status 3", id="sec5.1-REC-exit"),
    pytest.param("/fault/segfault", 502, "Error: Runtime exited with error: signal: segmentation fault",
                 id="sec5.1-REC-segfault"),
    pytest.param("/fault/raise", 502, "customer function error: fault injected", id="sec3-REC-raise"),
    pytest.param("/fault/big", 502, "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
                 id="sec10.10a-REC-7MB-result"),
    pytest.param("/fault/memory", 502, "Error: Runtime exited with error: signal: killed", id="memory-over-MemorySize"),
    pytest.param("/fault/flood", 200, None, id="stdout-flood-20MiB"),
    pytest.param("/fault/tree", 200, None, id="forked-child-and-setsid-grandchild-left-running"),
    pytest.param("/fault/close-stdout", 200, None, id="handler-closes-fd-1"),
]


@pytest.mark.parametrize(("path", "status", "line"), HANDLER_FAILURES)
def test_a_failing_handler_costs_one_request(served: RunningGateway, app: Path, path: str, status: int,
                                             line: str | None) -> None:
    reply = served.request("GET", path)
    assert reply.status == status, reply.body[:200]
    request_id = reply.header("x-amzn-RequestId")
    assert request_id
    if line is not None:
        assert line in served.console
    follow = served.request("GET", "/fault/pid")
    assert follow.status == 200 and follow.body.startswith(b"pid=")
    lambda_id = lambda_request_id(served, request_id)
    assert stored(served, app, "API-Gateway-Execution-Logs", f"({request_id}) Method completed with status: {status}")
    assert stored(served, app, "/aws/lambda/", f"REPORT RequestId: {lambda_id}")
    assert left_after_recycle(served, "FaultFunction", "faults.fault") == []


def test_the_environment_survives_a_closed_stdout(served: RunningGateway) -> None:
    first = served.request("GET", "/fault/pid").body
    assert served.request("GET", "/fault/close-stdout").status == 200
    assert served.request("GET", "/fault/pid").body == first  # the same warm environment, still logging
    served.request("GET", "/fault/raise")
    assert wait_until(lambda: served.console.count("[ERROR] RuntimeError: fault injected") >= 1)


def test_throttling_costs_one_request(served: RunningGateway, app: Path) -> None:
    assert served.request("GET", "/single").status == 200
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(served.request, "GET", "/single?sleep=1")
        time.sleep(0.3)
        fast = served.request("GET", "/single")
        assert slow.result().status == 200
    assert fast.status == 500
    assert stored(served, app, "API-Gateway-Execution-Logs",
                  f"({fast.header('x-amzn-RequestId')}) Execution failed due to configuration error: Rate Exceeded.")
    assert served.request("GET", "/single").status == 200
    assert left_after_recycle(served, "SingleFunction", "faults.ok") == []


def test_a_stdout_flood_loses_no_line(served: RunningGateway, app: Path) -> None:
    reply = served.request("GET", "/fault/flood")
    lambda_id = lambda_request_id(served, reply.header("x-amzn-RequestId") or "")
    served.run(served.runner.recorder.flush_in_steps())
    group = "/aws/lambda/" + next(f.name for f in served.deployment.functions.values()
                                  if f.logical_id == "FaultFunction")
    lines = [e.message for e in LogStore(app / ".lambdagate" / "logs").search(group, 0, None)]
    start = lines.index(f"START RequestId: {lambda_id} Version: $LATEST")
    end = lines.index(f"END RequestId: {lambda_id}")
    assert sum(len(line) + 1 for line in lines[start + 1:end]) == 20 * 1024 * 1024  # 20 MiB, every byte


# -- item 4: the dashboard's latest requests are bounded in bytes ---------------------------------------------------
def test_the_latest_requests_are_bounded_in_bytes(served: RunningGateway) -> None:
    recorder = served.runner.recorder
    body = b"b" * (1024 * 1024)
    for _ in range(12):
        assert served.request("POST", "/echo", headers={"Content-Type": "text/plain"}, body=body).status == 200
    flood = served.request("GET", "/fault/flood")
    served.run(recorder.flush_in_steps())
    entries = list(recorder.recent.values())
    assert all(e.exchange.request.body == b"" and e.exchange.response.body == b"" for e in entries if e.log)
    assert recorder._recent_bytes < 4 * 1024 * 1024  # 12 MiB of bodies and 20 MiB of output were sent
    dashboard = served.runner.dashboard
    assert dashboard is not None
    import urllib.request
    url = f"http://127.0.0.1:{dashboard.port}/api/requests/{flood.header('x-amzn-RequestId')}"
    with urllib.request.urlopen(url, timeout=10) as answer:
        detail = json.loads(answer.read())
    function_log = "\n".join(detail["functionLog"])
    assert len(function_log) < FUNCTION_LOG_BYTES + 1024
    assert re.search(r"\[lambdagate: \d+ more bytes of this invocation's output are in the log store", function_log)
    assert detail["functionLog"][-1].startswith("REPORT RequestId: ")
    assert any(line.endswith("[TRUNCATED]") or "Endpoint request body" in line for line in detail["executionLog"])


# -- items 6, 7, 8: what a request can carry, what the code folder allows -------------------------------------------
def test_an_event_over_lambdas_6_mb_is_refused_as_lambda_refuses_it(served: RunningGateway, app: Path) -> None:
    reply = served.request("POST", "/echo", headers={"Content-Type": "text/plain"}, body=b"x" * 6_300_000)
    assert (reply.status, reply.body) == (413, b'{"message": "Request Too Long"}')
    assert reply.header("x-amzn-ErrorType") == "BadRequestException"
    request_id = reply.header("x-amzn-RequestId")
    assert stored(served, app, "API-Gateway-Execution-Logs", f"({request_id}) Lambda invocation failed with status: "
                                                              "413")
    assert served.request("POST", "/echo", headers={"Content-Type": "text/plain"}, body=b"x" * 6_000_000).status == 200


def test_a_gzip_body_reaches_the_function_decoded_with_its_header(served: RunningGateway) -> None:
    reply = served.request("POST", "/echo", headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
                           body=gzip.compress(b'{"a": 1}'))
    assert (reply.status, reply.body) == (200, b'{"a": 1}')
    assert reply.header("X-Content-Encoding") == "gzip" and reply.header("X-Base64") == "False"


def test_the_code_folder_is_read_only_and_tmp_is_writable(served: RunningGateway) -> None:
    reply = served.request("GET", "/fault/write-task")
    assert reply.body == b"OSError: [Errno 30] Read-only file system: '/var/task/written.txt'"
    assert not (Path(code_dir(served, "FaultFunction")) / "written.txt").exists()
    assert served.request("GET", "/fault/write-tmp").body == b"tmp is writable"


@pytest.mark.skipif(not HAS_NODE, reason="needs node")
def test_the_code_folder_is_read_only_to_nodejs_too(served: RunningGateway) -> None:
    reply = served.request("GET", "/node/write-task")
    assert reply.body.decode().splitlines() == [
        "EROFS: EROFS: read-only file system, open '/var/task/written.txt'",
        "EROFS: EROFS: read-only file system, open 'relative.txt'",
        "EROFS: EROFS: read-only file system, open '/var/task/appended.txt'",
        "EROFS: EROFS: read-only file system, mkdir '/var/task/made'"]
    assert sorted(p.name for p in Path(code_dir(served, "NodeFunction")).iterdir()) == ["index.js"]
    assert served.request("GET", "/node/write-tmp").body == b"tmp is writable"


# -- item 1: lambdagate's own disk ---------------------------------------------------------------------------------
def test_a_failing_disk_never_stops_the_logs_nor_grows_memory(served: RunningGateway, app: Path) -> None:
    recorder = served.runner.recorder
    store = recorder.store
    assert store is not None
    served.run(recorder.flush_in_steps())
    logs = app / ".lambdagate" / "logs"
    aside = app / ".lambdagate" / "logs-aside"
    logs.rename(aside)
    logs.write_text("not a folder")  # every write fails (ENOTDIR), as on a full or read-only disk, even as root
    store.max_buffered = 64 * 1024
    try:
        ids = [served.request("GET", "/ok").header("x-amzn-RequestId") for _ in range(3)]
        served.run(recorder.flush_in_steps())
        assert served.console.count("cannot write logs and metrics under") == 1
        for _ in range(150):  # well over 64 KB of records
            assert served.request("GET", "/ok").status == 200
        served.run(recorder.flush_in_steps())
        assert store.dropped > 0 and store._buffered <= 64 * 1024
        assert served.console.count("cannot write logs and metrics under") == 1  # said once
    finally:
        logs.unlink()
        aside.rename(logs)
        store.max_buffered = 16 * 1024 * 1024
    last = served.request("GET", "/ok").header("x-amzn-RequestId")
    assert stored(served, app, "API-Gateway-Execution-Logs", f"({last}) Method completed with status: 200")
    assert re.search(r"logs and metrics are written again \(\d+ records were dropped while they could not be\)",
                     served.console)
    assert not stored(served, app, "API-Gateway-Execution-Logs", f"({ids[0]}) Method completed", 0)  # oldest went


def test_stopping_with_a_failing_disk_still_stops_every_environment(tmp_path_factory: pytest.TempPathFactory
                                                                    ) -> None:
    app = copy_app(tmp_path_factory, "faults")
    running = RunningGateway(app / "template.yaml", watch=False)
    try:
        assert running.request("GET", "/ok").status == 200
        assert running.request("GET", "/fault/tree").status == 200
        running.run(running.runner.recorder.flush_in_steps())
        shutil.rmtree(app / ".lambdagate" / "logs")
        (app / ".lambdagate" / "logs").write_text("not a folder")
        running.request("GET", "/ok")
    finally:
        running.close()  # the last writes fail: said, and every environment is stopped all the same
    assert "log records could not be written" in running.console
    assert wait_until(lambda: not processes_with(f"LAMBDA_TASK_ROOT={app / 'src'}"))


@pytest.fixture()
def unwritable_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    app = copy_app(tmp_path_factory, "faults")
    state = app / ".lambdagate"
    if os.geteuid() == 0:  # root writes anywhere: a file where the folder should be is as unwritable
        state.write_text("")
    else:
        state.mkdir()
        state.chmod(0o555)
    yield app
    if state.is_dir():
        state.chmod(0o755)


def test_an_unwritable_state_folder_at_start_serves_without_logs(unwritable_app: Path) -> None:
    running = RunningGateway(unwritable_app / "template.yaml", watch=False)
    try:
        assert running.request("GET", "/ok").status == 200  # the Python runtime's links went elsewhere
        assert running.request("GET", "/fault/raise").status == 502
        assert "serving without logs and metrics on disk" in running.console
        assert "the Python runtime's links are in" in running.console
        running.run(running.runner.recorder.flush_in_steps())
    finally:
        running.close()


def test_corrupt_state_files_are_skipped(app: Path, served: RunningGateway) -> None:
    served.request("GET", "/ok")
    served.run(_write_all(served))  # everything written, metrics included
    state = app / ".lambdagate"
    with (state / "metrics.jsonl").open("ab") as f:
        f.write(b'\xff\xfe not json\n[1, 2]\n{"minute": "soon", "Count": 1}\n{"minute": 1e400}\n{"cut sho')
    group = next((state / "logs").glob("API-Gateway-Execution-Logs*.jsonl"))
    with group.open("ab") as f:
        f.write(b'\xff\n[]\n{"timestamp": "x", "stream": 1}\n{"timestamp": 1, "stream": "s", "kind": "execution", '
                b'"data": {"reached": "far"}}\n{"timestamp": 1, "str')
    runtime_links = next((state / "runtime").iterdir())
    (runtime_links / "awslambdaric").unlink()
    (runtime_links / "awslambdaric").symlink_to(state / "moved-away")  # a link left by a moved installation
    for argv in (["logs", "--since", "1h"], ["metrics"], ["metrics", "--json"]):
        done = subprocess.run([sys.executable, "-m", "lambdagate", *argv, "--template", str(app / "template.yaml")],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert done.stdout
    again = RunningGateway(app / "template.yaml", dashboard=True, watch=False)
    try:
        assert again.request("GET", "/ok").status == 200  # the runtime link was made again
        import urllib.request
        assert again.runner.dashboard is not None
        with urllib.request.urlopen(f"http://127.0.0.1:{again.runner.dashboard.port}/api/metrics", timeout=10) as r:
            assert r.status == 200 and json.loads(r.read())["rows"]
    finally:
        again.close()


# -- item 2: no orphans, however lambdagate dies ----------------------------------------------------------------------
def _serve(app: Path) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "lambdagate", "serve", "--template", str(app / "template.yaml"),
                                "--port", str(port), "--no-dashboard", "--no-watch", "--quiet"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert wait_until(lambda: _listening(port), 30), "serve did not start"
    return process, port


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
    except OSError:
        return False
    return True


def _fire(port: int, path: str) -> None:
    def send() -> None:
        try:
            with socket.create_connection(("127.0.0.1", port), 30) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                s.recv(100)
        except OSError:
            pass
    threading.Thread(target=send, daemon=True).start()


def _watchdogs(gateway_pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if b"--watch" in argv and str(gateway_pid).encode() in argv:
            found.append(int(entry))
    return found


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGHUP, signal.SIGTERM], ids=["SIGKILL", "SIGHUP", "SIGTERM"])
def test_no_orphans_however_lambdagate_dies(tmp_path_factory: pytest.TempPathFactory, how: signal.Signals) -> None:
    """Handlers that loop forever after leaving a forked child and a setsid() grandchild (Python), detached children
    (Node.js), a grandchild of a custom runtime's bootstrap: all gone when lambdagate goes, even by SIGKILL."""
    app = copy_app(tmp_path_factory, "faults")
    process, port = _serve(app)
    roots = [f"LAMBDA_TASK_ROOT={app / 'src'}", f"LAMBDA_TASK_ROOT={app / 'custom'}"]
    paths = ["/fault/tree-loop", "/custom/tree-loop"]
    if HAS_NODE:
        roots.append(f"LAMBDA_TASK_ROOT={app / 'node'}")
        paths.append("/node/tree-loop")
    try:
        for path in paths:
            _fire(port, path)
        expected = 3 + 2 + (3 if HAS_NODE else 0)  # each environment and what it started
        assert wait_until(lambda: sum(len(processes_with(r)) for r in roots) >= expected, 15)
        assert _watchdogs(process.pid)
        process.send_signal(how)
        process.wait(30)
        assert wait_until(lambda: not any(processes_with(r) for r in roots), 10), \
            [processes_with(r) for r in roots]
        assert wait_until(lambda: not _watchdogs(process.pid), 10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for root in roots:
            for pid in processes_with(root):
                os.kill(pid, signal.SIGKILL)
