#!/usr/bin/env python3
"""Benchmark: lambdagate at its defaults beside the bare server, the one-hop floor and serverless-offline, in one run.

    python bench/serve.py              # full run, about 4 minutes
    python bench/serve.py --quick      # under a minute: shorter runs, 3 cold starts, no RSS pass
    python bench/serve.py --node       # also the Node.js rows (socket channel and HTTP Runtime API)
    python bench/serve.py --profile    # also py-spy lambdagate's gateway process under load

Each server in its own process, one at a time, on loopback, with the same load generator (wrk -t1 -c10, or a
Python client when wrk is missing), warm (warmed up until its worker processes stop multiplying):
  bare                the ceiling: aiohttp's low-level server (uvloop when installed) answering the JSON body;
  onehop              the floor of any emulator with real isolation: the same server handing each request to warm
                      worker processes over a socket (bench/onehop.py);
  lambdagate          `lambdagate serve --template <copy of bench/app>/template.yaml`, at its defaults as a user
                      runs it (CodeUri: ., watcher on, full execution log, dashboard on, terminal lines to a pipe);
  lambdagate-quiet    the same with --quiet --no-watch --execution-log off --no-dashboard;
  serverless-offline  the same Python handler under serverless-offline, when installed (bench/README.md says how).
For each: req/s, p50, p99, errors, CPU µs per request of the server process and of its workers/environments, cores
busy. Then lambdagate's cold start (median of 5 fresh servers) and the gateway's RSS after 100,000 requests, and the
issue's targets as ratios from this run, PASS or FAIL. Writes bench/results/serve-<timestamp>.json.

Every measurement is a function taking the `Bench` (settings, load generator, scratch folder) and answering a dict
that main() puts in the results and report() prints. Every child process is stopped on every exit path.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import profiling
from load import Load
from processes import (
    Child,
    TreeSnapshot,
    descendants,
    install_exit_handlers,
    machine_busy_seconds,
    rss_mb,
    spawn,
    stop,
    stop_all,
    tree_cost,
)

BENCH = Path(__file__).resolve().parent
APP = BENCH / "app"
RESULTS = BENCH / "results"
SERVERLESS_YML = BENCH / "serverless" / "serverless.yml"
SERVERLESS_CACHE = BENCH / ".cache" / "serverless"     # `--install-serverless-offline` installs here (git-ignored)
SERVERLESS_PACKAGES = ("serverless@3", "serverless-offline@13")
HOST = "127.0.0.1"
ROUTE = "/hello"                          # the Python function
NODE_ROUTE = "/hello-node"                # the Node.js function
NODE_CHANNELS = ("socket", "runtime-api")
UNKNOWN = "/lambdagate-bench-unknown"     # any answer means the server is up (lambdagate: 403, invokes nothing)
EXPECTED = {"message": "hello"}
QUIET_FLAGS = ("--quiet", "--no-watch", "--execution-log", "off", "--no-dashboard")

# The issue's targets (issue 11, item 7), lambdagate at its defaults.
TARGET_VS_SERVERLESS_OFFLINE = 1.5    # req/s, at least this many times serverless-offline's
TARGET_VS_ONEHOP = 0.85               # req/s, at least this share of the one-hop floor's
TARGET_P99_VS_SERVERLESS = 0.10       # p99, at most this share of serverless-offline's
TARGET_GATEWAY_US = 100.0             # CPU µs per request of the gateway process, at most
TARGET_COLD_START_MS = 150.0          # first request to a fresh function, below
TARGET_RSS_MB = 100.0                 # gateway RSS after TARGET_RSS_REQUESTS requests, below
TARGET_RSS_REQUESTS = 100_000

ROWS = ("bare", "onehop", "lambdagate", "lambdagate-quiet", "serverless-offline")
# lambdagate's rows, the defaults first; lambdagate-no-watch (defaults + --no-watch) only when asked for with --rows
LAMBDAGATE_ROWS = ("lambdagate", "lambdagate-no-watch", "lambdagate-quiet")
ALL_ROWS = ("bare", "onehop", "lambdagate", "lambdagate-no-watch", "lambdagate-quiet", "serverless-offline")


# --------------------------------------------------------------------------------------------------------------
# Settings and servers

@dataclass(frozen=True)
class Settings:
    duration: float          # seconds per measurement
    warmup: float            # seconds per warm-up round
    connections: int
    onehop_workers: int
    cold_trials: int
    rss: bool
    rss_requests: int
    rss_max_seconds: float
    quick: bool


@dataclass(frozen=True)
class Bench:
    """What every measurement gets."""
    settings: Settings
    load: Load
    tmp: Path                # scratch folder for this run, removed at the end


@dataclass(frozen=True)
class Server:
    """How to start one server; `lazy`: its workers start on demand, so warm it up until their count settles."""
    key: str
    label: str
    argv: list[str]
    port: int
    route: str = ROUTE
    cwd: Path | None = None
    env: dict[str, str] | None = None
    lazy: bool = False
    startup_timeout: float = 60.0
    notes: dict[str, Any] = field(default_factory=dict)

    def url(self, path: str | None = None) -> str:
        return f"http://{HOST}:{self.port}{path or self.route}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def bare_server(_b: Bench) -> Server:
    port = free_port()
    return Server("bare", "bare aiohttp (no Lambda): the ceiling", [sys.executable, str(BENCH / "bare.py"), str(port)],
                  port)


def onehop_server(b: Bench) -> Server:
    port = free_port()
    workers = b.settings.onehop_workers
    return Server("onehop", f"one hop to {workers} warm worker processes: the floor",
                  [sys.executable, str(BENCH / "onehop.py"), str(port), "--workers", str(workers)], port)


def lambdagate_executable() -> list[str]:
    script = Path(sys.executable).with_name("lambdagate")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lambdagate"]


def copy_app(b: Bench, name: str) -> Path:
    """A fresh copy of bench/app: lambdagate keeps its state (.lambdagate/) next to the template, inside CodeUri
    `.`, as in a user's project."""
    target = b.tmp / name
    for n in range(2, 1000):
        if not target.exists():
            break
        target = b.tmp / f"{name}-{n}"
    shutil.copytree(APP, target, ignore=shutil.ignore_patterns(".lambdagate", "__pycache__"))
    return target


