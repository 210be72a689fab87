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
that main() puts in the results and report.py prints; the servers are in servers.py. Every child process is stopped
on every exit path (processes.py).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path
from typing import Any

import profiling
from load import Load
from processes import (
    TreeSnapshot,
    descendants,
    install_exit_handlers,
    machine_busy_seconds,
    rss_mb,
    stop_all,
    tree_cost,
)
from report import TARGET_RSS_REQUESTS, finite, report, targets
from servers import (
    ALL_ROWS,
    BENCH,
    EXPECTED,
    HOST,
    LAMBDAGATE_ROWS,
    NODE_CHANNELS,
    NODE_ROUTE,
    RESULTS,
    ROUTE,
    ROWS,
    SERVERLESS_PACKAGES,
    Bench,
    Running,
    Server,
    Settings,
    bare_server,
    check_answer,
    copy_app,
    install_serverless_offline,
    lambdagate_executable,
    lambdagate_server,
    onehop_server,
    running,
    serverless_offline_server,
)

BUILT_APP = BENCH / "app-built"   # a Python function with a requirements.txt dependency (measure_build)
BUILT_ROUTE = "/deps"


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
                       extra: tuple[str, ...] = (), app: Path | None = None,
                       env: dict[str, str] | None = None) -> dict[str, Any]:
    """The first request to a fresh function: a new lambdagate process per trial (at its defaults unless `quiet`);
    once it answers UNKNOWN (403, starts nothing), the time of the first `GET route`, which starts the function's
    execution environment (interpreter, runtime client, handler import) and runs it."""
    app = app or copy_app(b, f"cold-{route.strip('/')}-{'quiet' if quiet else 'defaults'}-{'-'.join(extra) or 'x'}")
    cold, second, ready = [], [], []
    for i in range(trials):
        server = replace(lambdagate_server(b, f"cold-{i}", quiet=quiet, route=route, extra=extra, app=app), env=env)
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


def _disk_mb(folder: Path) -> float:
    total = 0
    for root, _dirs, files in os.walk(folder):
        total += sum((Path(root) / name).stat().st_size for name in files if not (Path(root) / name).is_symlink())
    return round(total / 1e6, 1)


def measure_build(b: Bench, trials: int) -> dict[str, Any]:
    """`lambdagate build` of a project whose Python function lists a dependency in requirements.txt (bench/app-built):
    cold (an empty lambdagate cache, LAMBDAGATE_CACHE_DIR in the run's folder, and a fresh project: pip downloads and
    installs; pip's own cache is left as it is), cached (the same project again), a fresh copy of the project with the
    cache warm; the disk the cache takes; then the cold start of the built function, in fresh servers."""
    env = {**os.environ, "LAMBDAGATE_CACHE_DIR": str(b.tmp / "lambdagate-cache")}

    def build(folder: Path) -> float:
        started = time.perf_counter()
        done = subprocess.run([*lambdagate_executable(), "build"], cwd=folder, env=env, capture_output=True,
                              text=True, timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"lambdagate build failed:\n{done.stdout}{done.stderr}")
        return (time.perf_counter() - started) * 1e3

    project = b.tmp / "built-1"
    shutil.copytree(BUILT_APP, project)
    cold = build(project)
    cached = [build(project) for _ in range(trials)]
    other = b.tmp / "built-2"
    shutil.copytree(BUILT_APP, other)
    fresh_project = build(other)
    started = measure_cold_start(b, trials, route=BUILT_ROUTE, app=project, env=env)
    return {"cold_ms": round(cold, 1), "cached_median_ms": round(statistics.median(cached), 1),
            "fresh_project_warm_cache_ms": round(fresh_project, 1),
            "cache_disk_mb": _disk_mb(b.tmp / "lambdagate-cache"), "cold_start": started}


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
    parser.add_argument("--no-build", action="store_true", help="skip `lambdagate build` cold and cached and the "
                        "cold start of the built function (they need PyPI)")
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
            if settings.cold_trials and not args.no_build:
                results["build"] = steps.run("build", "lambdagate build cold and cached, cold start of the built "
                                             f"function x{settings.cold_trials}",
                                             lambda: measure_build(b, settings.cold_trials))
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
    out.write_text(json.dumps(finite(results), indent=2, allow_nan=False) + "\n")
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
