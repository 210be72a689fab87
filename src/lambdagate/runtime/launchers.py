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
from datetime import date
from importlib import metadata
from pathlib import Path

from ..definition.code import spare_folder
from ..definition.model.function import Function
from . import bundled, catalog
from .catalog import NODE_RUNTIMES, PROVIDED_RUNTIMES, PYTHON_RUNTIMES, UnsupportedRuntime
from .interpreters import Interpreter, Interpreters, own_interpreter, version_of
from .paths import LAYERS_ROOT, NO_PATHS, RUNTIME_ROOT, TASK_ROOT, LambdaPaths, lambda_paths

PASSED_THROUGH = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                  "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CA_BUNDLE")
# A local AWS emulator for every SDK call (AWS_ENDPOINT_URL) or one service's (AWS_ENDPOINT_URL_DYNAMODB, ...),
# read by botocore and the AWS SDK for JavaScript v3 (AWS SDKs and Tools reference, "Service-specific endpoints").
ENDPOINT_URLS = "AWS_ENDPOINT_URL"
# What Lambda's Python runtimes have in /var/runtime besides the runtime client: the AWS SDK, when installed here.
RUNTIME_DISTRIBUTIONS = ("awslambdaric", "simplejson", "snapshot-restore-py", "boto3", "botocore", "s3transfer",
                         "jmespath", "python-dateutil", "six", "urllib3")
NODE_BOOTSTRAP = Path(__file__).with_name("node") / "bootstrap.mjs"
WORKER_SCRIPT = Path(__file__).with_name("python_worker.py")
# Node.js and custom runtimes start through the parent-death guard (guard.py), which then becomes them (same pid).
GUARDED = (sys.executable, "-I", "-S", str(Path(__file__).with_name("guard.py")), "--exec")
CONTROL_FD = "{control_fd}"  # replaced by the descriptor number of the environment's control socket


@dataclass(frozen=True)
class LaunchSpec:
    argv: tuple[str, ...]
    env: dict[str, str]
    cwd: str
    channel: str = "socket"            # or "runtime-api": the Lambda Runtime API over HTTP (channels.py)
    failure: tuple[str, str] | None = None  # (errorType, message) when Lambda could not even start the runtime
    paths: LambdaPaths = NO_PATHS       # host folders as Lambda names them, for stack traces and log lines


def lambda_environment(function: Function, region: str, runtime_api: str, runtime_dir: str,
                       bin_dir: str | None = None) -> dict[str, str]:
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
        "PATH": os.pathsep.join([bin_dir or str(Path(getattr(sys, "_base_executable", sys.executable)).parent),
                                 "/usr/local/bin", "/usr/bin", "/bin"] +
                                [str(Path(layer) / "bin") for layer in function.layers]),
        "PWD": function.code_dir,
        "TZ": ":UTC",
        "_HANDLER": function.handler,
    }
    for name, value in os.environ.items():
        if name in PASSED_THROUGH or name.startswith(ENDPOINT_URLS):
            env[name] = value
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


def _shown(function: Function, runtime_dir: Path, more: list[tuple[str, str]],
           task_packages: str = TASK_ROOT) -> LambdaPaths:
    """The function's folders as Lambda names them: code and built dependencies in /var/task, layers in /opt."""
    folders = [(function.code_dir, TASK_ROOT)] + [(p, task_packages) for p in function.package_dirs]
    if function.build is not None:  # a bundle's source maps lead back to the sources it was built from
        folders.append((function.build.source, TASK_ROOT))
    folders += [(layer, LAYERS_ROOT) for layer in function.layers]
    return lambda_paths(folders + [(str(runtime_dir), RUNTIME_ROOT)] + more)


