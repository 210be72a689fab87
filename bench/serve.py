#!/usr/bin/env python3
"""Benchmark: lambdagate's serving overhead against a bare aiohttp server, on loopback, in one bounded run.

    python bench/serve.py                   # full run, about 2.5 minutes
    python bench/serve.py --duration 3      # quicker, noisier
    python bench/serve.py --profile         # also py-spy lambdagate under load (pip install py-spy)

Measures, each server in its own process, one at a time, with the same load generator (wrk when installed,
else a Python keep-alive client with fixed request counts):
  1. baseline: aiohttp's low-level `aiohttp.web.Server` (uvloop when available) answering a small JSON body;
  2. lambdagate: `lambdagate serve --quiet --no-watch` with bench/app (a warm Python hello-world function),
     for several `--max-environments` values;
  3. the Node.js row: the same server and app, its nodejs20.x hello-world function (GET /hello-node), with the
     Node.js environments on the control socket (the default) and on the HTTP Runtime API (--node-channel);
  4. throughput and latency p50/p99 at concurrency 1 and 16, and the ratios lambdagate/baseline and Node.js/Python;
  5. cold start: the first request to a function whose environment has not started yet, in fresh processes.
Prints a table and writes bench/results/serve-<timestamp>.json. Every child process is stopped at the end, also on
Ctrl-C and on errors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
TEMPLATE = BENCH / "app" / "template.yaml"
BUILT_APP = BENCH / "app-built"            # a Python function with a requirements.txt dependency
BUILT_ROUTE = "/deps"
RESULTS = BENCH / "results"
HOST = "127.0.0.1"
ROUTE = "/hello"                          # invokes the Python function
NODE_ROUTE = "/hello-node"                # invokes the Node.js function
NODE_CHANNELS = ("socket", "runtime-api")  # how lambdagate talks to Node.js environments (--node-channel)
UNKNOWN = "/lambdagate-bench-unknown"     # answers 403 without invoking anything
EXPECTED_BODY = b'{"message": "hello"}'
CLK_TCK = os.sysconf("SC_CLK_TCK")

TARGET_THROUGHPUT_RATIO = 0.40   # lambdagate >= 40 % of the bare server's req/s at concurrency 16
TARGET_ADDED_P50_MS = 1.0        # lambdagate p50 - baseline p50 at concurrency 1
TARGET_COLD_START_MS = 150.0


# --------------------------------------------------------------------------------------------------------------
# Child processes: every one is registered, started in its own session, and stopped (with its descendants, which
# lambdagate starts in sessions of their own) by stop() or, at the latest, by stop_all() on the way out.

_children: list[subprocess.Popen[bytes]] = []


def _proc_stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("latin-1")
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may contain spaces
    return [data[:data.index(" ")]] + ["comm"] + data[data.rindex(")") + 2:].split()


def _identity(pid: int) -> tuple[int, str] | None:
    """(pid, start time): a pid alone may be reused once its process is gone."""
    stat = _proc_stat(pid)
    return (pid, stat[21]) if stat else None


def descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _proc_stat(int(entry))
            if stat:
                parents.setdefault(int(stat[3]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        stat = _proc_stat(pid)
        if stat:
            total += int(stat[13]) + int(stat[14])   # utime + stime, in clock ticks
    return total / CLK_TCK


def spawn(argv: list[str], log: Path | None = None, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with open(log or os.devnull, "wb") as out:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True, env=env)
    _children.append(process)
    return process


def stop(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM (lambdagate then stops its environments itself), SIGKILL after `grace`, then kill whatever of
    its descendants is still there."""
    tree = [i for i in (_identity(p) for p in descendants(process.pid)) if i]
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    for identity in tree:
        if _identity(identity[0]) == identity:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(identity[0], signal.SIGKILL)
    if process in _children:
        _children.remove(process)


def stop_all() -> None:
    for process in list(_children):
        stop(process, grace=2.0)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


