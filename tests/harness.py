"""A real lambdagate server on a free loopback port, in a thread of its own, and a plain HTTP client that sends
header names exactly as written (http.client does not change their casing)."""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambdagate.app import LocalGateway, ServeConfig, load
from lambdagate.observe.console import Console


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.all(name)
        return values[-1] if values else None

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self) -> Any:
        return json.loads(self.body)


class RunningGateway:
    def __init__(self, template: Path, **options: Any) -> None:
        self.console_out = io.StringIO()
        config = ServeConfig(template=template, **options)
        deployment, state_dir = load(config)
        self.deployment = deployment
        self._loop = asyncio.new_event_loop()
        self.local = LocalGateway(deployment, state_dir, Console(self.console_out), config.max_environments,
                                  watch=config.watch, python_channel=config.python_channel)
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self.local.start("127.0.0.1", 0))
            started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        if not started.wait(30):
            raise RuntimeError("lambdagate did not start")
        assert self.local.server is not None
        self.port = self.local.server.port

    def request(self, method: str, target: str, headers: list[tuple[str, str]] | dict[str, str] | None = None,
                body: bytes | str | None = None, timeout: float = 60) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            items = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
            data = body.encode() if isinstance(body, str) else body
            if data is not None and not any(k.lower() == "content-length" for k, _ in items):
                items.append(("Content-Length", str(len(data))))
            for name, value in items:
                conn.putheader(name, value)
            conn.endheaders(data)
            response = conn.getresponse()
            return Reply(response.status, list(response.getheaders()), response.read())
        finally:
            conn.close()

    @property
    def console(self) -> str:
        return self.console_out.getvalue()

    def raw(self, data: bytes, timeout: float = 60) -> Reply:
        """Write `data` (request line, headers and any body, exactly as the test spelled them) and read one reply."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(data)
            response = http.client.HTTPResponse(sock, method=data.split(b" ", 1)[0].decode("ascii"))
            response.begin()
            try:
                return Reply(response.status, list(response.getheaders()), response.read())
            finally:
                response.close()

    def log_lines(self, request_id: str) -> list[str]:
        """The execution-log lines that the terminal showed for one request, without the `(<requestId>) ` prefix."""
        prefix = f"({request_id}) "
        return [line.strip()[len(prefix):] for line in self.console.splitlines()
                if line.strip().startswith(prefix)]

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(60)

    def close(self) -> None:
        async def shutdown() -> None:
            await self.local.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
