"""How each runtime's execution environment is started: command, environment variables, working directory.

The environment gets what Lambda gives a function (fact sheet §5.5; LDG configuration-envvars.md) with local
paths in place of /var/task, /var/runtime and /opt, plus the function's own variables, and nothing else of
lambdagate's environment except AWS credentials (the local stand-in for the execution role's credentials).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..definition.code import spare_folder
from ..definition.model import Function

PASSED_THROUGH = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                  "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
# What Lambda's Python runtimes have in /var/runtime besides the runtime client: the AWS SDK, when installed here.
RUNTIME_DISTRIBUTIONS = ("awslambdaric", "simplejson", "snapshot-restore-py", "boto3", "botocore", "s3transfer",
                         "jmespath", "python-dateutil", "six", "urllib3")
PYTHON_RUNTIMES = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14")
NODE_RUNTIMES = ("nodejs18.x", "nodejs20.x", "nodejs22.x")
PROVIDED_RUNTIMES = ("provided.al2023", "provided.al2", "provided")
NODE_BOOTSTRAP = Path(__file__).with_name("node") / "bootstrap.mjs"
WORKER_SCRIPT = Path(__file__).with_name("python_worker.py")
# Node.js and custom runtimes start through the parent-death guard (guard.py), which then becomes them (same pid).
GUARDED = (sys.executable, "-I", "-S", str(Path(__file__).with_name("guard.py")), "--exec")
CONTROL_FD = "{control_fd}"  # replaced by the descriptor number of the environment's control socket


class UnsupportedRuntime(Exception):
    """The function's runtime cannot run here; the message says what to install or change."""


@dataclass(frozen=True)
class LaunchSpec:
    argv: tuple[str, ...]
    env: dict[str, str]
    cwd: str
    channel: str = "socket"            # or "runtime-api": the Lambda Runtime API over HTTP (channels.py)
    failure: tuple[str, str] | None = None  # (errorType, message) when Lambda could not even start the runtime


def lambda_environment(function: Function, region: str, runtime_api: str, runtime_dir: str) -> dict[str, str]:
    env = {
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": time.strftime("%Y/%m/%d", time.gmtime()) + f"/[$LATEST]{uuid.uuid4().hex}",
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "LAMBDA_RUNTIME_DIR": runtime_dir,
        "LAMBDA_TASK_ROOT": function.code_dir,
        "LANG": "en_US.UTF-8",
        "LC_CTYPE": "C.UTF-8",
        # the interpreter's own folder (as /var/lang/bin), not a virtualenv's scripts
        "PATH": os.pathsep.join([str(Path(getattr(sys, "_base_executable", sys.executable)).parent),
                                 "/usr/local/bin", "/usr/bin", "/bin"] +
                                [str(Path(layer) / "bin") for layer in function.layers]),
        "PWD": function.code_dir,
        "TZ": ":UTC",
        "_HANDLER": function.handler,
    }
    for name in PASSED_THROUGH:
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(dict(function.environment))
    return env


def python_runtime_dir(state_dir: Path) -> Path:
    """A folder that holds only the runtime's packages (as /var/runtime does), linked from this installation; a link
    that points elsewhere (this installation moved) is made again. Raises OSError when it cannot be written."""
    tag = hashlib.sha256(sys.prefix.encode()).hexdigest()[:8]
    folder = state_dir / "runtime" / f"python{sys.version_info[0]}.{sys.version_info[1]}-{tag}"
    folder.mkdir(parents=True, exist_ok=True)
    for dist_name in RUNTIME_DISTRIBUTIONS:
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            continue
        tops = {Path(str(f)).parts[0] for f in dist.files or () if not str(f).startswith("..")}
        for top in tops:
            if top.endswith((".dist-info", ".egg-info")) or top == "__pycache__":
                continue
            source = Path(str(dist.locate_file(top)))
            link = folder / top
            if not source.exists() or (link.is_symlink() and os.readlink(link) == str(source)):
                continue
            if link.is_symlink() or link.is_file():
                link.unlink()
            elif link.exists():
                shutil.rmtree(link)
            with contextlib.suppress(FileExistsError):  # another lambdagate made it meanwhile
                link.symlink_to(source)
    return folder


def python_launch(function: Function, region: str, runtime_dir: Path, channel: str = "socket") -> LaunchSpec:
    """awslambdaric in an isolated interpreter; over the socket channel, or over HTTP with its native client."""
    env = lambda_environment(function, region, "127.0.0.1:9001", str(runtime_dir))
    env["PYTHONPATH"] = str(runtime_dir)
    env["LAMBDAGATE_LAYERS"] = os.pathsep.join(function.layers)
    # -I: no user site, no PYTHON* variables, no script folder on sys.path; -S: no site-packages.
    argv = (sys.executable, "-I", "-S", "-u", str(WORKER_SCRIPT), CONTROL_FD if channel == "socket" else "--http")
    return LaunchSpec(argv, env, function.code_dir, channel)


def node_launch(function: Function, region: str, node: str, channel: str = "socket") -> LaunchSpec:
    """Our bootstrap on the machine's `node`, over the socket channel or over the HTTP Runtime API. NODE_PATH as
    Lambda sets it, with the layers' nodejs folders in place of /opt/nodejs (LDG packaging-layers.md, "Layer paths
    for each runtime")."""
    env = lambda_environment(function, region, "127.0.0.1:9001", str(NODE_BOOTSTRAP.parent))
    major = function.runtime.removeprefix("nodejs").split(".")[0]
    paths = []
    for layer in function.layers:
        paths += [str(Path(layer) / "nodejs" / f"node{major}" / "node_modules"),
                  str(Path(layer) / "nodejs" / "node_modules")]
    env["NODE_PATH"] = os.pathsep.join(paths + [function.code_dir])
    argv = (*GUARDED, node, str(NODE_BOOTSTRAP), CONTROL_FD if channel == "socket" else "--http")
    return LaunchSpec(argv, env, function.code_dir, channel)