def python_launch(function: Function, region: str, runtime_dir: Path, channel: str = "socket",
                  interpreter: Interpreter | None = None) -> LaunchSpec:
    """awslambdaric in an isolated interpreter; over the socket channel, or over HTTP with its native client."""
    interpreter = interpreter or own_interpreter()
    bin_dir = None if interpreter.own else str(Path(interpreter.executable).parent)
    env = lambda_environment(function, region, "127.0.0.1:9001", str(runtime_dir), bin_dir)
    env["LAMBDAGATE_LAYERS"] = os.pathsep.join(function.layers)
    env["LAMBDAGATE_PACKAGES"] = os.pathsep.join(function.package_dirs)
    env["LAMBDAGATE_PYCACHE"] = str(bundled.cache_dir() / "python" / "pycache")
    # -I: no user site, no PYTHON* variables, no script folder on sys.path; -S: no site-packages.
    argv = (interpreter.executable, "-I", "-S", "-u", str(WORKER_SCRIPT),
            CONTROL_FD if channel == "socket" else "--http")
    version = f"python{interpreter.dotted}"
    prefix = sys.base_prefix if interpreter.own else str(Path(interpreter.executable).resolve().parent.parent)
    stdlib = [(str(Path(prefix) / "lib" / version), f"/var/lang/lib/{version}")]
    return LaunchSpec(argv, env, function.code_dir, channel, paths=_shown(function, runtime_dir, stdlib))


def node_launch(function: Function, region: str, node: str, channel: str = "socket") -> LaunchSpec:
    """Our bootstrap on the machine's `node`, over the socket channel or over the HTTP Runtime API. NODE_PATH as
    Lambda sets it: the layers' nodejs folders in place of /opt/nodejs (LDG packaging-layers.md, "Layer paths for
    each runtime"), the runtime's SDK in place of /var/runtime/node_modules, then the code folder; built
    dependencies, which Lambda has in /var/task/node_modules, come first. The bootstrap also searches these
    folders for ES modules, as Lambda's runtime does from nodejs18.x on (LDG lambda-nodejs.md, "Designating a
    function handler as an ES module")."""
    env = lambda_environment(function, region, "127.0.0.1:9001", str(NODE_BOOTSTRAP.parent))
    major = catalog.runtime(function.runtime).major
    paths = list(function.package_dirs)
    for layer in function.layers:
        paths += [str(Path(layer) / "nodejs" / f"node{major}" / "node_modules"),
                  str(Path(layer) / "nodejs" / "node_modules")]
    sdk = bundled.node_sdk(major) / "node_modules"
    env["NODE_PATH"] = os.pathsep.join(paths + [str(sdk), function.code_dir])
    # the ES module search of NODE_PATH (bootstrap.mjs) costs Node.js < 22.15 a hooks thread: only when needed
    own = Path(function.code_dir) / "node_modules"
    wanted = [p for p in bundled.imported_sdk_packages(Path(function.code_dir), major) if not (own / p).is_dir()]
    if wanted or function.layers:
        env["LAMBDAGATE_ESM_PATHS"] = os.pathsep.join(p for p in paths + [str(sdk)] if os.path.isdir(p))
    argv = (*GUARDED, node, str(NODE_BOOTSTRAP), CONTROL_FD if channel == "socket" else "--http")
    shown = _shown(function, NODE_BOOTSTRAP.parent, [(str(sdk), RUNTIME_ROOT + "/node_modules"), (
        str(Path(function.code_dir) / "node_modules"), TASK_ROOT + "/node_modules")], TASK_ROOT + "/node_modules")
    return LaunchSpec(argv, env, function.code_dir, channel, paths=shown)


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


def _named(function: Function) -> str:
    """`template.yaml:14: HelloFunction`, for messages."""
    return f"{function.location}: {function.logical_id}" if function.location.file else function.logical_id


