"""What the benchmark runs: its settings, the servers (how to start each, on free loopback ports), and running one
until the `with` block ends, with every process it started stopped on the way out."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from load import Load
from processes import Child, spawn, stop

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
