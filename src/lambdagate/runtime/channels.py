"""How the gateway talks to one execution environment. Two channels carry the same four messages:

- `SocketChannel`: length-prefixed frames on a socket pair, driven by awslambdaric's own bootstrap inside the
  environment (python_worker.py). About a third of the CPU of HTTP per invocation; the default for Python.
- `RuntimeApiChannel`: the Lambda Runtime API over HTTP, exactly as Lambda serves it to a runtime
  (`/2018-06-01/runtime/invocation/next`, `.../{id}/response`, `.../{id}/error`, `/2018-06-01/runtime/init/error`;
  LDG runtimes-api.md), one server per environment at AWS_LAMBDA_RUNTIME_API. Any runtime that speaks it works.

Frames handed to the environment: (b"Y", b"") initialised and waiting; (b"R", content-type + b"\\n" + result);
(b"E", error JSON); (b"N", init error JSON); None when the runtime is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
from collections import deque
from typing import Any, Protocol

import orjson
from aiohttp import web

Frame = tuple[bytes, bytes]
_LENGTH = struct.Struct(">I")


class Channel(Protocol):
    has_log_sentinel: bool

    async def receive(self) -> Frame | None: ...

    def send(self, header: dict[str, Any], payload: bytes) -> None: ...

    async def close(self) -> None: ...


class SocketChannel(asyncio.Protocol):
    """Frames on the environment's end of a socket pair: 4-byte big-endian length, one type byte, data. Frames are
    cut from what arrives as it arrives (no stream reader between), and handed to the one waiting `receive`."""

    has_log_sentinel = True

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._frames: deque[Frame] = deque()
        self._waiter: asyncio.Future[Frame | None] | None = None
        self._transport: asyncio.Transport | None = None
        self._closed = False

    @classmethod
    async def open(cls, sock: socket.socket) -> SocketChannel:
        _transport, channel = await asyncio.get_running_loop().create_unix_connection(cls, sock=sock)
        return channel

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= 4:
            (length,) = _LENGTH.unpack_from(buffer)
            if len(buffer) < 4 + length:
                break
            frame = bytes(buffer[4:4 + length])
            del buffer[:4 + length]
            self._deliver((frame[:1], frame[1:]))

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _deliver(self, frame: Frame) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self._waiter = None
            waiter.set_result(frame)
        else:
            self._frames.append(frame)

    async def receive(self) -> Frame | None:
        if self._frames:
            return self._frames.popleft()
        if self._closed:
            return None
        self._waiter = asyncio.get_running_loop().create_future()
        return await self._waiter

    def send(self, header: dict[str, Any], payload: bytes) -> None:
        if self._transport is None or self._transport.is_closing():
            return  # the environment is gone: receive() says so
        head = orjson.dumps(header)
        self._transport.write(_LENGTH.pack(len(head) + len(payload) + 2) + b"I" + head + b"\n" + payload)

    async def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


_PREFIX = "/2018-06-01/runtime"


class RuntimeApiChannel:
    """One environment's Runtime API endpoint. `exited` resolves when the runtime process ends."""

    has_log_sentinel = False

    def __init__(self) -> None:
        self._frames: asyncio.Queue[Frame] = asyncio.Queue()
        self._work: asyncio.Queue[tuple[dict[str, Any], bytes]] = asyncio.Queue()
        self._current: str | None = None
        self._ready_sent = False
        self._runner: web.AppRunner | None = None
        self.exited: asyncio.Future[Any] | None = None
        self.address = ""

    async def start(self) -> str:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get(f"{_PREFIX}/invocation/next", self._next)
        app.router.add_post(f"{_PREFIX}/invocation/{{id}}/response", self._response)
        app.router.add_post(f"{_PREFIX}/invocation/{{id}}/error", self._error)
        app.router.add_post(f"{_PREFIX}/init/error", self._init_error)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.address = f"127.0.0.1:{self._runner.addresses[0][1]}"
        return self.address

    async def _next(self, request: web.Request) -> web.StreamResponse:
        if not self._ready_sent:
            self._ready_sent = True
            self._frames.put_nowait((b"Y", b""))
        header, payload = await self._work.get()
        self._current = header["id"]
        # awslambdaric's native client needs a Content-Type on /next (design.md, "Measured").
        return web.Response(body=payload, status=200, headers={
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": header["id"],
            "Lambda-Runtime-Deadline-Ms": str(header["deadline"]),
            "Lambda-Runtime-Invoked-Function-Arn": header["arn"],
            "Lambda-Runtime-Trace-Id": header.get("trace") or "",
        })

    def _unknown(self, request: web.Request) -> web.Response | None:
        if request.match_info["id"] != self._current:
            return web.json_response({"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"},
                                     status=400)
        self._current = None
        return None

    async def _response(self, request: web.Request) -> web.Response:
        refused = self._unknown(request)
        if refused is not None:
            return refused
        body = await request.read()
        content_type = request.headers.get("Content-Type", "application/json")
        self._frames.put_nowait((b"R", content_type.encode() + b"\n" + body))
        return web.json_response({"status": "OK"}, status=202)

    async def _error(self, request: web.Request) -> web.Response:
        refused = self._unknown(request)
        if refused is not None:
            return refused
        self._frames.put_nowait((b"E", _error_body(await request.read(), request)))
        return web.json_response({"status": "OK"}, status=202)

    async def _init_error(self, request: web.Request) -> web.Response:
        self._frames.put_nowait((b"N", _error_body(await request.read(), request)))
        return web.json_response({"status": "OK"}, status=202)

    async def receive(self) -> Frame | None:
        get = asyncio.ensure_future(self._frames.get())
        waits: set[asyncio.Future[Any]] = {get}
        if self.exited is not None:
            waits.add(self.exited)
        done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        if get in done:
            return get.result()
        get.cancel()
        return None

    def send(self, header: dict[str, Any], payload: bytes) -> None:
        self._work.put_nowait((header, payload))

    async def close(self) -> None:
        if self._runner is not None:
            with contextlib.suppress(Exception):
                await self._runner.cleanup()


def _error_body(body: bytes, request: web.Request) -> bytes:
    """A runtime may post any body; Lambda reports `errorType` from Lambda-Runtime-Function-Error-Type when the
    body does not carry one."""
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        data = None
    if isinstance(data, dict) and "errorType" in data:
        return body
    error_type = request.headers.get("Lambda-Runtime-Function-Error-Type", "Runtime.Unknown")
    message = data.get("errorMessage", "") if isinstance(data, dict) else body.decode("utf-8", "replace")
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()
