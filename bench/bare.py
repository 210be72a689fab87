"""The ceiling: a bare aiohttp server (the low-level `aiohttp.web.Server` lambdagate's HTTP layer is built on, uvloop
when installed) answering the hello world's JSON body, with no Lambda behind it.

    python bench/bare.py PORT
"""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

HOST = "127.0.0.1"
BODY = b'{"message": "hello"}'


def event_loop_run(coroutine: Any) -> Any:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


async def serve_until_signalled(handler: Any, port: int) -> None:
    """Serve `handler` on HOST:port until SIGINT or SIGTERM."""
    from aiohttp import web

    server = web.Server(handler, access_log=None)
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(server, HOST, port, reuse_address=True)
    stopped = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    await stopped.wait()
    listener.close()
    await server.shutdown(1.0)


def main(port: int) -> None:
    from aiohttp import web

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(body=BODY, content_type="application/json")

    event_loop_run(serve_until_signalled(handle, port))


if __name__ == "__main__":
    main(int(sys.argv[1]))