# --------------------------------------------------------------------------------------------------------------
# Servers

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def http_get(port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_until_answers(process: subprocess.Popen[bytes], port: int, path: str, status: int,
                       timeout: float = 30.0, log: Path | None = None) -> float:
    """Poll until `GET path` answers `status`; return the seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            text = log.read_text(errors="replace") if log and log.exists() else ""
            raise RuntimeError(f"server exited with {process.returncode} before answering:\n{text}")
        try:
            got, _ = http_get(port, path, timeout=2.0)
            if got == status:
                return time.perf_counter() - started
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.002)
    raise RuntimeError(f"no {status} from http://{HOST}:{port}{path} within {timeout:.0f} s")


def start_baseline(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    log = tmp / "baseline.log"
    process = spawn([sys.executable, str(Path(__file__).resolve()), "_baseline", str(port)], log)
    wait_until_answers(process, port, ROUTE, 200, log=log)
    return process, port


def lambdagate_command() -> list[str]:
    script = Path(sys.executable).with_name("lambdagate")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lambdagate"]


def lambdagate_argv(port: int, max_environments: int | None, template: Path = TEMPLATE) -> list[str]:
    argv = lambdagate_command() + ["serve", "--template", str(template), "--port", str(port), "--quiet",
                                   "--no-watch"]
    if max_environments is not None:
        argv += ["--max-environments", str(max_environments)]
    return argv


def start_lambdagate(tmp: Path, max_environments: int | None, name: str, node_channel: str | None = None,
                     template: Path = TEMPLATE, env: dict[str, str] | None = None
                     ) -> tuple[subprocess.Popen[bytes], int, Path, float]:
    port = free_port()
    log = tmp / f"{name}.log"
    argv = lambdagate_argv(port, max_environments, template) + (["--node-channel", node_channel] if node_channel
                                                                 else [])
    process = spawn(argv, log, env)
    ready = wait_until_answers(process, port, UNKNOWN, 403, log=log)
    return process, port, log, ready


# --------------------------------------------------------------------------------------------------------------
# Load generation

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
    return {
        "requests": int(total.group(1)),
        "seconds": _ms(total.group(2)) / 1e3,
        "rps": float(find(r"^Requests/sec:\s+([\d.]+)").group(1)),
        "p50_ms": _ms(find(r"^\s+50%\s+(\S+)").group(1)),
        "p90_ms": _ms(find(r"^\s+90%\s+(\S+)").group(1)),
        "p99_ms": _ms(find(r"^\s+99%\s+(\S+)").group(1)),
        "errors": (sum(int(g) for g in socket_errors.groups()) if socket_errors else 0) +
                  (int(non2xx.group(1)) if non2xx else 0),
    }


class Load:
    def __init__(self, use_wrk: bool, duration: float, requests_c1: int, requests_c16: int) -> None:
        self.wrk = shutil.which("wrk") if use_wrk else None
        self.duration = duration
        self.requests = {1: requests_c1, 16: requests_c16}

    @property
    def tool(self) -> str:
        return "wrk -t1" if self.wrk else "python keep-alive client (1 process, uvloop when available)"

    def start(self, port: int, concurrency: int, duration: float | None = None, requests: int | None = None,
              max_seconds: float | None = None, route: str = ROUTE) -> subprocess.Popen[bytes]:
        url = f"http://{HOST}:{port}{route}"
        duration = duration or self.duration
        if self.wrk:
            argv = [self.wrk, "-t1", f"-c{concurrency}", f"-d{max(1, round(duration))}s", "--latency",
                    "--timeout", "5s", url]
        else:
            count = requests or self.requests.get(concurrency) or 1000 * concurrency
            argv = [sys.executable, str(Path(__file__).resolve()), "_load", url, str(concurrency), str(count),
                    str(max_seconds or max(10.0, duration * 5))]
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
        _children.append(process)
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

    def run(self, server_pid: int, port: int, concurrency: int, duration: float | None = None,
            requests: int | None = None, route: str = ROUTE) -> dict[str, Any]:
        """One measurement, with the CPU seconds used meanwhile by the server process tree and the generator."""
        tree = [server_pid] + descendants(server_pid)
        cpu_before = {pid: cpu_seconds([pid]) for pid in tree}
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        process = self.start(port, concurrency, duration, requests, route=route)
        result = self.finish(process, timeout=(duration or self.duration) * 6 + 30)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        gateway_cpu = cpu_seconds([server_pid]) - cpu_before[server_pid]
        worker_cpu = sum(cpu_seconds([pid]) - cpu_before[pid] for pid in tree[1:])
        load_cpu = (children_after.ru_utime + children_after.ru_stime -
                    children_before.ru_utime - children_before.ru_stime)
        n = max(1, result["requests"])
        seconds = max(1e-9, result["seconds"])
        result.update(concurrency=concurrency,
                      server_cpu_us_per_req=round(gateway_cpu / n * 1e6, 1),
                      worker_cpu_us_per_req=round(worker_cpu / n * 1e6, 1) if len(tree) > 1 else None,
                      server_cores=round(gateway_cpu / seconds, 2),
                      worker_cores=round(worker_cpu / seconds, 2) if len(tree) > 1 else None,
                      loadgen_cores=round(load_cpu / seconds, 2),
                      environments=len(tree) - 1)
        return result


# --------------------------------------------------------------------------------------------------------------
# Measurements

def check_route(port: int, route: str = ROUTE) -> None:
    status, body = http_get(port, route)
    if status != 200 or body != EXPECTED_BODY:
        raise RuntimeError(f"GET {route} answered {status} {body[:200]!r}, expected 200 {EXPECTED_BODY!r}")


def measure_baseline(load: Load, tmp: Path) -> dict[str, Any]:
    process, port = start_baseline(tmp)
    try:
        check_route(port)
        load.run(process.pid, port, 16, duration=1, requests=2000)             # warm-up
        return {f"c{c}": load.run(process.pid, port, c) for c in (1, 16)}
    finally:
        stop(process)


def measure_lambdagate(load: Load, tmp: Path, max_environments: int | None, concurrencies: tuple[int, ...],
                       route: str = ROUTE, node_channel: str | None = None) -> dict[str, Any]:
    """One lambdagate server; only the function behind `route` runs (environments start lazily)."""
    name = f"lambdagate-max{max_environments or 'default'}" + (f"-node-{node_channel}" if node_channel else "")
    process, port, _log, _ready = start_lambdagate(tmp, max_environments, name, node_channel)
    try:
        check_route(port, route)
        # Warm-up: start every environment the concurrency will use (they start lazily), then let it settle.
        load.run(process.pid, port, 16, duration=2, requests=2000, route=route)
        load.run(process.pid, port, 1, duration=1, requests=500, route=route)
        return {f"c{c}": load.run(process.pid, port, c, route=route) for c in concurrencies}
    finally:
        stop(process)


def measure_cold_start(tmp: Path, trials: int, route: str = ROUTE, node_channel: str | None = None,
                       template: Path = TEMPLATE, env: dict[str, str] | None = None) -> dict[str, Any]:
    cold, warm, ready = [], [], []
    for i in range(trials):
        name = f"cold-{node_channel or 'python'}-{route.strip('/')}-{i}"
        process, port, _log, ready_s = start_lambdagate(tmp, None, name, node_channel, template, env)
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            started = time.perf_counter()
            conn.request("GET", route)
            response = conn.getresponse()
            body = response.read()
            cold.append((time.perf_counter() - started) * 1e3)
            if response.status != 200 or body != EXPECTED_BODY:
                raise RuntimeError(f"cold GET {route} answered {response.status} {body[:200]!r}")
            started = time.perf_counter()
            conn.request("GET", route)
            conn.getresponse().read()
            warm.append((time.perf_counter() - started) * 1e3)
            conn.close()
            ready.append(ready_s * 1e3)
        finally:
            stop(process)
    return {"trials": trials, "median_ms": round(statistics.median(cold), 2), "min_ms": round(min(cold), 2),
            "max_ms": round(max(cold), 2), "all_ms": [round(x, 2) for x in cold],
            "second_request_median_ms": round(statistics.median(warm), 3),
            "process_ready_median_ms": round(statistics.median(ready), 1)}


def _disk_mb(folder: Path) -> float:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            if not path.is_symlink():
                total += path.stat().st_size
    return round(total / 1e6, 1)


def measure_build(tmp: Path, trials: int) -> dict[str, Any]:
    """`lambdagate build` of a project whose Python function lists a dependency in requirements.txt (bench/
    app-built): cold (an empty lambdagate cache and a fresh project: pip downloads and installs; pip's own cache is
    left as it is), cached (the same project again), a fresh copy of the project with lambdagate's cache warm; the
    disk the cache takes; then the cold start of the built function, in fresh servers."""
    env = {**os.environ, "LAMBDAGATE_CACHE_DIR": str(tmp / "lambdagate-cache")}

    def build(folder: Path) -> float:
        started = time.perf_counter()
        done = subprocess.run(lambdagate_command() + ["build"], cwd=folder, env=env, capture_output=True, text=True,
                              timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"lambdagate build failed:\n{done.stdout}{done.stderr}")
        return (time.perf_counter() - started) * 1e3

    project = tmp / "built-1"
    shutil.copytree(BUILT_APP, project)
    cold = build(project)
    cached = [build(project) for _ in range(trials)]
    other = tmp / "built-2"
    shutil.copytree(BUILT_APP, other)
    fresh_project = build(other)
    started = measure_cold_start(tmp, trials, BUILT_ROUTE, None, project / "template.yaml", env)
    return {"cold_ms": round(cold, 1), "cached_median_ms": round(statistics.median(cached), 1),
            "fresh_project_warm_cache_ms": round(fresh_project, 1),
            "cache_disk_mb": _disk_mb(tmp / "lambdagate-cache"), "cold_start": started}


def profile_lambdagate(load: Load, tmp: Path, max_environments: int | None, seconds: int,
                       stamp: str) -> dict[str, Any] | None:
    """py-spy the gateway process (not its environments) for `seconds` under concurrency-16 load."""
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(pyspy).exists():
        print("profile: py-spy not found (pip install py-spy); skipped")
        return None
    process, port, _log, _ = start_lambdagate(tmp, max_environments, "profile")
    try:
        load.run(process.pid, port, 16, duration=2, requests=2000)
        generator = load.start(port, 16, duration=seconds + 3, requests=10**7, max_seconds=seconds + 3)
        time.sleep(1)
        raw = RESULTS / f"serve-{stamp}-pyspy.txt"
        spy = subprocess.run([pyspy, "record", "--pid", str(process.pid), "--duration", str(seconds), "--rate",
                              "200", "--format", "raw", "--function", "--output", str(raw)],
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=seconds + 60)
        load.finish(generator, timeout=seconds + 60)
        if spy.returncode != 0 or not raw.exists():
            print(f"profile: py-spy failed: {spy.stderr.decode(errors='replace')[-500:]}")
            return None
    finally:
        stop(process)
    return summarize_profile(raw)


def summarize_profile(raw: Path) -> dict[str, Any]:
    total = 0
    own_self: dict[str, int] = {}
    own_incl: dict[str, int] = {}
    any_self: dict[str, int] = {}
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        leaf = _frame_name(frames[-1])
        any_self[leaf] = any_self.get(leaf, 0) + count
        own = [f for f in frames if _is_own(f)]
        for name in {_frame_name(f) for f in own}:
            own_incl[name] = own_incl.get(name, 0) + count
        # self time of lambdagate's own code: the innermost lambdagate frame, when nothing below it is
        # lambdagate's either (time in the libraries it calls directly is charged to it as well)
        if own:
            name = _frame_name(own[-1])
            own_self[name] = own_self.get(name, 0) + count

    def top(table: dict[str, int], n: int = 8) -> list[dict[str, Any]]:
        return [{"function": k, "percent": round(100 * v / max(1, total), 1)}
                for k, v in sorted(table.items(), key=lambda kv: -kv[1])[:n]]

    return {"samples": total, "raw": str(raw.relative_to(BENCH.parent)),
            "lambdagate_self_incl_callees": top(own_self), "lambdagate_inclusive": top(own_incl),
            "overall_self": top(any_self)}


def _is_own(frame: str) -> bool:
    """A frame of lambdagate's code, other than the command line's, which is on every stack."""
    m = re.fullmatch(r"(.*) \((.*):(\d+)\)", frame.strip())
    path = m.group(2) if m else ""
    return (path.startswith("lambdagate/") or "/lambdagate/" in path) and not path.endswith(
        ("lambdagate/cli.py", "lambdagate/__main__.py"))


def _frame_name(frame: str) -> str:
    """`handle (/x/src/lambdagate/gateway.py:42)` -> `handle (lambdagate/gateway.py:42)`."""
    m = re.fullmatch(r"(.*) \((.*):(\d+)\)", frame.strip())
    if not m:
        return frame.strip()
    function, path, line = m.groups()
    for marker in ("/lambdagate/", "/site-packages/", "/lib/python"):
        if marker in path:
            path = path[path.index(marker) + 1:]
            break
    return f"{function} ({path}:{line})"


# --------------------------------------------------------------------------------------------------------------
# Report

def row(name: str, r: dict[str, Any]) -> str:
    workers = "" if r.get("worker_cpu_us_per_req") is None else f"{r['worker_cpu_us_per_req']:>8.0f}"
    wcores = "" if r.get("worker_cores") is None else f"{r['worker_cores']:>5.2f}"
    return (f"{name:<30} {r['concurrency']:>4} {r['rps']:>10.0f} {r['p50_ms']:>8.3f} {r['p99_ms']:>8.3f} "
            f"{r['errors']:>6} {r['server_cpu_us_per_req']:>8.0f} {workers:>8} "
            f"{r['server_cores']:>5.2f} {wcores:>5} {r['loadgen_cores']:>5.2f} {r['environments'] or '':>4}")


def report(results: dict[str, Any]) -> None:
    print()
    print(f"lambdagate {results['versions'].get('lambdagate')} ({results['versions'].get('git', '?')}), "
          f"aiohttp {results['versions'].get('aiohttp')}, uvloop {results['versions'].get('uvloop')}")
    print(f"load generator: {results['load_generator']}, loopback, {results['cpus']} CPUs shared by the server, "
          f"its environments and the generator (it takes CPU from the server: see the 'load' column)")
    header = (f"{'server':<30} {'conc':>4} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
              f"{'srv µs/r':>8} {'env µs/r':>8} {'srv':>5} {'env':>5} {'load':>5} {'envs':>4}")
    print(header)
    print("-" * len(header))
    for c in ("c1", "c16"):
        print(row("baseline aiohttp.web.Server", results["baseline"][c]))
        for key, runs in results["lambdagate"].items():
            if c in runs:
                print(row(f"lambdagate {key}", runs[c]))
        for channel, runs in results.get("node", {}).items():
            print(row(f"lambdagate node {channel}", runs[c]))
    print("(srv/env µs/r: CPU time per request of the server process / of its execution environments; "
          "srv/env/load: cores busy; envs: execution environments running)")
    r = results["ratios"]
    print()
    ok = {True: "PASS", False: "FAIL"}
    print(f"throughput c=16  lambdagate/baseline  {r['throughput_c16']:.1%}   (target >= "
          f"{TARGET_THROUGHPUT_RATIO:.0%}) {ok[r['throughput_c16'] >= TARGET_THROUGHPUT_RATIO]}"
          f"   [{results['headline_config']}]")
    if "best_throughput_c16" in r:
        print(f"  best --max-environments: {r['best_config']} at {r['best_throughput_c16']:.1%}")
    print(f"throughput c=1   lambdagate/baseline  {r['throughput_c1']:.1%}")
    print(f"p50 c=1          lambdagate/baseline  {r['p50_c1']:.2f}x")
    print(f"p50 c=16         lambdagate/baseline  {r['p50_c16']:.2f}x")
    print(f"added p50 latency at c=1              {r['added_p50_ms_c1']:.3f} ms   (target < "
          f"{TARGET_ADDED_P50_MS:g} ms) {ok[r['added_p50_ms_c1'] < TARGET_ADDED_P50_MS]}")
    cs = results["cold_start"]
    print(f"cold start (first request, median of {cs['trials']})  {cs['median_ms']:.1f} ms   (target < "
          f"{TARGET_COLD_START_MS:g} ms) {ok[cs['median_ms'] < TARGET_COLD_START_MS]}"
          f"   [min {cs['min_ms']:.1f}, max {cs['max_ms']:.1f}; next request {cs['second_request_median_ms']:.2f} ms;"
          f" process up and answering in {cs['process_ready_median_ms']:.0f} ms]")
    if results.get("node"):
        report_node(results)
    build = results.get("build")
    if build:
        cs = build["cold_start"]
        print()
        print(f"lambdagate build, a Python function with requirements.txt ({BUILT_APP.name}):  cold "
              f"{build['cold_ms'] / 1e3:.1f} s (empty lambdagate cache; pip downloads)   cached "
              f"{build['cached_median_ms']:.0f} ms   fresh project, warm cache "
              f"{build['fresh_project_warm_cache_ms']:.0f} ms   cache on disk {build['cache_disk_mb']:.1f} MB")
        print(f"cold start of the built function (median of {cs['trials']})  {cs['median_ms']:.1f} ms   [min "
              f"{cs['min_ms']:.1f}, max {cs['max_ms']:.1f}; next request {cs['second_request_median_ms']:.2f} ms]")
    profile = results.get("profile")
    if profile:
        print()
        print(f"py-spy, lambdagate gateway process at c=16 ({profile['samples']} samples, {profile['raw']}):")
        print("  lambdagate functions, inclusive (% of samples with the function on the stack):")
        for item in profile["lambdagate_inclusive"][:6]:
            print(f"    {item['percent']:5.1f}%  {item['function']}")
        print("  innermost lambdagate frame (its own code + the library calls it makes directly):")
        for item in profile["lambdagate_self_incl_callees"][:6]:
            print(f"    {item['percent']:5.1f}%  {item['function']}")
        print("  leaf functions, any code:")
        for item in profile["overall_self"][:6]:
            print(f"    {item['percent']:5.1f}%  {item['function']}")


def node_ratios(node: dict[str, Any], python: dict[str, Any], base: dict[str, Any], node_cold: dict[str, Any],
                python_cold: dict[str, Any]) -> dict[str, float]:
    """The Node.js row against the Python row and the baseline of the same run."""
    ratios = {}
    for c in ("c1", "c16"):
        ratios[f"throughput_{c}_vs_python"] = node[c]["rps"] / python[c]["rps"]
        ratios[f"throughput_{c}_vs_baseline"] = node[c]["rps"] / base[c]["rps"]
        ratios[f"p50_{c}_vs_python"] = node[c]["p50_ms"] / python[c]["p50_ms"]
        ratios[f"p99_{c}_vs_python"] = node[c]["p99_ms"] / python[c]["p99_ms"]
    ratios["added_p50_ms_c1"] = node["c1"]["p50_ms"] - base["c1"]["p50_ms"]
    ratios["cold_start_vs_python"] = node_cold["median_ms"] / python_cold["median_ms"]
    return {k: round(v, 4) for k, v in ratios.items()}


def report_node(results: dict[str, Any]) -> None:
    """Node.js, Python and baseline side by side, with the Node.js rows' ratios."""
    python, base = results["lambdagate"][results["headline_config"]], results["baseline"]
    print()
    print(f"Node.js hello-world (nodejs20.x, GET {NODE_ROUTE}, node {results['versions'].get('node', '?')}) against "
          f"the Python row ({results['headline_config']}) and the baseline:")
    header = (f"{'row':<22} {'c=1 req/s':>10} {'/py':>6} {'/base':>6} {'c=16 req/s':>11} {'/py':>6} {'/base':>6} "
              f"{'p50 c1':>7} {'p99 c1':>7} {'p50 c16':>8} {'p99 c16':>8} {'cold ms':>8} {'/py':>6}")
    print(header)
    print("-" * len(header))
    rows = [(f"node {channel}", runs, results["node_cold_start"][channel], results["node_ratios"][channel])
            for channel, runs in results["node"].items()]
    rows += [("python", python, results["cold_start"], None), ("baseline", base, None, None)]
    for name, runs, cold, ratios in rows:
        c1, c16 = runs["c1"], runs["c16"]
        py1 = f"{ratios['throughput_c1_vs_python']:.0%}" if ratios else ""
        py16 = f"{ratios['throughput_c16_vs_python']:.0%}" if ratios else ""
        cold_ms = f"{cold['median_ms']:.1f}" if cold else ""
        cold_py = f"{ratios['cold_start_vs_python']:.2f}x" if ratios else ""
        print(f"{name:<22} {c1['rps']:>10.0f} {py1:>6} {c1['rps'] / base['c1']['rps']:>6.0%} {c16['rps']:>11.0f} "
              f"{py16:>6} {c16['rps'] / base['c16']['rps']:>6.0%} {c1['p50_ms']:>7.3f} {c1['p99_ms']:>7.3f} "
              f"{c16['p50_ms']:>8.3f} {c16['p99_ms']:>8.3f} {cold_ms:>8} {cold_py:>6}")
    print("(p50/p99 in ms; cold: median first request to a fresh server; /py, /base: ratio to the Python row and "
          "to the baseline)")
    if {"socket", "runtime-api"} <= results["node"].keys():
        socket, http = results["node"]["socket"], results["node"]["runtime-api"]
        print(f"Node.js socket channel / HTTP Runtime API: c=1 {socket['c1']['rps'] / http['c1']['rps']:.2f}x req/s, "
              f"c=16 {socket['c16']['rps'] / http['c16']['rps']:.2f}x req/s, "
              f"p50 c=1 {socket['c1']['p50_ms'] - http['c1']['p50_ms']:+.3f} ms")


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("aiohttp", "uvloop", "lambdagate"):
        try:
            from importlib import metadata
            out[name] = metadata.version(name)
        except Exception:
            out[name] = "-"
    try:
        repo = BENCH.parent
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--", "src"], capture_output=True,
                               text=True, timeout=10).stdout.strip()
        out["git"] = head + ("+uncommitted changes in src" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    node = shutil.which("node")
    if node:
        out["node"] = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    wrk = shutil.which("wrk")
    if wrk:
        text = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout + ""
        out["wrk"] = text.split("\n")[0].split(" [")[0]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measurement with wrk (default 8)")
    parser.add_argument("--requests-c1", type=int, default=6000,
                        help="requests per c=1 measurement with the Python generator (default 6000)")
    parser.add_argument("--requests-c16", type=int, default=20000,
                        help="requests per c=16 measurement with the Python generator (default 20000)")
    parser.add_argument("--max-environments", type=int, nargs="*", default=[2, 4],
                        help="extra --max-environments values to measure at c=16 (default: 2 4; the default 8 is "
                             "always measured)")
    parser.add_argument("--node-channels", nargs="*", choices=NODE_CHANNELS, default=list(NODE_CHANNELS),
                        help="channels to measure the Node.js function on (default: socket runtime-api; none: no "
                             "Node.js row)")
    parser.add_argument("--cold-trials", type=int, default=5)
    parser.add_argument("--no-build", action="store_true", help="skip the build measurements (they need PyPI)")
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument("--profile", action="store_true", help="py-spy lambdagate's process under c=16 load")
    parser.add_argument("--profile-seconds", type=int, default=10)
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    if not TEMPLATE.is_file():
        print(f"missing {TEMPLATE}", file=sys.stderr)
        return 2
    load = Load(not args.no_wrk, args.duration, args.requests_c1, args.requests_c16)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(exist_ok=True)
    results: dict[str, Any] = {"timestamp": stamp, "cpus": os.cpu_count(), "platform": platform.platform(),
                               "versions": versions(), "load_generator": load.tool,
                               "settings": {"duration_s": args.duration if load.wrk else None,
                                            "requests": None if load.wrk else load.requests,
                                            "route": ROUTE, "host": HOST}}
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="lambdagate-bench-") as tmp_name:
            tmp = Path(tmp_name)
            print(f"load generator: {load.tool}")
            print("baseline (aiohttp.web.Server) ...", flush=True)
            results["baseline"] = measure_baseline(load, tmp)
            results["lambdagate"] = {}
            print("lambdagate (default --max-environments 8) ...", flush=True)
            results["lambdagate"]["max-env 8 (default)"] = measure_lambdagate(load, tmp, None, (1, 16))
            node_channels = args.node_channels
            if node_channels and not shutil.which("node"):
                print("node is not on PATH: no Node.js row")
                node_channels = []
            results["node"] = {}
            for channel in node_channels:
                print(f"lambdagate, the Node.js function over the {channel} channel ...", flush=True)
                results["node"][channel] = measure_lambdagate(load, tmp, None, (1, 16), NODE_ROUTE, channel)
            for n in args.max_environments:
                if n == 8:
                    continue
                print(f"lambdagate --max-environments {n} ...", flush=True)
                results["lambdagate"][f"max-env {n}"] = measure_lambdagate(load, tmp, n, (16,))
            print(f"cold start x{args.cold_trials} ...", flush=True)
            results["cold_start"] = measure_cold_start(tmp, args.cold_trials)
            results["node_cold_start"] = {}
            for channel in node_channels:
                print(f"cold start x{args.cold_trials}, the Node.js function over the {channel} channel ...",
                      flush=True)
                results["node_cold_start"][channel] = measure_cold_start(tmp, args.cold_trials, NODE_ROUTE, channel)

            if not args.no_build:
                print(f"lambdagate build cold and cached, cold start of the built function x{args.cold_trials} ...",
                      flush=True)
                results["build"] = measure_build(tmp, args.cold_trials)

            base, lg = results["baseline"], results["lambdagate"]["max-env 8 (default)"]
            results["headline_config"] = "max-env 8 (default)"
            ratios = {"throughput_c16": lg["c16"]["rps"] / base["c16"]["rps"],
                      "throughput_c1": lg["c1"]["rps"] / base["c1"]["rps"],
                      "p50_c1": lg["c1"]["p50_ms"] / base["c1"]["p50_ms"],
                      "p50_c16": lg["c16"]["p50_ms"] / base["c16"]["p50_ms"],
                      "added_p50_ms_c1": lg["c1"]["p50_ms"] - base["c1"]["p50_ms"]}
            if len(results["lambdagate"]) > 1:
                best = max(results["lambdagate"], key=lambda k: results["lambdagate"][k]["c16"]["rps"])
                ratios["best_config"] = best
                ratios["best_throughput_c16"] = results["lambdagate"][best]["c16"]["rps"] / base["c16"]["rps"]
            results["ratios"] = {k: round(v, 4) if isinstance(v, float) else v for k, v in ratios.items()}
            results["node_ratios"] = {
                channel: node_ratios(runs, lg, base, results["node_cold_start"][channel], results["cold_start"])
                for channel, runs in results["node"].items()}
            results["targets"] = {
                "throughput_c16_ratio_min": TARGET_THROUGHPUT_RATIO, "added_p50_ms_max": TARGET_ADDED_P50_MS,
                "cold_start_ms_max": TARGET_COLD_START_MS,
                "pass": {"throughput": ratios["throughput_c16"] >= TARGET_THROUGHPUT_RATIO,
                         "added_p50": ratios["added_p50_ms_c1"] < TARGET_ADDED_P50_MS,
                         "cold_start": results["cold_start"]["median_ms"] < TARGET_COLD_START_MS}}
            if args.profile:
                print(f"profiling lambdagate with py-spy for {args.profile_seconds} s ...", flush=True)
                results["profile"] = profile_lambdagate(load, tmp, None, args.profile_seconds, stamp)
    finally:
        stop_all()
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    report(results)
    out = RESULTS / f"serve-{stamp}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(BENCH.parent)} ({results['elapsed_s']:.0f} s)")
    return 0


