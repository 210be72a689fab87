"""The one-hop floor: the least any emulator with real isolation can do per request. A bare aiohttp server (as in
bare.py) hands each request to one of N warm worker processes over a socket and answers what the worker returns.

    python bench/onehop.py PORT [--workers 2]

Per request: the server encodes a small proxy event (method, path, headers, a request id) as JSON, takes an idle
worker (one request at a time per worker, as a Lambda execution environment takes one invocation at a time;
requests wait for a free worker), writes a 4-byte big-endian length and the event to the worker's socket, reads a
length-prefixed JSON result back, and answers its statusCode and body. The worker (`--worker FD`, started by the
server on one end of a socketpair) runs bench/app/app.py's handler, the same function lambdagate serves. No
logging, no timeouts, no authorisation: whatever lambdagate spends above this is the price of its emulation.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import itertools
import json
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bare import event_loop_run, serve_until_signalled

APP = Path(__file__).resolve().parent / "app"
LENGTH = 4


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter


async def start_worker() -> Worker:
    ours, theirs = socket.socketpair()
    process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", str(theirs.fileno())],
                               pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
    theirs.close()
    reader, writer = await asyncio.open_unix_connection(sock=ours)
    return Worker(process, reader, writer)


def main(port: int, workers: int) -> None:
    from aiohttp import web

    async def serve() -> None:
        idle: asyncio.Queue[Worker] = asyncio.Queue()
        started = [await start_worker() for _ in range(workers)]
        for worker in started:
            idle.put_nowait(worker)
        ids = itertools.count()

        async def handle(request: web.BaseRequest) -> web.StreamResponse:
            event = {"httpMethod": request.method, "path": request.path, "headers": dict(request.headers),
                     "requestContext": {"requestId": str(next(ids))}, "body": None}
            payload = json.dumps(event).encode()
            worker = await idle.get()
            try:
                worker.writer.write(len(payload).to_bytes(LENGTH, "big") + payload)
                size = int.from_bytes(await worker.reader.readexactly(LENGTH), "big")
                result = json.loads(await worker.reader.readexactly(size))
            except (OSError, asyncio.IncompleteReadError) as e:
                # a dead worker is not put back
                return web.Response(status=502, text=f"worker {worker.process.pid} failed: {e!r}")
            idle.put_nowait(worker)
            return web.Response(status=result["statusCode"], body=result["body"].encode(),
                                content_type="application/json")

        try:
            await serve_until_signalled(handle, port)
        finally:
            for worker in started:
                worker.writer.close()     # the worker reads EOF and exits
            for worker in started:
                try:
                    worker.process.wait(2.0)
                except subprocess.TimeoutExpired:
                    worker.process.kill()

    event_loop_run(serve())


def worker(fd: int) -> None:
    """One warm environment: read an event, run the handler, write its result; exit at EOF."""
    sys.path.insert(0, str(APP))
    handler = importlib.import_module("app").handler

    channel = socket.socket(fileno=fd)
    incoming = channel.makefile("rb")
    while True:
        head = incoming.read(LENGTH)
        if len(head) < LENGTH:
            return
        event: Any = json.loads(incoming.read(int.from_bytes(head, "big")))
        result = json.dumps(handler(event, None)).encode()
        channel.sendall(len(result).to_bytes(LENGTH, "big") + result)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("port", type=int, nargs="?")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker", type=int, metavar="FD", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker(args.worker)
    elif args.port is None:
        parser.error("PORT is required")
    else:
        main(args.port, args.workers)