def lambdagate_server(b: Bench, key: str, *, quiet: bool, route: str = ROUTE, extra: tuple[str, ...] = (),
                      app: Path | None = None) -> Server:
    """`lambdagate serve` on a copy of bench/app, from inside it, as a user runs it; at its defaults unless
    `quiet`. The dashboard gets a free port of its own (its default, 3001, may be taken on a shared machine)."""
    app = app or copy_app(b, key)
    port = free_port()
    argv = [*lambdagate_executable(), "serve", "--template", str(app / "template.yaml"), "--port", str(port)]
    if quiet:
        argv += QUIET_FLAGS
    else:
        argv += ["--dashboard-port", str(free_port())]
    argv += extra
    label = "lambdagate " + (" ".join(QUIET_FLAGS) if quiet else "at its defaults")
    if extra:
        label += (" " if quiet else " but ") + " ".join(extra)
    return Server(key, label, argv, port, route=route, cwd=app, lazy=True)


def find_serverless_offline() -> tuple[Path, Path] | str:
    """(node_modules holding serverless and serverless-offline, serverless's bin script), or why not."""
    if not shutil.which("node"):
        return "node is not on PATH"
    candidates = [SERVERLESS_CACHE / "node_modules"]
    npm = shutil.which("npm")
    if npm:
        try:
            root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=30).stdout.strip()
            if root:
                candidates.append(Path(root))
        except (OSError, subprocess.SubprocessError):
            pass
    for modules in candidates:
        script = modules / "serverless" / "bin" / "serverless.js"
        if script.is_file() and (modules / "serverless-offline" / "package.json").is_file():
            major = _package_version(modules / "serverless").split(".")[0]
            if major != "3":
                return f"{modules}/serverless is version {major}, the bench needs 3 (4 asks for a login)"
            return modules, script
    return (f"serverless-offline is not installed (python bench/serve.py --install-serverless-offline, or "
            f"npm i -g {' '.join(SERVERLESS_PACKAGES)})")