# --------------------------------------------------------------------------------------------------------------
# Child modes: `serve.py _baseline PORT` and `serve.py _load URL CONCURRENCY REQUESTS MAX_SECONDS`

def _event_loop_run(coroutine: Any) -> Any:
    try:
        import uvloop
        return uvloop.run(coroutine)
    except ImportError:
        return asyncio.run(coroutine)


def baseline_server(port: int) -> None:
    """What lambdagate's HTTP layer is built on (lambdagate/server.py), answering a constant JSON body."""
    from aiohttp import web

    body = EXPECTED_BODY

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(body=body, content_type="application/json")

    async def serve() -> None:
        server = web.Server(handle, access_log=None)
        loop = asyncio.get_running_loop()
        await loop.create_server(server, HOST, port, reuse_address=True)
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await server.shutdown(1.0)

    _event_loop_run(serve())


def python_load(url: str, concurrency: int, requests: int, max_seconds: float) -> dict[str, Any]:
    """Keep-alive HTTP/1.1 GETs over `concurrency` connections until `requests` are answered (or max_seconds)."""
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port_text = hostport.partition(":")
    request = f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nAccept: */*\r\n\r\n".encode()
    latencies: list[float] = []
    errors = 0
    remaining = requests

    async def connection(deadline: float) -> None:
        nonlocal remaining, errors
        reader, writer = await asyncio.open_connection(host, int(port_text))
        clock = time.perf_counter
        try:
            while remaining > 0 and clock() < deadline:
                remaining -= 1
                started = clock()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                if length:
                    await reader.readexactly(length)
                latencies.append(clock() - started)
                if not 200 <= status < 400:
                    errors += 1
        finally:
            writer.close()

    async def run() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(connection(started + max_seconds) for _ in range(concurrency)))
        return time.perf_counter() - started

    seconds = _event_loop_run(run())
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1e3 if latencies else float("nan")

    return {"requests": len(latencies), "seconds": seconds, "rps": len(latencies) / seconds,
            "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99), "errors": errors}


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_baseline":
        baseline_server(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_load":
        print(json.dumps(python_load(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))))
    else:
        try:
            sys.exit(main())
        except KeyboardInterrupt:
            print("\ninterrupted; child processes stopped", file=sys.stderr)
            sys.exit(130)
