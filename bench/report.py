"""The issue's targets as ratios of one run, and the printed report."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import profiling
from servers import LAMBDAGATE_ROWS, NODE_ROUTE, QUIET_FLAGS

# The issue's targets (issue 11, item 7), lambdagate at its defaults.
TARGET_VS_SERVERLESS_OFFLINE = 1.5    # req/s, at least this many times serverless-offline's
TARGET_VS_ONEHOP = 0.85               # req/s, at least this share of the one-hop floor's
TARGET_P99_VS_SERVERLESS = 0.10       # p99, at most this share of serverless-offline's
TARGET_GATEWAY_US = 100.0             # CPU µs per request of the gateway process, at most
TARGET_COLD_START_MS = 150.0          # first request to a fresh function, below
TARGET_RSS_MB = 100.0                 # gateway RSS after TARGET_RSS_REQUESTS requests, below
TARGET_RSS_REQUESTS = 100_000


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


def finite(value: Any) -> Any:
    """NaN (a percentile of no answers) as null, so that the results are strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
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
    build = results.get("build")
    if build:
        cs = build["cold_start"]
        print(f"lambdagate build of a Python function with requirements.txt: cold {build['cold_ms'] / 1e3:.1f} s "
              f"(empty lambdagate cache; pip downloads), cached {build['cached_median_ms']:.0f} ms, a fresh project "
              f"with the cache warm {build['fresh_project_warm_cache_ms']:.0f} ms, cache on disk "
              f"{build['cache_disk_mb']:.1f} MB; cold start of the built function: median {cs['median_ms']:.1f} ms "
              f"of {cs['all_ms']}")
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

