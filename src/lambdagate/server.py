"""HTTP in and out: aiohttp's low-level server, which keeps header names as the client sent them."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable

from aiohttp import HttpVersion11, web

from .exchange import HttpRequest, HttpResponse
from .gateway import MAX_REQUEST_BYTES

REQUEST_LINE_AND_HEADERS = 10240
Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]


class _Response(web.Response):
    """API Gateway sends no `Server` header and says `Connection: keep-alive` (fact sheet §2.3)."""

    async def _prepare_headers(self) -> None:
        await super()._prepare_headers()
        self._headers.popall("Server", None)
        if self.keep_alive and "Connection" not in self._headers:
            self._headers["Connection"] = "keep-alive"


async def _read_body(request: web.BaseRequest) -> bytes | None:
    """The body, or None when it is larger than API Gateway accepts (read no further than the limit). A client
    that asked `Expect: 100-continue` (curl does for uploads over 1 MB) is told to go on first."""
    length = request.content_length
    if length is not None and length > MAX_REQUEST_BYTES:
        return None
    if request.version == HttpVersion11 and request.headers.get("Expect", "").lower() == "100-continue":
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.content.readany()
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            return None
        chunks.append(chunk)


class HttpServer:
    """Bytes <-> HttpRequest / HttpResponse over aiohttp's low-level server; knows nothing of API Gateway."""

    def __init__(self, handle: Handler, host: str, port: int) -> None:
        self._handle = handle
        self.host = host
        self.port = port
        self._server: asyncio.AbstractServer | None = None
        self._web: web.Server | None = None

    async def _on_request(self, request: web.BaseRequest) -> web.StreamResponse:
        received_at = time.time()
        body = await _read_body(request)
        target = request.raw_path
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
        self._web = web.Server(self._on_request, access_log=None, max_line_size=REQUEST_LINE_AND_HEADERS,
                               max_field_size=REQUEST_LINE_AND_HEADERS)
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
