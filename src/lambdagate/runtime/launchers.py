"""How each runtime's execution environment is started: command, environment variables, working directory.

The environment gets what Lambda gives a function (fact sheet §5.5; LDG configuration-envvars.md) with local
paths in place of /var/task, /var/runtime and /opt, plus the function's own variables, and nothing else of
lambdagate's environment except AWS credentials (the local stand-in for the execution role's credentials).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..definition.model import Function

PASSED_THROUGH = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                  "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
# What Lambda's Python runtimes have in /var/runtime besides the runtime client: the AWS SDK, when installed here.
RUNTIME_DISTRIBUTIONS = ("awslambdaric", "simplejson", "snapshot-restore-py", "boto3", "botocore", "s3transfer",
                         "jmespath", "python-dateutil", "six", "urllib3")
PYTHON_RUNTIMES = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14")
WORKER_SCRIPT = Path(__file__).with_name("python_worker.py")
CONTROL_FD = "{control_fd}"  # replaced by the descriptor number of the environment's control socket


class UnsupportedRuntime(Exception):
    """The function's runtime cannot run here; the message says what to install or change."""


@dataclass(frozen=True)
class LaunchSpec:
    argv: tuple[str, ...]
    env: dict[str, str]
    cwd: str
    channel: str = "socket"            # or "runtime-api": the Lambda Runtime API over HTTP (channels.py)


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
    """A folder that holds only the runtime's packages (as /var/runtime does), linked from this installation."""
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
            if source.exists() and not link.exists():
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


def check_runtime(function: Function) -> str | None:
    """None when the function can run here; otherwise raise UnsupportedRuntime. Returns a start-up note when
    the local interpreter differs from the function's runtime."""
    if function.runtime in PYTHON_RUNTIMES:
        local = f"python{sys.version_info[0]}.{sys.version_info[1]}"
        if local != function.runtime:
            return (f"{function.logical_id}: Runtime {function.runtime} runs on the local {local} "
                    f"({sys.executable}), the closest interpreter lambdagate can use")
        return None
    if function.runtime.startswith("python"):
        raise UnsupportedRuntime(f"{function.logical_id}: Runtime {function.runtime} is not a Lambda runtime "
                                 f"(use one of {', '.join(PYTHON_RUNTIMES)})")
    raise UnsupportedRuntime(f"{function.logical_id}: Runtime {function.runtime} is not supported yet "
                             "(Python runtimes are; Node.js and provided.* are planned)")