def _package_version(folder: Path) -> str:
    try:
        return str(json.loads((folder / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "?"


def serverless_offline_server(b: Bench) -> Server | str:
    """serverless-offline at its defaults, on a copy of bench/serverless with bench/app/app.py beside it."""
    found = find_serverless_offline()
    if isinstance(found, str):
        return found
    modules, script = found
    service = b.tmp / "serverless-offline"
    service.mkdir()
    shutil.copy(SERVERLESS_YML, service / "serverless.yml")
    shutil.copy(APP / "app.py", service / "app.py")
    (service / "node_modules").symlink_to(modules, target_is_directory=True)
    port = free_port()
    argv = ["node", str(script), "offline", "--host", HOST, "--httpPort", str(port),
            "--lambdaPort", str(free_port()), "--websocketPort", str(free_port())]
    env = {**os.environ,
           # the Python it starts is `python3` on PATH: the same interpreter as lambdagate's environments
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
           "SLS_TELEMETRY_DISABLED": "1", "SLS_NOTIFICATIONS_MODE": "off", "SLS_DEPRECATION_DISABLE": "*"}
    versions = {"serverless": _package_version(modules / "serverless"),
                "serverless-offline": _package_version(modules / "serverless-offline")}
    return Server("serverless-offline", f"serverless-offline {versions['serverless-offline']}, Python handler",
                  argv, port, route="/dev" + ROUTE, cwd=service, env=env, lazy=True, startup_timeout=90.0,
                  notes={"versions": versions, "node_modules": str(modules)})


# --------------------------------------------------------------------------------------------------------------
# Running a server

@dataclass(frozen=True)
class Running:
    server: Server
    child: Child
    ready_s: float

    @property
    def pid(self) -> int:
        return self.child.pid


def http_get(port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def running(server: Server) -> Iterator[Running]:
    """Start `server`, wait until it answers anything on UNKNOWN, stop it (and all its descendants) on the way out."""
    child = spawn(server.argv, server.key, cwd=server.cwd, env=server.env)
    try:
        started = time.perf_counter()
        while True:
            if child.process.poll() is not None:
                raise RuntimeError(f"{server.label}: {child.describe_exit()}")
            try:
                http_get(server.port, UNKNOWN, timeout=2.0)
                break
            except (OSError, http.client.HTTPException):
                pass
            if time.perf_counter() - started > server.startup_timeout:
                tail = child.output.tail() if child.output else ""
                raise RuntimeError(f"{server.label}: no answer on port {server.port} within "
                                   f"{server.startup_timeout:.0f} s; its last output:\n{tail}")
            time.sleep(0.005)
        yield Running(server, child, time.perf_counter() - started)
    finally:
        stop(child.process)


def check_answer(run: Running, path: str | None = None) -> None:
    status, body = http_get(run.server.port, path or run.server.route, timeout=60.0)
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if status != 200 or parsed != EXPECTED:
        raise RuntimeError(f"{run.server.label}: GET {path or run.server.route} answered {status} {body[:300]!r}, "
                           f"expected 200 {json.dumps(EXPECTED)}")


def measure_load(b: Bench, run: Running, seconds: float) -> dict[str, Any]:
    """One load run with what it cost: CPU of the server process and (separately) of its descendants, cores busy,
    the load generator's and the rest of the machine's (other work on a shared machine), terminal bytes."""
    output_before = run.child.output.bytes if run.child.output else 0
    load_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before = machine_busy_seconds()
    before = TreeSnapshot.take(run.pid)
    result = b.load.run(run.server.url(), seconds)
    after = TreeSnapshot.take(run.pid)
    busy = machine_busy_seconds() - busy_before
    load_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cost = tree_cost(before, after)
    load_cpu = (load_after.ru_utime + load_after.ru_stime - load_before.ru_utime - load_before.ru_stime)
    n = max(1, result["requests"])
    wall = max(1e-9, cost.wall)
    has_workers = cost.workers_alive > 0 or cost.worker_cpu > 0
    result.update(
        server_cpu_us_per_req=round(cost.server_cpu / n * 1e6, 1),
        worker_cpu_us_per_req=round(cost.worker_cpu / n * 1e6, 1) if has_workers else None,
        server_cores=round(cost.server_cpu / wall, 2),
        worker_cores=round(cost.worker_cpu / wall, 2) if has_workers else None,
        load_cores=round(load_cpu / wall, 2),
        other_cores=round((busy - cost.server_cpu - cost.worker_cpu - load_cpu) / wall, 2),
        workers=cost.workers_alive, workers_started=cost.workers_started,
        terminal_bytes_per_req=round(((run.child.output.bytes if run.child.output else 0) - output_before) / n, 1),
    )
    return result


def warm_up(b: Bench, run: Running) -> dict[str, Any]:
    """Load until the server is warm: one round for a server whose workers are all started; for a lazy one, rounds
    until the number of worker processes stops changing and nothing failed (at most 4)."""
    rounds = 4 if run.server.lazy else 1
    previous = -1
    done = 0
    result: dict[str, Any] = {}
    for done in range(1, rounds + 1):
        result = b.load.run(run.server.url(), b.settings.warmup)
        workers = len(descendants(run.pid))
        if done > 1 and result["errors"] == 0 and workers == previous:
            break
        previous = workers
    return {"warmup_rounds": done, "warmup_last_rps": round(result.get("rps", 0.0)),
            "warmup_last_errors": result.get("errors", 0)}


def memory(run: Running) -> dict[str, Any]:
    workers = [p for p in descendants(run.pid)]
    return {"server_rss_mb": _round(rss_mb(run.pid)), "server_peak_rss_mb": _round(rss_mb(run.pid, "VmHWM")),
            "workers_rss_mb": _round(sum(rss_mb(p) or 0.0 for p in workers)) if workers else None}


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


# --------------------------------------------------------------------------------------------------------------
# Measurements

def measure_row(b: Bench, server: Server) -> dict[str, Any]:
    """One server, warm, under the shared load for `duration` seconds."""
    with running(server) as run:
        check_answer(run)
        warm = warm_up(b, run)
        result = measure_load(b, run, b.settings.duration)
        result.update(**warm, **memory(run), label=server.label, startup_s=round(run.ready_s, 2), **server.notes)
        return result


def measure_cold_start(b: Bench, trials: int, *, route: str = ROUTE, quiet: bool = False,
                       extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """The first request to a fresh function: a new lambdagate process per trial (at its defaults unless `quiet`);
    once it answers UNKNOWN (403, starts nothing), the time of the first `GET route`, which starts the function's
    execution environment (interpreter, runtime client, handler import) and runs it."""
    app = copy_app(b, f"cold-{route.strip('/')}-{'quiet' if quiet else 'defaults'}-{'-'.join(extra) or 'x'}")
    cold, second, ready = [], [], []
    for i in range(trials):
        server = lambdagate_server(b, f"cold-{i}", quiet=quiet, route=route, extra=extra, app=app)
        with running(server) as run:
            conn = http.client.HTTPConnection(HOST, server.port, timeout=60)
            try:
                started = time.perf_counter()
                conn.request("GET", route)
                response = conn.getresponse()
                body = response.read()
                cold.append((time.perf_counter() - started) * 1e3)
                if response.status != 200 or json.loads(body) != EXPECTED:
                    raise RuntimeError(f"cold GET {route} answered {response.status} {body[:300]!r}")
                started = time.perf_counter()
                conn.request("GET", route)
                conn.getresponse().read()
                second.append((time.perf_counter() - started) * 1e3)
            finally:
                conn.close()
            ready.append(run.ready_s * 1e3)
    return {"trials": trials, "median_ms": round(statistics.median(cold), 1), "min_ms": round(min(cold), 1),
            "max_ms": round(max(cold), 1), "all_ms": [round(x, 1) for x in cold],
            "second_request_median_ms": round(statistics.median(second), 2),
            "process_ready_median_ms": round(statistics.median(ready)), "flags": "quiet" if quiet else "defaults"}


def measure_gateway_rss(b: Bench, server: Server) -> dict[str, Any]:
    """lambdagate (at its defaults unless --rss-row says otherwise), loaded until it has answered `rss_requests`
    requests (or `rss_max_seconds` passed): the gateway process's RSS along the way and at the end."""
    target, cap = b.settings.rss_requests, b.settings.rss_max_seconds
    with running(server) as run:
        check_answer(run)
        served, errors, rps = 1, 0, 0.0
        samples = [{"requests": served, "rss_mb": _round(rss_mb(run.pid))}]
        started = time.perf_counter()
        while served < target:
            left = cap - (time.perf_counter() - started)
            if left < 1:
                break
            chunk = 5.0 if not rps else min(20.0, max(1.0, (target - served) / rps))
            result = b.load.run(run.server.url(), min(chunk, left))
            served += result["requests"]
            errors += result["errors"]
            rps = result["rps"] or rps
            samples.append({"requests": served, "rss_mb": _round(rss_mb(run.pid))})
        return {"row": server.key, "label": server.label, "requests": served, "reached": served >= target,
                "target_requests": target,
                "seconds": round(time.perf_counter() - started, 1), "errors": errors,
                "rss_mb": _round(rss_mb(run.pid)), "peak_rss_mb": _round(rss_mb(run.pid, "VmHWM")),
                "start_rss_mb": samples[0]["rss_mb"], "samples": samples}


def measure_profile(b: Bench, server: Server, seconds: int, stamp: str) -> dict[str, Any] | None:
    """py-spy the gateway process (not its environments) under the shared load."""
    if not profiling.find_pyspy():
        print("  py-spy not found (pip install py-spy): no profile")
        return None
    with running(server) as run:
        check_answer(run)
        warm_up(b, run)
        generator = b.load.start(run.server.url(), seconds + 3)
        time.sleep(1)
        raw = RESULTS / f"serve-{stamp}-pyspy.txt"
        rate = 200
        error = profiling.record(run.pid, seconds, raw, rate)
        b.load.finish(generator, timeout=seconds + 60)
    if error:
        print(f"  {error}")
        return None
    summary = profiling.summarize(raw, BENCH.parent, rate * seconds)
    summary["server"] = server.label
    return summary


# --------------------------------------------------------------------------------------------------------------
# Targets and report

@dataclass(frozen=True)
class Target:
    name: str
    limit: str
    unit: str                          # "x", "%", "us", "ms", "MB"
    values: dict[str, float | None]    # by lambdagate row; judged on LAMBDAGATE_ROWS[0], the defaults
    passed: bool | None                # None: not measured in this run
    note: str = ""


def _ratio(a: dict[str, Any] | None, b: dict[str, Any] | None, key: str) -> float | None:
    if not a or not b or not b.get(key) or a.get(key) is None or math.isnan(a[key]) or math.isnan(b[key]):
        return None
    return float(a[key]) / float(b[key])


def lambdagate_columns(results: dict[str, Any]) -> list[str]:
    """lambdagate's rows in this run (and the one the RSS pass ran on), the defaults first."""
    rss = results.get("gateway_rss")
    return [key for key in LAMBDAGATE_ROWS if key in results["rows"] or (rss and rss["row"] == key)]


def targets(results: dict[str, Any]) -> list[Target]:
    """The issue's targets, judged on lambdagate at its defaults; the other lambdagate rows shown beside it."""
    rows = results["rows"]
    sls, floor = rows.get("serverless-offline"), rows.get("onehop")
    cold, rss = results.get("cold_start"), results.get("gateway_rss")
    out = []

    def add(name: str, limit: str, unit: str, value: Callable[[str, dict[str, Any] | None], float | None],
            ok: Callable[[float], bool], note: str = "") -> None:
        values = {key: value(key, rows.get(key)) for key in lambdagate_columns(results)}
        judged = values.get(LAMBDAGATE_ROWS[0])
        out.append(Target(name, limit, unit, values, None if judged is None or note else ok(judged), note))

    add("req/s vs serverless-offline", f">= {TARGET_VS_SERVERLESS_OFFLINE:g}x", "x",
        lambda _k, r: _ratio(r, sls, "rps"), lambda v: v >= TARGET_VS_SERVERLESS_OFFLINE)
    add(f"req/s vs the one-hop floor, c={results['settings']['connections']}", f">= {TARGET_VS_ONEHOP:.0%}", "%",
        lambda _k, r: _ratio(r, floor, "rps"), lambda v: v >= TARGET_VS_ONEHOP)
    add("p99 vs serverless-offline's", f"<= {TARGET_P99_VS_SERVERLESS:g}x", "x",
        lambda _k, r: _ratio(r, sls, "p99_ms"), lambda v: v <= TARGET_P99_VS_SERVERLESS)
    add("gateway CPU per request", f"<= {TARGET_GATEWAY_US:g} µs", "us",
        lambda _k, r: r["server_cpu_us_per_req"] if r else None, lambda v: v <= TARGET_GATEWAY_US)
    add(f"cold start, median of {cold['trials'] if cold else '-'}", f"< {TARGET_COLD_START_MS:g} ms", "ms",
        lambda k, _r: cold["median_ms"] if cold and k == LAMBDAGATE_ROWS[0] else None,
        lambda v: v < TARGET_COLD_START_MS)
    note = ""
    if rss and rss["requests"] < TARGET_RSS_REQUESTS and rss["rss_mb"] is not None and rss["rss_mb"] < TARGET_RSS_MB:
        note = f"only {rss['requests']:,} requests in {rss['seconds']:.0f} s: not judged"
    add(f"gateway RSS after {TARGET_RSS_REQUESTS:,} requests", f"< {TARGET_RSS_MB:g} MB", "MB",
        lambda k, _r: rss["rss_mb"] if rss and k == rss["row"] else None, lambda v: v < TARGET_RSS_MB, note)
    return out


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return {"x": f"{value:.2f}x", "%": f"{value:.0%}", "us": f"{value:.0f} µs", "ms": f"{value:.1f} ms",
            "MB": f"{value:.1f} MB"}[unit]


def _finite(value: Any) -> Any:
    """NaN (a percentile of no answers) as null, so that the results are strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _count(n: int) -> str:
    return f"{n / 1000:.0f}k" if n >= 10_000 else f"{n / 1000:.1f}k" if n >= 1000 else str(n)


def _short(key: str) -> str:
    return "defaults" if key == "lambdagate" else key.removeprefix("lambdagate-")


def _num(value: float | None, spec: str) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, spec)


def report(results: dict[str, Any]) -> None:
    v = results["versions"]
    print()
    print(f"lambdagate {v.get('lambdagate')} ({v.get('git', '?')}), Python {v.get('python')}, aiohttp "
          f"{v.get('aiohttp')}, uvloop {v.get('uvloop')}; {results['load_generator']}, "
          f"{results['settings']['duration']:g} s per row, loopback, {results['cpus']} CPUs shared by server, "
          f"workers and load generator")
    rows = results["rows"]
    base = rows.get("bare")
    header = (f"{'server':<20} {'req/s':>7} {'/bare':>5} {'p50 ms':>7} {'p99 ms':>7} {'err':>5} {'srv µs/r':>8} "
              f"{'env µs/r':>8} {'srv':>5} {'env':>5} {'load':>5} {'other':>5} {'procs':>7} {'srv MB':>6} "
              f"{'term B/r':>8}")
    print(header)
    print("-" * len(header))
    for key, r in rows.items():
        share = _ratio(r, base, "rps")
        procs = ""
        if r["workers"] or r["workers_started"]:
            procs = f"{r['workers']}" + (f"+{r['workers_started']}" if r["workers_started"] else "")
        print(f"{key:<20} {r['rps']:>7.0f} {_num(share, '>5.0%') if share is not None else '':>5} "
              f"{_num(r['p50_ms'], '>7.2f')} {_num(r['p99_ms'], '>7.1f')} {r['errors']:>5} "
              f"{r['server_cpu_us_per_req']:>8.0f} {_num(r['worker_cpu_us_per_req'], '>8.0f'):>8} "
              f"{r['server_cores']:>5.2f} {_num(r['worker_cores'], '>5.2f'):>5} {r['load_cores']:>5.2f} "
              f"{r['other_cores']:>5.2f} {procs:>7} {_num(r['server_rss_mb'], '>6.0f'):>6} "
              f"{r['terminal_bytes_per_req']:>8.0f}")
    print("(srv / env µs/r: CPU per request of the server process / of its worker or environment processes; srv, env, "
          "load, other: cores busy, other = the rest of the machine; procs: worker processes alive (+ started during "
          "the run); term B/r: terminal output per request, drained through a pipe)")
    for key, r in rows.items():
        print(f"  {key}: {r['label']}; up in {r['startup_s']:.1f} s, warmed up in {r['warmup_rounds']} round(s)")
    for key, why in results["skipped"].items():
        print(f"  {key}: not measured: {why}")
    for key, why in results["failed"].items():
        print(f"  {key}: FAILED: {why['error']}")
    cold = results.get("cold_start")
    if cold:
        print(f"cold start ({cold['flags']}): median {cold['median_ms']:.1f} ms of {cold['all_ms']}; the next "
              f"request {cold['second_request_median_ms']:.2f} ms; the process answering after "
              f"{cold['process_ready_median_ms']} ms")
    rss = results.get("gateway_rss")
    if rss:
        curve = ", ".join(f"{_count(s['requests'])}: {s['rss_mb']:.0f}" for s in rss["samples"])
        print(f"gateway RSS ({_short(rss['row'])}): {rss['start_rss_mb']:.1f} MB after 1 request, "
              f"{rss['rss_mb']:.1f} MB after {rss['requests']:,} requests in {rss['seconds']:.0f} s "
              f"(peak {rss['peak_rss_mb']:.1f} MB, {rss['errors']} errors); MB by requests: {curve}")
    print()
    print("targets (issue 11 item 7), judged on lambdagate at its defaults; its other rows for comparison:")
    columns = lambdagate_columns(results)
    header = f"{'target':<42} {'limit':>10} " + " ".join(f"{_short(k):>10}" for k in columns) + "  result"
    print(header)
    print("-" * len(header))
    for t in results["targets"]:
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[t["passed"]]
        values = " ".join(f"{_fmt(t['values'].get(k), t['unit']):>10}" for k in columns)
        print(f"{t['name']:<42} {t['limit']:>10} {values}  {verdict}{'  (' + t['note'] + ')' if t['note'] else ''}")
    if results.get("node"):
        report_node(results)
    if results.get("profile"):
        title = f"the gateway process of {results['profile']['server']}, under load"
        profiling.print_summary(results["profile"], title)
    print()
    print("Absolute numbers move with the machine (2 shared cores: see 'other'); compare the ratios of one run.")


def report_node(results: dict[str, Any]) -> None:
    print()
    print(f"Node.js hello world (nodejs20.x, GET {NODE_ROUTE}, node {results['versions'].get('node', '?')}), "
          f"lambdagate with {' '.join(QUIET_FLAGS)}, against the Python row with the same flags:")
    python = results["rows"].get("lambdagate-quiet")
    for channel, r in results["node"].items():
        cold = results["node_cold_start"].get(channel)
        share = _ratio(r, python, "rps")
        print(f"  {channel:<12} {r['rps']:>7.0f} req/s ({_num(share, '.0%')} of Python's), p50 {r['p50_ms']:.2f} ms, "
              f"p99 {r['p99_ms']:.1f} ms, {r['errors']} errors, gateway {r['server_cpu_us_per_req']:.0f} µs/r, "
              f"environments {_num(r['worker_cpu_us_per_req'], '.0f')} µs/r; cold start "
              f"{cold['median_ms'] if cold else '-'} ms")


# --------------------------------------------------------------------------------------------------------------
# Main

def versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in ("aiohttp", "uvloop", "lambdagate", "awslambdaric"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
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
    for tool, flag in (("node", "--version"), ("wrk", "-v")):
        path = shutil.which(tool)
        if path:
            text = subprocess.run([path, flag], capture_output=True, text=True, timeout=30).stdout
            out[tool] = text.split("\n")[0].split(" [")[0].strip()
    return out


def install_serverless_offline() -> int:
    npm = shutil.which("npm")
    if not npm:
        print("npm is not on PATH: install Node.js 18 or later first", file=sys.stderr)
        return 2
    SERVERLESS_CACHE.mkdir(parents=True, exist_ok=True)
    argv = [npm, "install", "--prefix", str(SERVERLESS_CACHE), "--no-audit", "--no-fund", "--loglevel=error",
            *SERVERLESS_PACKAGES]
    print(" ".join(argv), flush=True)
    return subprocess.run(argv).returncode


def settings_from(args: argparse.Namespace) -> Settings:
    quick = args.quick
    return Settings(duration=args.duration or (3.0 if quick else 10.0), warmup=args.warmup or (1.0 if quick else 2.0),
                    connections=args.connections, onehop_workers=args.onehop_workers,
                    cold_trials=args.cold_trials if args.cold_trials is not None else (3 if quick else 5),
                    rss=args.rss if args.rss is not None else not quick, rss_requests=args.rss_requests,
                    rss_max_seconds=args.rss_max_seconds, quick=quick)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="3 s per row, 1 s warm-up rounds, 3 cold starts, no RSS pass: under a minute")
    parser.add_argument("--duration", type=float, help="seconds per row (default 10, --quick 3)")
    parser.add_argument("--warmup", type=float, help="seconds per warm-up round (default 2, --quick 1)")
    parser.add_argument("--connections", "-c", type=int, default=10, help="connections (default 10)")
    parser.add_argument("--onehop-workers", type=int, default=2, help="the one-hop floor's workers (default 2)")
    parser.add_argument("--rows", nargs="+", choices=ALL_ROWS, default=list(ROWS),
                        help=f"rows to measure (default: {' '.join(ROWS)})")
    parser.add_argument("--cold-trials", type=int, help="fresh servers for the cold start (default 5, --quick 3)")
    parser.add_argument("--rss", action=argparse.BooleanOptionalAction, default=None,
                        help="the gateway RSS pass (default: on, off with --quick)")
    parser.add_argument("--rss-requests", type=int, default=TARGET_RSS_REQUESTS)
    parser.add_argument("--rss-row", choices=LAMBDAGATE_ROWS, default="lambdagate",
                        help="the lambdagate configuration of the RSS pass (default: lambdagate, its defaults; only "
                             "that one is judged)")
    parser.add_argument("--rss-max-seconds", type=float, default=120.0,
                        help="stop the RSS pass after this long even if short of --rss-requests (default 120)")
    parser.add_argument("--node", action="store_true",
                        help="also the Node.js function, on the socket channel and on the HTTP Runtime API")
    parser.add_argument("--profile", action="store_true", help="py-spy lambdagate's gateway process under load")
    parser.add_argument("--profile-row", choices=LAMBDAGATE_ROWS, default="lambdagate",
                        help="the lambdagate configuration to profile (default: lambdagate, its defaults)")
    parser.add_argument("--profile-seconds", type=int, default=10)
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument("--install-serverless-offline", action="store_true",
                        help=f"npm install {' '.join(SERVERLESS_PACKAGES)} into bench/.cache/serverless and exit")
    return parser.parse_args(argv)


class Steps:
    """Runs the measurements one after the other; one that fails is reported and the others still run."""

    def __init__(self, results: dict[str, Any]) -> None:
        self.results = results
        self.started = time.perf_counter()

    def run(self, name: str, text: str, measure: Callable[[], Any]) -> Any:
        print(f"[{time.perf_counter() - self.started:5.0f} s] {text} ...", flush=True)
        try:
            return measure()
        except Exception as e:  # noqa: BLE001 - one broken row must not lose the others' numbers
            summary = str(e) if isinstance(e, RuntimeError) else f"{type(e).__name__}: {e}"
            detail = summary if isinstance(e, RuntimeError) else "".join(traceback.format_exception(e)[-4:])
            print(f"  {name} failed: {detail}", flush=True)
            self.results["failed"][name] = {"error": summary.splitlines()[0] if summary else "?", "detail": detail}
            return None

    @property
    def elapsed(self) -> float:
        return round(time.perf_counter() - self.started, 1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.install_serverless_offline:
        return install_serverless_offline()
    install_exit_handlers()
    settings = settings_from(args)
    load = Load(not args.no_wrk, settings.connections)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(exist_ok=True)
    results: dict[str, Any] = {
        "timestamp": stamp, "cpus": os.cpu_count(), "platform": platform.platform(), "versions": versions(),
        "load_generator": load.tool, "mode": "quick" if settings.quick else "full",
        "settings": {"duration": settings.duration, "warmup": settings.warmup, "connections": settings.connections,
                     "onehop_workers": settings.onehop_workers, "host": HOST, "route": ROUTE,
                     "terminal": "stdout and stderr to a pipe the bench drains"},
        "rows": {}, "skipped": {}, "failed": {}}
    steps = Steps(results)
    print(f"load generator: {load.tool}")
    try:
        with tempfile.TemporaryDirectory(prefix="lambdagate-bench-") as tmp_name:
            b = Bench(settings, load, Path(tmp_name))
            builders: dict[str, Callable[[Bench], Server | str]] = {
                "bare": bare_server, "onehop": onehop_server,
                "lambdagate": lambda b: lambdagate_server(b, "lambdagate", quiet=False),
                "lambdagate-no-watch": lambda b: lambdagate_server(b, "lambdagate-no-watch", quiet=False,
                                                                   extra=("--no-watch",)),
                "lambdagate-quiet": lambda b: lambdagate_server(b, "lambdagate-quiet", quiet=True),
                "serverless-offline": serverless_offline_server}
            for key in ALL_ROWS:
                if key not in args.rows:
                    continue
                server = builders[key](b)
                if isinstance(server, str):
                    print(f"{key}: skipped: {server}")
                    results["skipped"][key] = server
                    continue
                row = steps.run(key, server.label, partial(measure_row, b, server))
                if row:
                    results["rows"][key] = row
            if "lambdagate" in args.rows and settings.cold_trials:
                results["cold_start"] = steps.run("cold_start", f"lambdagate cold start x{settings.cold_trials}",
                                                  lambda: measure_cold_start(b, settings.cold_trials))
            if settings.rss and (args.rss_row in args.rows or args.rss):
                server = builders[args.rss_row](b)
                assert isinstance(server, Server)
                text = f"gateway RSS over {settings.rss_requests:,} requests, {server.label}"
                results["gateway_rss"] = steps.run("gateway_rss", text, partial(measure_gateway_rss, b, server))
            if args.node:
                measure_node(b, results, steps)
            if args.profile:
                server = builders[args.profile_row](b)
                assert isinstance(server, Server)
                profile = partial(measure_profile, b, server, args.profile_seconds, stamp)
                results["profile"] = steps.run("profile", f"py-spy on {server.label} for {args.profile_seconds} s",
                                               profile)
    finally:
        stop_all()
    results["elapsed_s"] = steps.elapsed
    results["targets"] = [asdict(t) for t in targets(results)]
    report(results)
    out = RESULTS / f"serve-{stamp}.json"
    out.write_text(json.dumps(_finite(results), indent=2, allow_nan=False) + "\n")
    print(f"\nwrote {out.relative_to(BENCH.parent)} ({results['elapsed_s']:.0f} s)")
    return 1 if results["failed"] else 0


def measure_node(b: Bench, results: dict[str, Any], steps: Steps) -> None:
    """The Node.js function on each channel, lambdagate quiet (so that the channel, not the log, is measured)."""
    results["node"], results["node_cold_start"] = {}, {}
    if not shutil.which("node"):
        results["skipped"]["node"] = "node is not on PATH"
        return
    for channel in NODE_CHANNELS:
        extra = ("--node-channel", channel)
        server = lambdagate_server(b, f"node-{channel}", quiet=True, route=NODE_ROUTE, extra=extra)
        row = steps.run(f"node-{channel}", f"lambdagate, Node.js over the {channel} channel",
                        partial(measure_row, b, server))
        if row:
            results["node"][channel] = row
        cold_start = partial(measure_cold_start, b, b.settings.cold_trials, route=NODE_ROUTE, quiet=True, extra=extra)
        cold = steps.run(f"node-{channel}-cold-start",
                         f"cold start x{b.settings.cold_trials}, Node.js over the {channel} channel", cold_start)
        if cold:
            results["node_cold_start"][channel] = cold


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        stop_all()
        print("\ninterrupted; child processes stopped", file=sys.stderr)
        sys.exit(130)