def provided_launch(function: Function, region: str) -> LaunchSpec:
    """The user's own `bootstrap` (code folder first, then the layers, as /var/task then /opt), which talks to
    the Runtime API itself. Lambda runs it as another user than the files' owner, so it must be executable by
    others; otherwise Lambda answers Runtime.InvalidEntrypoint (aws/aws-lambda-dotnet#1671,
    awslabs/aws-lambda-dart-runtime#20 show the messages)."""
    env = lambda_environment(function, region, "", "")
    candidates = [Path(function.code_dir) / "bootstrap"] + [Path(layer) / "bootstrap" for layer in function.layers]
    for candidate in candidates:
        if candidate.is_file():
            shown = "/var/task/bootstrap" if candidate.parent == Path(function.code_dir) else "/opt/bootstrap"
            if candidate.stat().st_mode & 0o001 == 0:
                return LaunchSpec((), env, function.code_dir, "runtime-api",
                                  ("Runtime.InvalidEntrypoint", f"fork/exec {shown}: permission denied"))
            return LaunchSpec((*GUARDED, str(candidate)), env, function.code_dir, "runtime-api")
    return LaunchSpec((), env, function.code_dir, "runtime-api",
                      ("Runtime.InvalidEntrypoint",
                       "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"))


class Runtimes:
    """The runtimes this machine offers, looked up once at start-up."""

    CHANNELS = ("socket", "runtime-api")

    def __init__(self, state_dir: Path, python_channel: str = "socket", node_channel: str = "socket",
                 notice: Callable[[str], None] | None = None,
                 sandbox: Callable[[Function, dict[str, str]], None] | None = None) -> None:
        self._state_dir = state_dir
        self._notice = notice or (lambda text: None)
        self._sandbox = sandbox  # changes each environment's variables last (doctor's, sandbox.py)
        self._python_dir: Path | None = None
        self._python_channel = python_channel
        self._node_channel = node_channel
        for channel in (python_channel, node_channel):
            if channel not in self.CHANNELS:
                raise ValueError(f"channel {channel!r}: expected {' or '.join(self.CHANNELS)}")
        self.node = shutil.which("node")
        self._node_version: str | None = None

    def node_version(self) -> str:
        if self._node_version is None and self.node:
            done = subprocess.run([self.node, "--version"], capture_output=True, text=True, timeout=30)
            self._node_version = done.stdout.strip()
        return self._node_version or ""

    def check(self, function: Function) -> str | None:
        """Raise UnsupportedRuntime when the function cannot run here; return a start-up note when it runs on a
        local version other than its Runtime's."""
        runtime = function.runtime
        if runtime in PYTHON_RUNTIMES:
            local = f"python{sys.version_info[0]}.{sys.version_info[1]}"
            if local != runtime:
                return (f"{function.logical_id}: Runtime {runtime} runs on the local {local} "
                        f"({sys.executable}), the closest interpreter lambdagate can use")
            return None
        if runtime in NODE_RUNTIMES:
            if not self.node:
                raise UnsupportedRuntime(f"{function.logical_id}: Runtime {runtime} needs Node.js: install it "
                                         "(https://nodejs.org) so that `node` is on PATH, then restart")
            local = self.node_version()
            wanted = runtime.removeprefix("nodejs").split(".")[0]
            if not local.startswith(f"v{wanted}."):
                return (f"{function.logical_id}: Runtime {runtime} runs on the local node {local} "
                        f"({self.node}), not Node.js {wanted}")
            return None
        if runtime in PROVIDED_RUNTIMES:
            return None
        family = runtime.rstrip("0123456789.x")
        advice = {"java": "Java", "dotnet": ".NET", "ruby": "Ruby", "go": "Go"}.get(family)
        what = f"{advice} functions are not supported" if advice else f"{runtime!r} is not a runtime lambdagate knows"
        raise UnsupportedRuntime(f"{function.logical_id}: Runtime {runtime}: {what}; lambdagate runs "
                                 f"{', '.join(PYTHON_RUNTIMES + NODE_RUNTIMES + PROVIDED_RUNTIMES)} "
                                 "(a compiled function can run as provided.al2023 with its own bootstrap)")

    def launch(self, function: Function, region: str) -> LaunchSpec:
        spec = self._launch(function, region)
        if self._sandbox is not None:
            self._sandbox(function, spec.env)
        return spec

    def _launch(self, function: Function, region: str) -> LaunchSpec:
        if function.runtime in NODE_RUNTIMES:
            assert self.node is not None
            return node_launch(function, region, self.node, self._node_channel)
        if function.runtime in PROVIDED_RUNTIMES:
            return provided_launch(function, region)
        if self._python_dir is None:
            try:
                self._python_dir = python_runtime_dir(self._state_dir)
            except OSError as e:  # a read-only .lambdagate/: the links go to a temporary folder instead
                self._python_dir = python_runtime_dir(spare_folder(self._state_dir))
                self._notice(f"cannot write under {self._state_dir} ([Errno {e.errno}] {e.strerror}): the Python "
                             f"runtime's links are in {self._python_dir} instead")
        return python_launch(function, region, self._python_dir, self._python_channel)