class Runtimes:
    """The runtimes this machine offers, looked up once at start-up: which interpreter runs each Python runtime,
    which `node` runs Node.js, and what to say about it."""

    CHANNELS = ("socket", "runtime-api")

    def __init__(self, state_dir: Path, python_channel: str = "socket", node_channel: str = "socket",
                 interpreters: Interpreters | None = None, today: date | None = None,
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
        self.interpreters = interpreters or Interpreters()
        self._python: dict[str, Interpreter] = {}
        self._socket_only: set[str] = set()     # Python runtimes whose interpreter lacks awslambdaric's HTTP client
        self._today = today or date.today()
        self.node = shutil.which("node")
        self._node_version: str | None = None

    def node_version(self) -> str:
        if self._node_version is None and self.node:
            done = subprocess.run([self.node, "--version"], capture_output=True, text=True, timeout=30)
            self._node_version = done.stdout.strip()
        return self._node_version or ""

    def check(self, function: Function, deprecation: bool = True) -> list[str]:
        """Raise UnsupportedRuntime when the function cannot run here; else the start-up notes about how it runs
        (a local version other than its Runtime's, a runtime AWS has deprecated), without the function's name."""
        runtime = catalog.runtime(function.runtime)
        if not runtime.served:
            refused = catalog.refusal(function.runtime)
            raise UnsupportedRuntime(f"{_named(function)}: {refused}", refused.fix, refused.not_emulated)
        notes = []
        if function.runtime in PYTHON_RUNTIMES:
            notes += self._python_notes(function.runtime)
        elif function.runtime in NODE_RUNTIMES:
            notes += self._node_notes(function)
        deprecated = runtime.deprecated_on(self._today)
        if deprecation and deprecated is not None:
            notes.append(f"Runtime {function.runtime}: AWS deprecated it on {deprecated.isoformat()}; Lambda still "
                         "invokes such functions, and so does lambdagate")
        return notes

    def python_interpreter(self, identifier: str) -> Interpreter:
        """The interpreter that runs this Python runtime here (see interpreters.py)."""
        if identifier not in self._python:
            self._python_notes(identifier)
        return self._python[identifier]

    def _python_notes(self, identifier: str) -> list[str]:
        choice = self.interpreters.choose(version_of(identifier))
        chosen = choice.interpreter
        notes = []
        if not choice.exact:
            notes.append(f"Runtime {identifier} runs on the local {chosen.name} ({chosen.executable}): "
                         f"{choice.advice()}")
        if not chosen.own and not bundled.complete(bundled.python_runtime_packages(chosen)):
            own = own_interpreter()
            notes.append(f"Runtime {identifier} runs on lambdagate's own {own.name} ({own.executable}) for now: "
                         f"the packages Lambda's runtime carries (awslambdaric, boto3) are not installed for "
                         f"{chosen.name} yet; `lambdagate build` (or `lambdagate serve`) installs them once")
            chosen = own
        folder = bundled.python_runtime_packages(chosen)
        if self._python_channel == "runtime-api" and not chosen.own and not any(folder.glob("runtime_client*")):
            notes.append(f"Runtime {identifier} gets its work over the socket channel, not the HTTP Runtime API: "
                         f"awslambdaric's HTTP client has no build for {chosen.name}")
            self._socket_only.add(identifier)
        self._python[identifier] = chosen
        return notes

    def _node_notes(self, function: Function) -> list[str]:
        runtime = function.runtime
        if not self.node:
            raise UnsupportedRuntime(
                f"{_named(function)}: Runtime {runtime} needs Node.js: install it "
                "(https://nodejs.org) so that `node` is on PATH, then restart",
                "Install Node.js (https://nodejs.org) so that `node` is on PATH.")
        local = self.node_version()
        wanted = catalog.runtime(runtime).version
        if not local.startswith(f"v{wanted}."):
            return [f"Runtime {runtime} runs on the local node {local} ({self.node}), not Node.js {wanted}"]
        return []

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
        interpreter = self.python_interpreter(function.runtime)
        if interpreter.own:
            if self._python_dir is None:
                try:
                    self._python_dir = python_runtime_dir(self._state_dir)
                except OSError as e:  # a read-only .lambdagate/: the links go to a temporary folder instead
                    self._python_dir = python_runtime_dir(spare_folder(self._state_dir))
                    self._notice(f"cannot write under {self._state_dir} ([Errno {e.errno}] {e.strerror}): the "
                                 f"Python runtime's links are in {self._python_dir} instead")
            runtime_dir = self._python_dir
        else:
            runtime_dir = bundled.python_runtime_packages(interpreter)
        channel = "socket" if function.runtime in self._socket_only else self._python_channel
        return python_launch(function, region, runtime_dir, channel, interpreter)
