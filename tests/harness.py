"""A real lambdagate server on a free loopback port, in a thread of its own, and a plain HTTP client that sends
header names exactly as written (http.client does not change their casing)."""

from __future__ import annotations

import http.client
import io
import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambdagate import Gateway


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


def settled_output(read: Callable[[], str], timeout: float = 5.0) -> str:
    """`read()` once every invocation so far has its REPORT line (or once `timeout` has passed). A response may come
    back before the lines its invocation printed have been read; END and REPORT follow all of them (environment.py)."""
    deadline = time.monotonic() + timeout
    while True:
        out = read()
        if out.count(" START RequestId: ") <= out.count(" REPORT RequestId: ") or time.monotonic() > deadline:
            return out
        time.sleep(0.01)


class RunningGateway:
    """lambdagate's public Gateway, also listening for HTTP on a free loopback port; the terminal's output is kept
    in `console`."""

    def __init__(self, template: Path, dashboard: bool = False, **options: Any) -> None:
        self.console_out = io.StringIO()
        self.gateway = Gateway.from_template(template, output=self.console_out, **options)
        self.deployment = self.gateway.deployment
        self.runner = self.gateway.runner
        self.port = self.gateway.serve_http(dashboard_port=0 if dashboard else None)

    def request(self, method: str, target: str, headers: list[tuple[str, str]] | dict[str, str] | None = None,
                body: bytes | str | None = None, timeout: float = 60) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            items = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
            conn.putrequest(method, target, skip_accept_encoding=True,
                            skip_host=any(k.lower() == "host" for k, _ in items))
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

    def settled(self, timeout: float = 5.0) -> str:
        """The console once every invocation so far has its REPORT line."""
        return settled_output(lambda: self.console, timeout)

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
        return self.gateway.run(coroutine, 60)

    def flush(self) -> None:
        """Write the logs and metrics now, on the gateway's loop (the recorder is not shared between threads)."""
        async def flush() -> None:
            self.runner.recorder.flush()
        self.run(flush())

    def close(self) -> None:
        self.gateway.close()


def processes_with(*variables: str) -> list[int]:
    """The live processes whose environment holds every one of `variables` (`NAME=value`): an execution
    environment's processes and whatever they started (children inherit their parent's environment), found by
    walking /proc."""
    wanted = [v.encode() + b"\0" for v in variables]
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = b"\0" + f.read()
            with open(f"/proc/{entry}/stat", "rb") as f:
                if f.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    continue  # a zombie is already gone; its parent reaps it
        except OSError:
            continue
        if all(b"\0" + w in environ for w in wanted):
            found.append(int(entry))
    return found
