"""HTTP in and out: aiohttp's low-level server, which keeps header names as the client sent them.

Bounded as a server on a network must be: a connection that has not sent a whole request head within
HEADER_TIMEOUT seconds of opening (or of its last answer) is closed, as is a body that stops arriving for as long;
a client that half-closes its connection after its request still gets the answer; malformed requests get aiohttp's
400 and nothing on the terminal.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import HttpVersion11, web
from aiohttp.web_protocol import RequestHandler

from .exchange import HttpRequest, HttpResponse
from .gateway import MAX_REQUEST_BYTES

REQUEST_LINE_AND_HEADERS = 10240
# No limit of API Gateway's on the number of headers, only on their size: as many as fit in it (at 4 bytes each)
MAX_HEADERS = REQUEST_LINE_AND_HEADERS // 4
HEADER_TIMEOUT = 30.0
Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]
_QUIET = logging.getLogger("lambdagate.http")  # aiohttp's "Error handling request" tracebacks go nowhere
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


class _Connection(RequestHandler):
    """One client connection, with the head deadline and the half-close rule of the module's docstring."""

    def __init__(self, manager: _Server, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._timeout = manager.timeout
        self.answering = False
        self.answered = 0
        self._due = 0.0                                   # loop time by which the next request's head must be in
        self._deadline: asyncio.TimerHandle | None = None  # one timer per connection, moved on only when it fires

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._arm()

    def expect_request(self) -> None:
        """An answer is done: from now, the next request's head has HEADER_TIMEOUT seconds to arrive."""
        self.answering = False
        self.answered += 1
        self._arm()

    def _arm(self) -> None:
        loop = asyncio.get_running_loop()
        self._due = loop.time() + self._timeout()
        if self._deadline is None:
            self._deadline = loop.call_at(self._due, self._check)

    def answer_started(self) -> None:
        self.answering = True   # the timer, if it fires meanwhile, leaves the connection alone

    def _check(self) -> None:
        self._deadline = None
        if self.answering or self.transport is None:
            return   # expect_request arms it again
        loop = asyncio.get_running_loop()
        if loop.time() >= self._due:
            self.transport.close()
        else:
            self._deadline = loop.call_at(self._due, self._check)

    def eof_received(self) -> bool:  # type: ignore[override]
        """The client will send no more: answer what it sent, then close (instead of dropping it unanswered)."""
        if self._request_count > self.answered:  # a request is read and not answered yet
            self.close()
        elif self.transport is not None:
            self.transport.close()
        return True

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)


class _Server(web.Server):
    def __init__(self, *args: Any, timeout: Callable[[], float], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timeout = timeout

    def __call__(self) -> RequestHandler:
        return _Connection(self, loop=self._loop, **self._kwargs)


def _origin_form(target: str) -> str:
    """The path and query of an absolute-form target (`GET http://host/path HTTP/1.1`, RFC 9112 §3.2.2), which a
    server must accept; any other target as it is."""
    if target.startswith("/") or "://" not in target:
        return target
    rest = target.split("://", 1)[1]
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    path = rest[cut:]
    return path if path.startswith("/") else "/" + path


class _Response(web.Response):
    """API Gateway sends no `Server` header and says `Connection: keep-alive` (fact sheet §2.3)."""

    async def _prepare_headers(self) -> None:
        await super()._prepare_headers()
        self._headers.popall("Server", None)
        if self.keep_alive and "Connection" not in self._headers:
            self._headers["Connection"] = "keep-alive"


async def _read_body(request: web.BaseRequest, timeout: float) -> bytes | None:
    """The body, or None when it is larger than API Gateway accepts (read no further than the limit). A client
    that asked `Expect: 100-continue` (curl does for uploads over 1 MB) is told to go on first."""
    length = request.content_length
    if length is not None and length > MAX_REQUEST_BYTES:
        return None
    if request.version == HttpVersion11 and request.headers.get("Expect", "").lower() == "100-continue":
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0
    if not request.body_exists:
        return b""
    content = request.content
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = content.read_nowait()   # what has arrived already (most bodies come with the head): no waiting
        if not chunk and not content.is_eof():
            try:
                chunk = await asyncio.wait_for(content.readany(), timeout)
            except asyncio.TimeoutError:  # the body stopped arriving: the connection goes
                if request.transport is not None:
                    request.transport.close()
                raise
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            return None
        chunks.append(chunk)


class HttpServer:
    """Bytes <-> HttpRequest / HttpResponse over aiohttp's low-level server; knows nothing of API Gateway."""

    def __init__(self, handle: Handler, host: str, port: int, header_timeout: float = HEADER_TIMEOUT) -> None:
        self._handle = handle
        self.host = host
        self.port = port
        self.header_timeout = header_timeout
        self._server: asyncio.AbstractServer | None = None
        self._web: web.Server | None = None

    async def _on_request(self, request: web.BaseRequest) -> web.StreamResponse:
        connection = request.protocol
        if isinstance(connection, _Connection):
            connection.answer_started()
        try:
            return await self._answer(request)
        finally:
            if isinstance(connection, _Connection):
                connection.expect_request()

    async def _answer(self, request: web.BaseRequest) -> web.StreamResponse:
        received_at = time.time()
        body = await _read_body(request, self.header_timeout)
        target = _origin_form(request.raw_path)
        path, sep, query = target.partition("?")
        http_request = HttpRequest(
            method=request.method,
            raw_path=path,
            raw_query=query.partition("#")[0] if sep else None,
            headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers),
            body=body or b"",
            source_ip=request.remote or "127.0.0.1",
            server_port=self.port,
            received_at=received_at,
            body_too_large=body is None,
        )
        answer = await self._handle(http_request)
        response = _Response(status=answer.status, body=answer.body)
        for name, value in answer.headers:
            response.headers.add(name, value)
        if body is None:
            response.force_close()
        return response

    async def start(self) -> None:
        # "Request line and header values: 10240 bytes" (AGDG limits.md), not aiohttp's 8190
        # Bodies as sent: API Gateway's own decoding of a Content-Encoding is content_coding.py's (§10.2e)
        self._web = _Server(self._on_request, access_log=None, max_line_size=REQUEST_LINE_AND_HEADERS,
                            max_field_size=REQUEST_LINE_AND_HEADERS, max_headers=MAX_HEADERS, auto_decompress=False,
                            logger=_QUIET, keepalive_timeout=self.header_timeout,
                            timeout=lambda: self.header_timeout)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._web, self.host, self.port, reuse_address=True,
                                                family=socket.AF_INET if ":" not in self.host else socket.AF_INET6)
        sockets = list(self._server.sockets or ())
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self._web is not None:
            await self._web.shutdown(1.0)
