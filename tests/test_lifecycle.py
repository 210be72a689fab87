"""Execution environments live like Lambda's: warm reuse, one invocation each, more for concurrent requests,
reserved concurrency throttles, memory over MemorySize kills, new code is picked up by the next request."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import copy_app
from harness import RunningGateway
from served import free_port, lambdagate


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = copy_app(tmp_path_factory, "lifecycle")
    return target


@pytest.fixture(scope="module")
def life(app_dir: Path) -> Iterator[RunningGateway]:
    running = RunningGateway(app_dir / "template.yaml", watch=True)
    yield running
    running.close()


def pid_of(body: bytes) -> str:
    match = re.search(rb"pid=(\d+)", body)
    assert match, body
    return match.group(1).decode()


def test_warm_reuse_and_init_duration_on_cold_start_only(life: RunningGateway) -> None:
    first = life.request("GET", "/life")
    second = life.request("GET", "/life")
    assert first.status == second.status == 200
    assert pid_of(first.body) == pid_of(second.body)
    assert b"calls=2" in second.body
    reports = [line for line in life.console.splitlines() if "[LifeFunction] REPORT" in line]
    assert "Init Duration:" in reports[0] and "Init Duration:" not in reports[1]
    assert re.search(r"\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\t"
                     r"Max Memory Used: \d+ MB\t", reports[1])


def test_concurrent_requests_get_their_own_environments(life: RunningGateway) -> None:
    with ThreadPoolExecutor(3) as pool:
        replies = list(pool.map(lambda _: life.request("GET", "/life?sleep=0.5"), range(3)))
    assert [r.status for r in replies] == [200, 200, 200]
    assert len({pid_of(r.body) for r in replies}) == 3


def test_reserved_concurrency_throttles_the_second_concurrent_call(life: RunningGateway) -> None:
    assert life.request("GET", "/single").status == 200  # warm
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(life.request, "GET", "/single?sleep=1")
        time.sleep(0.3)
        fast = pool.submit(life.request, "GET", "/single")
        statuses = sorted([slow.result().status, fast.result().status])
    assert statuses == [200, 500]
    assert "Execution failed due to configuration error: Rate Exceeded." in life.console


def test_memory_over_memory_size_kills_the_environment(life: RunningGateway) -> None:
    before = pid_of(life.request("GET", "/life").body)
    reply = life.request("GET", "/life?allocate_mb=300")
    assert reply.status == 502
    assert reply.body == b'{"message": "Internal server error"}'
    assert "Error: Runtime exited with error: signal: killed" in life.console
    after = life.request("GET", "/life")
    assert after.status == 200 and pid_of(after.body) != before


def test_code_change_is_picked_up_by_the_next_request(life: RunningGateway, app_dir: Path) -> None:
    assert life.request("GET", "/life").body.startswith(b"one ")
    source = app_dir / "src" / "life.py"
    source.write_text(source.read_text().replace('VERSION = "one"', 'VERSION = "two"'))
    deadline = time.time() + 10
    body = b""
    while time.time() < deadline:
        body = life.request("GET", "/life").body
        if body.startswith(b"two "):
            break
        time.sleep(0.2)
    assert body.startswith(b"two "), body
    assert "LifeFunction: code changed" in life.console


@pytest.mark.parametrize("flag", ["--port", "--dashboard-port"])
def test_a_port_in_use_is_one_clear_line_not_a_traceback(app_dir: Path, flag: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        other = "--dashboard-port" if flag == "--port" else "--port"
        done = lambdagate("serve", flag, str(port), other, str(free_port()), cwd=app_dir, timeout=120)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    assert f"cannot listen on 127.0.0.1:{port}: address already in use" in done.stderr
    assert f"choose another with {flag}" in done.stderr
