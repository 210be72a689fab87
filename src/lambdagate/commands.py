"""What each command does and prints: `serve`, `test-invoke`, `logs`, `metrics`, `doctor`, `explain`, `compare`
(the `--aws` forms run in aws/commands.py)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import re
import signal
import sys
import time
from collections.abc import Coroutine
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from .aws import commands as aws_commands
from .aws.access import AwsAccess
from .aws.commands import AwsFlags as AwsFlags
from .build import prepared
from .code_scanning import Result, sarif_file, workflow_commands
from .config import STATE_FOLDER, Config, Source, find_template
from .doctor import examine
from .doctor.report import ASCII_MARKS, UNICODE_MARKS, as_json, human
from .doctor.sarif import results
from .errors import LambdagateError
from .explain import explain_text
from .observe.console import Console
from .observe.log_store import LogEvent, LogStore
from .observe.metrics import read_rows
from .runner import Runner, describe_routes, startup_notices
from .sync import Gateway

_DURATION = re.compile(r"^(\d+)([smhdw])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str) -> int:
    """`10m` -> seconds, as `aws logs tail --since` takes it."""
    m = _DURATION.match(text.strip())
    if not m:
        raise LambdagateError(f"--since: expected a number and s, m, h, d or w (e.g. 10m), got {text!r}")
    return int(m.group(1)) * _SECONDS[m.group(2)]


def state_dir(template: Path | None) -> Path:
    try:
        return find_template(template).resolve().parent / STATE_FOLDER
    except LambdagateError:
        if template is not None:
            raise
        return Path.cwd() / STATE_FOLDER


def serve(config: Config) -> int:
    _run(_serve(config))
    return 0


async def _serve(config: Config) -> None:
    console = Console(quiet=config.quiet)
    deployment = prepared(config.source, console.notice, install=config.build)
    for warning in startup_notices(deployment):
        console.notice(warning)
    state = config.source.state_dir
    runner = Runner(deployment, console, config)
    await runner.start()
    try:
        port = await runner.listen(config.host, config.port, config.dashboard_port)
        for line in describe_routes(deployment) + runner.access_notices():
            console.notice(line)
        if runner.dashboard is not None:
            console.notice(f"dashboard on http://{_url_host(runner.dashboard.host)}:{runner.dashboard.port}/ "
                           f"(Prometheus metrics at /metrics)")
        if runner.recorder.store is not None:
            console.notice(f"logs and metrics under {state} (`lambdagate logs`, `lambdagate metrics`)")
        # What start-up built (modules, the deployment, the routers) lives as long as the process: kept out of the
        # cyclic collector's full passes, which otherwise walk it every few seconds under load (~50 ms each
        # measured at the defaults, the largest of the p99 stalls). https://docs.python.org/3/library/gc.html#gc.freeze
        gc.collect()
        gc.freeze()
        console.notice(f"serving on http://{_url_host(config.host)}:{port} (Ctrl-C stops)")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # closing the terminal (SIGHUP) stops lambdagate as Ctrl-C and SIGTERM do: environments never outlive it
        for sig in (signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.close()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(coroutine)
        return
    uvloop.run(coroutine)


def test_invoke(config: Config, method: str, path: str, headers: list[tuple[str, str]],
                query: list[tuple[str, str]], body: str | None, as_json: bool) -> int:
    data: str | bytes | None = body
    if body is not None and body.startswith("@"):
        try:
            data = Path(body[1:]).read_bytes()
        except OSError as e:
            raise LambdagateError(f"--body {body}: cannot read the file: {e.strerror}") from None
    with Gateway(config, output=sys.stderr) as gateway:
        result = gateway.request(method, path, headers=headers, query=query, body=data)
    if as_json:
        print(json.dumps(result.as_json(), indent=2))
        return 0
    target = path + (("&" if "?" in path else "?") + "&".join(f"{k}={v}" for k, v in query) if query else "")
    print(f"Request: {target}\nStatus: {result.status}\nLatency: {result.latency} ms\n")
    print(f"Response Body\n{result.body}\n")
    print("Response Headers\n" + json.dumps(result.headers, indent=2) + "\n")
    print("Logs\n" + result.log)
    return 0


def tokens(template: Path | None, pool: str, claims: list[tuple[str, str]], groups: list[str], scopes: list[str],
           username: str, client_id: str | None, expires_in: int, out: TextIO | None = None) -> int:
    """A token of a local user pool on stdout (its keys made on first use, said on stderr)."""
    from .auth import tokens as local

    made_pool, made = local.local_pool(state_dir(template), pool)
    if made:
        print(f"lambdagate: made user pool {pool}: its JWKS is {made_pool.jwks_path} (serve finds it there)",
              file=sys.stderr)
    extra = {name: local.claim_value(value) for name, value in claims}
    if groups:
        extra["cognito:groups"] = groups
    values = local.claims_for(made_pool, username, client_id or local.default_client_id(pool), tuple(scopes), extra,
                              time.time(), expires_in)
    (out or sys.stdout).write(local.mint(made_pool, values) + "\n")
    return 0


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Control characters (terminal escapes in a request body, line breaks) as `\\x1b` and the like, so that a
    log line cannot move the cursor, recolour or retitle the terminal; tabs and text stay as they are."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _print_event(event: LogEvent, with_group: bool) -> None:
    try:
        stamp = datetime.fromtimestamp(event.timestamp / 1000, tz=timezone.utc).isoformat(timespec="microseconds")
    except (ValueError, OverflowError, OSError):
        stamp = str(event.timestamp)
    group = f"{event.group} " if with_group else ""
    print(printable(f"{stamp} {group}{event.stream} {event.message}"))


def logs(template: Path | None, group: str | None, text: str | None, since: str, follow: bool,
         list_groups: bool) -> int:
    store = LogStore(state_dir(template) / "logs")
    if list_groups:
        for name in store.groups():
            print(name)
        return 0
    groups = store.matching_groups(group)
    if not groups and not follow:
        known = ", ".join(store.groups()) or "none yet (serve or test-invoke first)"
        raise LambdagateError(f"no log group matches {group!r}; groups: {known}" if group else
                              f"no logs under {store.root}: serve or test-invoke first")
    since_ms = int((time.time() - parse_since(since)) * 1000)
    many = group is None or len(groups) > 1
    for event in store.search(group, since_ms, text):
        _print_event(event, many)
    if not follow:
        return 0
    offsets = {name: store.events(name, since_ms)[1] for name in store.matching_groups(group)}
    try:
        while True:
            time.sleep(0.5)
            for name in store.matching_groups(group):
                events, offsets[name] = store.events(name, 0, offsets.get(name, 0))
                for event in events:
                    if text is None or text in event.message:
                        _print_event(event, many)
            sys.stdout.flush()
    except KeyboardInterrupt:
        return 0


def metrics(template: Path | None, since: str, as_json: bool) -> int:
    path = state_dir(template) / "metrics.jsonl"
    start = int(time.time()) - parse_since(since)
    rows = read_rows(path, start)
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print(f"no metrics since {since} ago in {path} (metrics are written once a minute while serving)")
        return 0
    print(f"{'minute (UTC)':<17} {'ApiName / ApiId':<18} {'Stage':<8} {'Method':<7} {'Resource / Route':<22} "
          f"{'Count':>6} {'4XX':>5} {'5XX':>5} {'Latency avg/p99 ms':>19} {'Integration avg ms':>18}")
    for row in rows:
        try:
            print(_metrics_line(row))
        except (KeyError, ValueError, TypeError, OverflowError, OSError):  # a row damaged on disk is left out
            continue
    return 0


def _metrics_line(row: dict[str, object]) -> str:
    minute = datetime.fromtimestamp(int(str(row["minute"])), tz=timezone.utc).strftime("%Y-%m-%d %H:%M")
    latency = row.get("Latency") or {}
    integration = row.get("IntegrationLatency") or {}
    lat = f"{latency.get('Average', 0):.1f}/{latency.get('p99', 0):.1f}" if isinstance(latency, dict) else "-"
    integ = f"{integration.get('Average', 0):.1f}" if isinstance(integration, dict) and integration else "-"
    if "ApiId" in row:   # an HTTP API's row: ApiId, Stage, Route; 4xx and 5xx (aws-http-api.md §11)
        api, method, resource = f"{row['ApiId']} (HTTP)", "", str(row["Route"])
        errors_4xx, errors_5xx = row["4xx"], row["5xx"]
    else:
        api, method, resource = str(row["ApiName"]), str(row["Method"]), str(row["Resource"] or "(no resource)")
        errors_4xx, errors_5xx = row["4XXError"], row["5XXError"]
    return printable(f"{minute:<17} {api[:18]:<18} {str(row['Stage'])[:8]:<8} {method:<7} {resource[:22]:<22} "
                     f"{row['Count']:>6} {errors_4xx:>5} {errors_5xx:>5} {lat:>19} {integ:>18}")


def _marks(out: TextIO) -> bool:
    try:
        "✓✗".encode(out.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def doctor(source: Source, names: list[str], events: list[Path], package: Path | None, as_json_output: bool,
           sarif: Path | None, out: TextIO | None = None, today: date | None = None, annotations: bool = False,
           invoke_all: bool = False) -> int:
    """Exit code 0: all checks passed, 1: findings, 2: could not run (a LambdagateError)."""
    out = out or sys.stdout
    report = examine(source, names, events, package, today, invoke_all)
    sarif_file(sarif, "lambdagate doctor", results(report))
    out.write(as_json(report) if as_json_output else human(report, UNICODE_MARKS if _marks(out) else ASCII_MARKS))
    _annotate(out, annotations, results(report))
    return report.exit_code


def _annotate(out: TextIO, annotations: bool, found: list[Result]) -> None:
    if annotations:
        out.write(workflow_commands(found))


def explain(file: str, as_json_output: bool, out: TextIO | None = None, stdin: TextIO | None = None,
            sarif: Path | None = None, annotations: bool = False) -> int:
    """Exit code 0: no failed request in the log, 1: failures explained, 2: the input could not be read."""
    out = out or sys.stdout
    try:
        text = (stdin or sys.stdin).read() if file == "-" else Path(file).read_text(encoding="utf-8",
                                                                                     errors="replace")
    except OSError as e:
        raise LambdagateError(f"{file}: cannot read the log: {e.strerror}") from None
    explanation = explain_text(text)
    found = explanation.results(None if file == "-" else file)
    sarif_file(sarif, "lambdagate explain", found)
    if as_json_output:
        out.write(explanation.json())
    else:
        out.write(explanation.human(("✓", "✗") if _marks(out) else ("ok", "FAILED")))
    _annotate(out, annotations, found)
    return 1 if explanation.failed else 0



def doctor_aws(flags: AwsFlags, as_json_output: bool, sarif: Path | None, annotations: bool,
               out: TextIO | None = None, today: date | None = None, access: AwsAccess | None = None) -> int:
    """`doctor --aws`: exit codes as `doctor`'s."""
    out = out or sys.stdout
    return aws_commands.doctor_aws(flags, as_json_output, sarif, annotations, out, _marks(out), today, access)


def explain_aws(flags: AwsFlags, since: str, request_id: str | None, as_json_output: bool, sarif: Path | None,
                annotations: bool, out: TextIO | None = None, access: AwsAccess | None = None) -> int:
    """`explain --aws`: exit codes as `explain`'s."""
    out = out or sys.stdout
    return aws_commands.explain_aws(flags, parse_since(since), request_id, as_json_output, sarif, annotations, out,
                                    _marks(out), access)


def compare(source: Source, flags: AwsFlags | None, url: str | None, requests: list[str], as_json_output: bool,
            sarif: Path | None, annotations: bool, out: TextIO | None = None, access: AwsAccess | None = None) -> int:
    """Exit code 0: the same answers, 1: differences, 2: could not run."""
    out = out or sys.stdout
    return aws_commands.compare(source, flags, url, requests, as_json_output, sarif, annotations, out, _marks(out),
                                access)
