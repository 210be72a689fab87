"""The HTTP server over real sockets: request bodies as API Gateway takes them (a Content-Encoding decoded by the
gateway's own rule, §10.2e), the limits a server on a network needs (a deadline for the request head and for a
stalled body), and the requests a strict server must still answer (a half-closed client, an absolute-form target,
many headers), with nothing printed on the terminal for a malformed one."""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from collections.abc import Iterator

import pytest

from conftest import copy_app
from harness import RunningGateway

pytestmark = pytest.mark.faults  # issue 12's items 6 and 9: part of the fault suite


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    running = RunningGateway(copy_app(tmp_path_factory, "faults") / "template.yaml", watch=False)
    yield running
    running.close()


def exchange(running: RunningGateway, data: bytes, half_close: bool = False, timeout: float = 10.0
             ) -> tuple[bytes, float]:
    """Send raw bytes; returns everything the server sent until it closed, and how long that took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", running.port), timeout=timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            received += b"<still open>"
    return received, time.monotonic() - started


ECHO = [("Content-Type", "text/plain")]


@pytest.mark.parametrize(("encoding", "encode"), [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda data: zlib.compress(data)[2:-4]),   # the raw RFC 1951 stream the AWS documentation names
    ("gzip, identity", gzip.compress),
    ("identity", lambda data: data),
], ids=["sec10.2e-DOC-gzip", "sec10.2e-DOC-deflate-zlib", "sec10.2e-DOC-deflate-raw", "sec10.2e-DOC-list",
        "sec10.2e-DOC-identity"])
def test_a_coded_body_reaches_the_function_decoded(served: RunningGateway, encoding: str,
                                                   encode: object) -> None:
    assert callable(encode)
    reply = served.request("POST", "/echo", headers=[*ECHO, ("Content-Encoding", encoding)],
                           body=encode(b"hello coded body"))
    assert (reply.status, reply.body) == (200, b"hello coded body")
    assert reply.header("X-Content-Encoding") == encoding  # the header is passed on as sent


@pytest.mark.parametrize(("encoding", "body"), [
    ("br", b"\x0b\x02\x80hello\x03"),
    ("gzip", b"not gzip at all"),
    ("gzip", gzip.compress(b"cut short")[:-6]),
], ids=["sec10.2e-DOC-unsupported-br", "sec10.2e-DOC-not-gzip", "sec10.2e-DOC-truncated-gzip"])
def test_a_body_that_cannot_be_decoded_is_415(served: RunningGateway, encoding: str, body: bytes) -> None:
    reply = served.request("POST", "/echo", headers=[*ECHO, ("Content-Encoding", encoding)], body=body)
    assert (reply.status, reply.body) == (415, b'{"message":"Unsupported Media Type"}')
    assert reply.header("x-amzn-ErrorType") == "BadRequestException"


def test_a_small_body_that_inflates_past_lambdas_limit_is_not_inflated_whole(served: RunningGateway) -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))  # 64 MiB of zeros in about 64 KB
    reply = served.request("POST", "/echo", headers=[*ECHO, ("Content-Encoding", "gzip")], body=bomb)
    assert (reply.status, reply.body) == (413, b'{"message": "Request Too Long"}')


def test_more_than_128_headers_are_accepted(served: RunningGateway) -> None:
    reply = served.request("GET", "/ok", headers=[(f"X-H{i}", "v") for i in range(300)])
    assert reply.status == 200  # API Gateway limits the headers' size, not their number


def test_an_absolute_form_target_is_routed_by_its_path(served: RunningGateway) -> None:
    data, _ = exchange(served, b"GET http://api.example.com/echo?x=1 HTTP/1.1\r\nHost: api.example.com\r\n"
                               b"Connection: close\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")


def test_a_half_closed_client_gets_its_answer(served: RunningGateway) -> None:
    data, _ = exchange(served, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                               b"\r\nhello", half_close=True)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(b"hello")


def test_a_malformed_request_is_400_without_a_traceback(served: RunningGateway,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    for garbage in (b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                    b"GET /ok HTTP/1.1\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(3000)) + b"\r\n"):
        data, _ = exchange(served, garbage)
        assert data.startswith(b"HTTP/1.0 400 Bad Request") or data.startswith(b"HTTP/1.1 400 Bad Request"), data
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out + served.console


@pytest.mark.parametrize("data", [
    b"GET /ok HTTP/1.1\r\nHost: x\r\n",                                          # a head that never ends
    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nstalled",     # a body that stops
    b"",                                                                          # nothing at all
], ids=["slow-head", "stalled-body", "idle"])
def test_a_connection_that_stalls_is_closed(served: RunningGateway, data: bytes) -> None:
    assert served.runner.server is not None
    served.runner.server.header_timeout = 0.5
    try:
        received, took = exchange(served, data, timeout=10)
    finally:
        served.runner.server.header_timeout = 30.0
    assert received == b"" and took < 5


def test_a_keep_alive_connection_idle_after_its_answer_is_closed(served: RunningGateway) -> None:
    assert served.runner.server is not None
    served.runner.server.header_timeout = 0.5
    try:
        received, took = exchange(served, b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n", timeout=10)
    finally:
        served.runner.server.header_timeout = 30.0
    assert received.startswith(b"HTTP/1.1 200 OK\r\n") and took < 5


@pytest.mark.parametrize(("head", "pieces"), [
    (b"Content-Length: 15\r\n", [b"hello", b" there", b" you"]),
    (b"Transfer-Encoding: chunked\r\n", [b"5\r\nhello\r\n", b"6\r\n there\r\n", b"4\r\n you\r\n0\r\n\r\n"]),
], ids=["content-length", "chunked"])
def test_a_body_that_arrives_in_pieces_reaches_the_function_whole(served: RunningGateway, head: bytes,
                                                                   pieces: list[bytes]) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nConnection: close\r\n" + head +
                     b"\r\n")
        for piece in pieces:    # what has arrived is read at once; the rest is waited for, within the deadline
            time.sleep(0.15)
            sock.sendall(piece)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 200 OK\r\n") and received.endswith(b"hello there you"), received
