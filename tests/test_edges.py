"""Edges a demanding user hits: output without a last newline or with a huge line, a header no response can
carry, a child process left holding the output, `Expect: 100-continue`, long header lines, and failures inside
lambdagate itself. Each costs at most one request, never the server or the order of the logs."""

from __future__ import annotations

import re
import shutil
import socket
import time
from collections.abc import Iterator

import pytest

from conftest import copy_app
from harness import RunningGateway


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    running = RunningGateway(copy_app(tmp_path_factory, "edge") / "template.yaml", watch=False)
    yield running
    running.close()


def settled(running: RunningGateway, function: str, reports: int) -> list[str]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [line for line in running.console.splitlines() if line.startswith(f"[{function}] ")]
        if sum(" REPORT RequestId: " in line for line in lines) >= reports:
            return [line.split("] ", 1)[1] for line in lines]
        time.sleep(0.01)
    raise AssertionError(f"{function}: fewer than {reports} REPORT lines")


def test_output_without_a_last_newline_keeps_the_logs_in_step(edge: RunningGateway) -> None:
    for _ in range(3):
        assert edge.request("GET", "/partial").status == 200
    lines = settled(edge, "PartialFunction", 3)
    kinds = [line.split(" ", 1)[0] for line in lines]
    assert kinds == ["START", "partial", "END", "REPORT"] * 3
    assert all("\x00" not in line for line in lines)


def test_a_line_longer_than_the_read_buffer_is_not_lost(edge: RunningGateway) -> None:
    assert edge.request("GET", "/long").status == 200
    lines = settled(edge, "LongFunction", 1)
    pieces = [line for line in lines if line.startswith("L")]
    assert sum(len(p) for p in pieces) == 300000
    assert lines[-2].startswith("END") and lines[-1].startswith("REPORT")


def test_a_header_value_with_a_line_break_is_a_502_not_a_broken_reply(edge: RunningGateway) -> None:
    reply = edge.request("GET", "/injected")
    assert (reply.status, reply.body) == (502, b'{"message": "Internal server error"}')
    assert "headers.X-A: the value contains a line break" in edge.console


@pytest.mark.slow
def test_a_child_holding_the_output_does_not_hold_the_answer(edge: RunningGateway) -> None:
    started = time.monotonic()
    reply = edge.request("GET", "/orphan")
    assert reply.status == 502
    assert time.monotonic() - started < 2.0  # not the 20 s the orphaned child lives
    assert "Error: Runtime exited with error: exit status 1" in edge.console


def test_expect_100_continue_is_answered(edge: RunningGateway) -> None:
    body = b"x" * 2000
    with socket.create_connection(("127.0.0.1", edge.port), timeout=5) as sock:
        sock.sendall(b"POST /plain HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\nExpect: 100-continue\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(body)
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(4096)
        assert data.startswith(b"HTTP/1.1 200 OK")


def test_header_lines_up_to_api_gateways_limit_are_accepted(edge: RunningGateway) -> None:
    reply = edge.request("GET", "/plain", headers=[("X-Big", "v" * 9000)])
    assert reply.status == 200  # aiohttp alone refuses lines over 8190 bytes; API Gateway takes 10240


def test_a_failure_inside_lambdagate_costs_one_request(edge: RunningGateway, tmp_path_factory: pytest.TempPathFactory
                                                       ) -> None:
    function = next(f for f in edge.deployment.functions.values() if f.logical_id == "PlainFunction")
    pool = edge.runner.lambdas.pool(function.arn)
    assert pool is not None
    edge.run(pool.recycle())
    moved = function.code_dir + ".moved"
    shutil.move(function.code_dir, moved)  # the next environment cannot even start
    try:
        reply = edge.request("GET", "/plain")
    finally:
        shutil.move(moved, function.code_dir)
    assert (reply.status, reply.body) == (500, b'{"message": "Internal server error"}')
    assert reply.header("x-amzn-ErrorType") == "InternalServerErrorException"
    assert re.search(r"lambdagate: lambdagate could not handle this request: \w+", edge.console)
    assert pool.environment_count == 0  # nothing half-started is kept
    assert edge.request("GET", "/plain").status == 200
