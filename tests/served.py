"""A project served as a user serves it: `lambdagate serve` (after `lambdagate build` when asked) in a subprocess,
in the project's folder, on a free loopback port; requests over real HTTP."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from harness import Reply, settled_output

START_TIMEOUT = 600.0   # first use installs packages from PyPI / npm


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def lambdagate(*args: str, cwd: Path, env: dict[str, str] | None = None,
               timeout: float = START_TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run a lambdagate command to completion (e.g. `build`)."""
    return subprocess.run([sys.executable, "-m", "lambdagate", *args], cwd=cwd, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


class Served:
    def __init__(self, folder: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.port = free_port()
        self._lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lambdagate", "serve", "--port", str(self.port), "--no-dashboard", *args],
            cwd=folder, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + START_TIMEOUT
        while "serving on http://" not in self.output:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise AssertionError(f"lambdagate serve did not start:\n{self.output}")
            time.sleep(0.05)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self._lines)

    def request(self, method: str, target: str, body: bytes | None = None, timeout: float = 60) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, target, body=body)
            response = conn.getresponse()
            return Reply(response.status, list(response.getheaders()), response.read())
        finally:
            conn.close()

    def settled(self, timeout: float = 5.0) -> str:
        """The output once every invocation so far has its REPORT line."""
        return settled_output(lambda: self.output, timeout)

    def close(self) -> None:
        """SIGTERM (lambdagate stops its environments itself), SIGKILL for the group if it does not end."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._reader.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()
