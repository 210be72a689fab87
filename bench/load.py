"""The load generator every row shares: `wrk -t1 -c<connections> -d<seconds>s --latency` when wrk is installed
(`apt-get install wrk`), else a Python keep-alive client (`python bench/load.py URL CONNECTIONS SECONDS`, one
process, uvloop when installed; slower and noisier than wrk, and it takes more of the CPU the servers share).

Both answer the same dict: requests, seconds, rps, p50_ms, p90_ms, p99_ms, errors (socket errors, timeouts and
non-2xx/3xx answers).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from processes import register, stop

REQUEST_TIMEOUT_S = 5

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not m:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(output: str) -> dict[str, Any]:
    def find(pattern: str) -> re.Match[str]:
        m = re.search(pattern, output, re.M)
        if not m:
            raise ValueError(f"cannot parse wrk output ({pattern!r}):\n{output}")
        return m

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    total = find(r"^\s*(\d+) requests in ([\d.]+\w+),")
    requests = int(total.group(1))
    percentiles: dict[str, float] = {}
    for p in ("50", "90", "99"):
        # wrk prints 0.00us when nothing was answered
        percentiles[f"p{p}_ms"] = _ms(find(rf"^\s+{p}%\s+(\S+)").group(1)) if requests else math.nan
    return {
        "requests": requests,
        "seconds": _ms(total.group(2)) / 1e3,
        "rps": float(find(r"^Requests/sec:\s+([\d.]+)").group(1)),
        **percentiles,
        "errors": (sum(int(g) for g in socket_errors.groups()) if socket_errors else 0) +
                  (int(non2xx.group(1)) if non2xx else 0),
    }


class Load:
    def __init__(self, use_wrk: bool, connections: int) -> None:
        self.wrk = shutil.which("wrk") if use_wrk else None
        self.connections = connections

    @property
    def tool(self) -> str:
        if self.wrk:
            return f"wrk -t1 -c{self.connections} --latency --timeout {REQUEST_TIMEOUT_S}s"
        return f"python keep-alive client, {self.connections} connections (1 process, uvloop when installed)"

    def start(self, url: str, seconds: float, connections: int | None = None) -> subprocess.Popen[bytes]:
        connections = connections or self.connections
        if self.wrk:
            argv = [self.wrk, "-t1", f"-c{connections}", f"-d{max(1, math.ceil(seconds))}s", "--latency",
                    "--timeout", f"{REQUEST_TIMEOUT_S}s", url]
        else:
            argv = [sys.executable, str(Path(__file__).resolve()), url, str(connections), str(seconds)]
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
        register(process)
        return process

    def finish(self, process: subprocess.Popen[bytes], timeout: float) -> dict[str, Any]:
        try:
            out, err = process.communicate(timeout=timeout)
        finally:
            stop(process, grace=1.0)
        if process.returncode != 0:
            raise RuntimeError(f"load generator failed ({process.returncode}): {err.decode(errors='replace')}")
        if self.wrk:
            return parse_wrk(out.decode())
        result: dict[str, Any] = json.loads(out)
        return result

    def run(self, url: str, seconds: float, connections: int | None = None) -> dict[str, Any]:
        process = self.start(url, seconds, connections)
        return self.finish(process, timeout=seconds + REQUEST_TIMEOUT_S + 30)


# --------------------------------------------------------------------------------------------------------------
# The Python fallback, run as a child process

def _event_loop_run(coroutine: Any) -> Any:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def python_load(url: str, connections: int, seconds: float) -> dict[str, Any]:
    """Keep-alive HTTP/1.1 GETs over `connections` connections for `seconds`; a request that takes longer than
    REQUEST_TIMEOUT_S counts as an error and its connection is reopened."""
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port_text = hostport.partition(":")
    request = f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nAccept: */*\r\n\r\n".encode()
    latencies: list[float] = []
    errors = 0

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await reader.readexactly(length)
        return status

    async def connection(deadline: float) -> None:
        nonlocal errors
        clock = time.perf_counter
        while clock() < deadline:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port_text)),
                                                        REQUEST_TIMEOUT_S)
            except (OSError, asyncio.TimeoutError):
                errors += 1
                await asyncio.sleep(0.01)
                continue
            try:
                while clock() < deadline:
                    started = clock()
                    status = await asyncio.wait_for(one(reader, writer), REQUEST_TIMEOUT_S)
                    latencies.append(clock() - started)
                    if not 200 <= status < 400:
                        errors += 1
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError):
                errors += 1
            finally:
                writer.close()

    async def run() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(connection(started + seconds) for _ in range(connections)))
        return time.perf_counter() - started

    elapsed = _event_loop_run(run())
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1e3 if latencies else math.nan

    return {"requests": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed,
            "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99), "errors": errors}


if __name__ == "__main__":
    print(json.dumps(python_load(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))))
