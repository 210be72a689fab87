#!/usr/bin/env python3
"""Soak: `lambdagate serve` under mixed load with failing routes for a bounded time, on loopback only, and what it
leaves behind.

    python bench/soak.py                  # 60 s of load
    python bench/soak.py --duration 20    # shorter
    python bench/soak.py --concurrency 8

The app is tests/apps/faults (copied to a temporary folder): Python routes that answer, echo bodies (plain and
gzip), raise, exit, answer 7 MB, time out; a Node.js route; an unknown path (403); an event over 6 MB (413). During
the load the functions' code is changed twice (every environment is recycled) and, every few seconds, an
environment is killed with SIGKILL while it answers a request (that request must get the 502 Lambda gives).

Printed: requests, unexpected statuses, lost responses (no answer at all), the gateway's resident memory and open
file descriptors before and after (both measured with no environment running, after a code change recycled them,
and after the gateway's periodic release of freed memory),
the size of .lambdagate/, and the processes of the run left after shutdown (environments, what they started,
lambdagate's watchdog). Targets: 0 unexpected, 0 lost, RSS growth < 10 MB, fds back to the baseline, 0 left.
Exit code 1 when a target is missed. Every process it starts is stopped on the way out.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "tests" / "apps" / "faults"
HOST = "127.0.0.1"
BIG_EVENT = b"x" * 6_400_000   # over Lambda's 6,291,456-byte event


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    expected: frozenset[int]
    weight: int
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


def routes(node: bool) -> list[Route]:
    text = (("Content-Type", "text/plain"),)
    mix = [
        Route("GET", "/ok", frozenset({200}), 40),
        Route("POST", "/echo", frozenset({200}), 15, b"soak " * 200, text),
        Route("POST", "/echo", frozenset({200}), 5, gzip.compress(b"gzip soak " * 500),
              (*text, ("Content-Encoding", "gzip"))),
        Route("GET", "/fault/raise", frozenset({502}), 10),
        Route("GET", "/fault/exit", frozenset({502}), 1),
        Route("GET", "/fault/big", frozenset({502}), 2),
        Route("GET", "/nowhere", frozenset({403}), 5),
        Route("POST", "/echo", frozenset({413}), 1, BIG_EVENT, text),
    ]
    if node:
        mix.append(Route("GET", "/node/ok", frozenset({200}), 10))
    return mix


@dataclass
class Tally:
    requests: int = 0
    lost: int = 0
    unexpected: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    kills: int = 0


# -- the gateway process -------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def run_processes(app: Path, gateway_pid: int) -> list[int]:
    """Processes of this run other than lambdagate: its environments and what they started (they inherit
    LAMBDA_TASK_ROOT), and its watchdog."""
    marker = f"LAMBDA_TASK_ROOT={app}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == gateway_pid:
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            state = Path(f"/proc/{entry}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if state != b"Z" and (marker in environ or (b"--watch" in argv and str(gateway_pid).encode() in argv)):
            found.append(int(entry))
    return found


def environments(app: Path) -> int:
    return sum(1 for pid in run_processes(app, 0) if b"--watch" not in Path(f"/proc/{pid}/cmdline").read_bytes())


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def change_code(app: Path) -> None:
    """As an editor saving a file: every environment of the functions under src/ is recycled."""
    source = app / "src" / "faults.py"
    source.write_text(source.read_text() + f"# changed at {time.time()}\n")


async def settle(app: Path, seconds: float = 10.0) -> None:
    """Recycle every environment (a code change), wait until none runs, then as long as the gateway takes to give
    freed memory back to the system (it does every 5 s)."""
    change_code(app)
    (app / "node" / "index.js").write_text((app / "node" / "index.js").read_text() + "\n")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and environments(app):
        await asyncio.sleep(0.2)
    await asyncio.sleep(6.0)


# -- the load ------------------------------------------------------------------------------------------------------
async def send(session: aiohttp.ClientSession, base: str, route: Route, tally: Tally) -> None:
    tally.requests += 1
    try:
        async with session.request(route.method, base + route.path, data=route.body,
                                   headers=dict(route.headers)) as response:
            await response.read()
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError):
        tally.lost += 1
        return
    tally.statuses[status] += 1
    if status not in route.expected:
        tally.unexpected[f"{route.method} {route.path} -> {status}"] += 1


async def worker(session: aiohttp.ClientSession, base: str, mix: list[Route], until: float, tally: Tally) -> None:
    weights = [r.weight for r in mix]
    while time.monotonic() < until:
        await send(session, base, random.choices(mix, weights)[0], tally)


async def killer(session: aiohttp.ClientSession, base: str, app: Path, until: float, tally: Tally) -> None:
    """Every few seconds: a request to the single-environment function, whose environment is killed with SIGKILL
    while it works; the request must get 502 (`Runtime exited with error: signal: killed`). And a handler that
    loops until its 2 s Timeout (502 `Task timed out`)."""
    killed = Route("GET", "/single?sleep=3", frozenset({502}), 0)
    loop = Route("GET", "/fault/loop", frozenset({502}), 0)
    while time.monotonic() < until - 5:
        request = asyncio.ensure_future(send(session, base, killed, tally))
        looping = asyncio.ensure_future(send(session, base, loop, tally))
        victims: list[int] = []
        for _ in range(40):  # until its environment runs (a cold start under load takes a while)
            await asyncio.sleep(0.05)
            victims = [pid for pid in run_processes(app, 0) if _is_single(pid)]
            if victims:
                break
        await asyncio.sleep(0.3)
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        tally.kills += bool(victims)
        await asyncio.gather(request, looping)
        await asyncio.sleep(3.0)


def _is_single(pid: int) -> bool:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return b"_HANDLER=faults.ok\0" in environ and b"SingleFunction" in environ


async def during(seconds: float, action: Callable[[], Awaitable[None] | None], until: float) -> None:
    await asyncio.sleep(seconds)
    if time.monotonic() < until:
        result = action()
        if result is not None:
            await result


async def soak(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="lambdagate-soak-"))
    app = workdir / "app"
    shutil.copytree(APP, app, ignore=shutil.ignore_patterns(".lambdagate"))
    port, dashboard = free_port(), free_port()
    log = workdir / "serve.log"
    with log.open("wb") as out:
        gateway = subprocess.Popen([sys.executable, "-m", "lambdagate", "serve", "--template",
                                    str(app / "template.yaml"), "--host", HOST, "--port", str(port),
                                    "--dashboard-port", str(dashboard), "--quiet"],
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://{HOST}:{port}"
    node = shutil.which("node") is not None
    mix = routes(node)
    tally = Tally()
    try:
        timeout = aiohttp.ClientTimeout(total=40)
        async with aiohttp.ClientSession(timeout=timeout, auto_decompress=False) as session:
            for _ in range(300):
                try:
                    async with session.get(base + "/nowhere") as r:
                        if r.status == 403:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            warm = Tally()
            await asyncio.gather(*(send(session, base, route, warm) for route in mix if route.weight >= 5))
        await settle(app)
        before = (rss_kb(gateway.pid), fds(gateway.pid))
        print(f"soak: {args.duration:.0f} s, concurrency {args.concurrency}, {len(mix)} routes"
              f"{'' if node else ' (no node: Node.js route left out)'}, gateway pid {gateway.pid}", flush=True)
        started = time.monotonic()
        until = started + args.duration
        connector = aiohttp.TCPConnector(limit=args.concurrency + 2)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector, auto_decompress=False) as session:
            await asyncio.gather(
                *(worker(session, base, mix, until, tally) for _ in range(args.concurrency)),
                killer(session, base, app, until, tally),
                during(args.duration * 0.4, lambda: change_code(app), until),
                during(args.duration * 0.7, lambda: change_code(app), until))
        took = time.monotonic() - started
        await settle(app)
        after = (rss_kb(gateway.pid), fds(gateway.pid))
        state = folder_size(app / ".lambdagate")
    finally:
        if gateway.poll() is None:
            gateway.send_signal(signal.SIGTERM)
        try:
            gateway.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(gateway.pid, signal.SIGKILL)
            gateway.wait()
    deadline = time.monotonic() + 10
    while run_processes(app, gateway.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = run_processes(app, gateway.pid)
    for pid in left:  # reported, then stopped: the soak leaves nothing behind itself
        os.kill(pid, signal.SIGKILL)

    growth_mb = (after[0] - before[0]) / 1024
    print(f"requests              {tally.requests} in {took:.1f} s ({tally.requests / took:.0f}/s); statuses "
          f"{dict(sorted(tally.statuses.items()))}; environments killed mid-request: {tally.kills}")
    print(f"unexpected statuses   {sum(tally.unexpected.values())}"
          + "".join(f"\n                        {n} x {what}" for what, n in tally.unexpected.most_common(10)))
    print(f"lost responses        {tally.lost}")
    print(f"gateway RSS           {before[0] / 1024:.1f} MB -> {after[0] / 1024:.1f} MB ({growth_mb:+.1f} MB)")
    print(f"gateway open fds      {before[1]} -> {after[1]}")
    print(f".lambdagate/ size     {state / 1024 / 1024:.1f} MB")
    print(f"left after shutdown   {len(left)} process(es); exit status {gateway.returncode}")
    print(f"serve's output        {log}")
    ok = (not tally.unexpected and not tally.lost and growth_mb < 10 and after[1] <= before[1] and not left)
    print("targets               " + ("met" if ok else "MISSED"))
    if ok:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--concurrency", type=int, default=6, help="requests in flight (default 6)")
    args = parser.parse_args()
    if not os.path.isdir("/proc"):
        print("soak: needs Linux's /proc to measure memory, descriptors and processes", file=sys.stderr)
        return 2
    return asyncio.run(soak(args))


if __name__ == "__main__":
    sys.exit(main())
